"""Compliance: the dialect maps its driver's errors to :mod:`kakaorm.exc`."""

from __future__ import annotations

from typing import Any

import pytest

import kakaorm
from kakaorm import DataError, Engine, IntegrityError, OperationalError, ProgrammingError
from kakaorm.url import DatabaseURL

from .columns import COLUMN_CASES, value_model
from .models import ComplianceAuthor, ComplianceCounter, CompliancePost


def _unreachable(url: DatabaseURL, scheme: str) -> str:
    """The same kind of URL pointing at nothing: a closed port, or a file in a missing directory."""
    if url.host:
        auth = f"{url.username}@" if url.username else ""
        return f"{scheme}://{auth}127.0.0.1:1/{url.database or 'test'}"
    return f"{scheme}:////kakaorm-compliance-no-such-directory/db"


@pytest.mark.asyncio
class TestErrors:
    """Driver errors arrive as the right kakaorm.exc type, with the statement."""

    async def test_a_duplicate_in_a_unique_column_is_an_integrity_error(self, compliance_engine: Engine) -> None:
        await compliance_engine.create_table(ComplianceCounter)
        await ComplianceCounter.create(key="dup")
        with pytest.raises(IntegrityError) as info:
            await ComplianceCounter.create(key="dup")
        assert info.value.orig is not None
        assert info.value.statement is not None and "compliance_counter" in info.value.statement
        assert await ComplianceCounter.all().count() == 1

    async def test_a_missing_foreign_key_target_is_an_integrity_error(self, compliance_engine: Engine) -> None:
        await compliance_engine.create_table(ComplianceAuthor, CompliancePost)
        with pytest.raises(IntegrityError):
            await CompliancePost.create(title="orphan", author_id=424242)
        assert await CompliancePost.all().count() == 0

    async def test_deleting_a_referenced_row_is_an_integrity_error(self, compliance_engine: Engine) -> None:
        await compliance_engine.create_table(ComplianceAuthor, CompliancePost)
        ann = await ComplianceAuthor.create(name="ann")
        await CompliancePost.create(title="kept", author_id=ann.id)
        with pytest.raises(IntegrityError):
            await ComplianceAuthor.where(ComplianceAuthor.id == ann.id).delete()
        assert await ComplianceAuthor.all().count() == 1

    async def test_a_null_in_a_not_null_column_is_an_integrity_error(self, compliance_engine: Engine) -> None:
        await compliance_engine.create_table(ComplianceCounter)
        q = compliance_engine.dialect.compiler.quote
        with pytest.raises(IntegrityError):
            await compliance_engine.execute(
                f"INSERT INTO {q('compliance_counter')} ({q('key')}, {q('hits')}) VALUES (%s, %s)", ["k", None]
            )
        assert await ComplianceCounter.all().count() == 0

    async def test_an_integer_outside_64_bits_is_a_data_error_and_nothing_is_stored(
        self, compliance_engine: Engine
    ) -> None:
        model: Any = value_model(next(c for c in COLUMN_CASES if c.name == "int"))
        await compliance_engine.create_table(model)
        for value in (2**63, -(2**63) - 1):
            with pytest.raises(DataError):
                await model.create(v=value)
        assert await model.all().count() == 0

    async def test_sql_naming_a_missing_table_is_a_programming_error(self, compliance_engine: Engine) -> None:
        with pytest.raises(ProgrammingError) as info:
            await compliance_engine.fetch("SELECT * FROM compliance_no_such_table")
        assert info.value.statement is not None and "compliance_no_such_table" in info.value.statement

    async def test_the_engine_works_after_an_error(self, compliance_engine: Engine) -> None:
        await compliance_engine.create_table(ComplianceCounter)
        with pytest.raises(ProgrammingError):
            await compliance_engine.fetch("SELECT * FROM compliance_no_such_table")
        with pytest.raises(IntegrityError):
            async with compliance_engine.transaction():
                await ComplianceCounter.create(key="x")
                await ComplianceCounter.create(key="x")
        assert await ComplianceCounter.all().count() == 0
        await ComplianceCounter.create(key="y")
        assert await compliance_engine.fetchval("SELECT COUNT(*) FROM compliance_counter") == 1

    async def test_a_database_that_cannot_be_reached_is_an_operational_error(self, compliance_engine: Engine) -> None:
        dialect = compliance_engine.dialect
        with pytest.raises(OperationalError):
            await kakaorm.connect(_unreachable(dialect.url, f"{dialect.name}+{dialect.driver}"))
        # the failed connect() left the default engine as it was
        assert kakaorm.get_engine() is compliance_engine
