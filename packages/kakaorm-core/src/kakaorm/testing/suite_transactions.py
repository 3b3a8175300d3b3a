"""Compliance: transactions, savepoints and the isolation levels the dialect offers."""

from __future__ import annotations

import pytest

from kakaorm import Engine

from ._gates import require_feature, require_isolation
from .models import ComplianceCounter

ISOLATION_LEVELS = ["serializable", "repeatable read", "read committed", "read uncommitted"]


class _Rollback(Exception):
    """Raised inside a block to roll it back."""


async def _keys() -> list[str]:
    return [c.key for c in await ComplianceCounter.all().order_by("key")]


@pytest.mark.asyncio
class TestTransactions:
    """What a transaction block keeps and what it undoes."""

    async def test_a_committed_transaction_keeps_its_writes(self, compliance_engine: Engine) -> None:
        await compliance_engine.create_table(ComplianceCounter)
        async with compliance_engine.transaction():
            await ComplianceCounter.create(key="a")
            await ComplianceCounter.create(key="b")
            assert await _keys() == ["a", "b"]
        assert await _keys() == ["a", "b"]

    async def test_an_exception_rolls_the_whole_transaction_back(self, compliance_engine: Engine) -> None:
        await compliance_engine.create_table(ComplianceCounter)
        await ComplianceCounter.create(key="before")
        with pytest.raises(_Rollback):
            async with compliance_engine.transaction():
                await ComplianceCounter.create(key="inside")
                await ComplianceCounter.where(ComplianceCounter.key == "before").update(hits=9)
                raise _Rollback
        assert [(c.key, c.hits) for c in await ComplianceCounter.all()] == [("before", 0)]

    async def test_a_nested_block_is_a_savepoint_rolled_back_alone(self, compliance_engine: Engine) -> None:
        require_feature(compliance_engine, "savepoints")
        await compliance_engine.create_table(ComplianceCounter)
        async with compliance_engine.transaction():
            await ComplianceCounter.create(key="outer")
            with pytest.raises(_Rollback):
                async with compliance_engine.transaction():
                    await ComplianceCounter.create(key="inner")
                    raise _Rollback
            async with compliance_engine.transaction():
                await ComplianceCounter.create(key="kept")
        assert await _keys() == ["kept", "outer"]

    async def test_ddl_in_a_rolled_back_transaction_is_undone(self, compliance_engine: Engine) -> None:
        require_feature(compliance_engine, "transactional_ddl")
        with pytest.raises(_Rollback):
            async with compliance_engine.transaction():
                await compliance_engine.create_table(ComplianceCounter)
                raise _Rollback
        assert await compliance_engine.dialect.read_schema(compliance_engine, ["compliance_counter"]) == {}

    @pytest.mark.parametrize("level", ISOLATION_LEVELS)
    async def test_each_isolation_level_the_dialect_offers_runs_a_transaction(
        self, compliance_engine: Engine, level: str
    ) -> None:
        require_isolation(compliance_engine, level)
        await compliance_engine.create_table(ComplianceCounter)
        async with compliance_engine.transaction(isolation=level):  # type: ignore[arg-type]
            await ComplianceCounter.create(key=level)
            assert await _keys() == [level]
        with pytest.raises(_Rollback):
            async with compliance_engine.transaction(isolation=level):  # type: ignore[arg-type]
                await ComplianceCounter.create(key="undone")
                raise _Rollback
        assert await _keys() == [level]
