"""Compliance: DDL and the schema reading that migrations plan from."""

from __future__ import annotations

import pytest

from kakaorm import Engine
from kakaorm.migration import Migrator

from .columns import value_models
from .models import SUITE_MODELS, ComplianceAuthor, ComplianceCounter


@pytest.mark.asyncio
class TestSchema:
    """create_table, drop_table and read_schema agree with the models."""

    async def test_create_and_drop_table(self, compliance_engine: Engine) -> None:
        await compliance_engine.create_table(ComplianceCounter)
        await compliance_engine.create_table(ComplianceCounter)  # IF NOT EXISTS: a second call is harmless
        tables = await compliance_engine.dialect.read_schema(compliance_engine, ["compliance_counter"])
        assert list(tables) == ["compliance_counter"]
        await compliance_engine.drop_table(ComplianceCounter)
        assert await compliance_engine.dialect.read_schema(compliance_engine, ["compliance_counter"]) == {}

    async def test_read_schema_names_every_column_of_a_created_table(self, compliance_engine: Engine) -> None:
        await compliance_engine.create_table(ComplianceAuthor)
        tables = await compliance_engine.dialect.read_schema(compliance_engine, ["compliance_author"])
        assert sorted(c.name for c in tables["compliance_author"].columns) == ["active", "id", "name"]

    async def test_the_migration_plan_is_empty_after_create_table(self, compliance_engine: Engine) -> None:
        models = [*SUITE_MODELS, *value_models(compliance_engine.dialect.features)]
        await compliance_engine.create_table(*models)
        plan = await Migrator(compliance_engine).plan(models)
        assert plan.statements == []
        assert plan.blockers == []
        assert plan.is_empty()

    async def test_a_migration_plan_creates_the_tables_and_then_is_empty(self, compliance_engine: Engine) -> None:
        plan = await Migrator(compliance_engine).plan(SUITE_MODELS)
        assert plan.summary == [
            "create table compliance_author", "create table compliance_post", "create table compliance_counter",
        ]
        await plan.apply()
        assert (await Migrator(compliance_engine).plan(SUITE_MODELS)).statements == []
