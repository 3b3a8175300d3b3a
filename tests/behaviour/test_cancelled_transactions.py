"""Cancellation inside transactions: a cancelled transaction ends rolled back, never
partly committed, and the engine stays usable; a statement cancelled by a timeout the
code catches stops the block it ran in, the same way on every backend."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from typing import Any

import pytest

from kakaorm import IntColumn, Model, OperationalError


class CxItem(Model):
    tag = IntColumn(nullable=False)
    part = IntColumn(nullable=False, default=0)


def slow(backend: Any, seconds: float) -> tuple[str, list[Any]]:
    """A statement that keeps the database busy for about ``seconds``."""
    if backend.family == "postgres":
        return "SELECT pg_sleep(%s)", [seconds]
    if backend.family == "mysql":
        return "SELECT SLEEP(%s)", [seconds]
    # SQLite counts about a million rows a second
    return (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < %s) SELECT count(*) FROM c",
        [max(1, int(seconds * 1_000_000))],
    )


async def rows() -> list[tuple[int, int]]:
    return sorted((i.tag, i.part) for i in await CxItem.all())


CANNOT_GO_ON = (
    "this transaction cannot go on: a statement of this transaction was cancelled "
    "(task.cancel() or a timeout) while the database ran it, so whether it took effect is "
    "unknown. Leave the `async with engine.transaction()` block (it rolls back) and retry "
    "the whole transaction"
)


def cancelled_message(outcome: str) -> str:
    return CANNOT_GO_ON.replace("this transaction cannot go on", outcome)


async def test_random_cancels_leave_every_transaction_whole_or_absent_and_the_engine_usable(engine, backend):
    await engine.create_table(CxItem)
    rng = random.Random(4)
    finished: set[int] = set()
    errors: list[str] = []

    async def tx(tag: int) -> None:
        async with engine.transaction():
            await CxItem.create(tag=tag, part=1)
            async with engine.transaction():
                await CxItem.create(tag=tag, part=2)
                await engine.fetchval(*slow(backend, rng.random() * 0.002))
            await CxItem.create(tag=tag, part=3)
        finished.add(tag)

    iterations = 120
    for tag in range(iterations):
        task = asyncio.create_task(tx(tag))
        await asyncio.sleep(rng.random() * 0.006)
        task.cancel()
        if rng.random() < 0.3:
            await asyncio.sleep(0)
            task.cancel()  # cancelled again, e.g. while rolling back
        try:
            await task
        except asyncio.CancelledError:
            pass
        except Exception as err:  # noqa: BLE001 - collected and asserted below
            errors.append(f"{tag}: {type(err).__name__}: {err}")
        async with engine.transaction():
            await CxItem.create(tag=-1, part=tag)
    assert errors == []
    parts = Counter(tag for tag, _ in await rows() if tag >= 0)
    assert {tag: n for tag, n in parts.items() if n != 3} == {}  # no partial commit
    assert finished <= set(parts)
    assert [part for tag, part in await rows() if tag == -1] == list(range(iterations))
    assert engine.pool_stats().in_use == 0


async def test_a_statement_cancelled_by_a_caught_timeout_stops_the_transaction(engine, backend):
    await engine.create_table(CxItem)
    with pytest.raises(OperationalError) as left:
        async with engine.transaction():
            await CxItem.create(tag=1)
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.05):
                    await engine.fetchval(*slow(backend, 0.5))
            with pytest.raises(OperationalError) as refused:
                await CxItem.create(tag=2)
            assert str(refused.value) == CANNOT_GO_ON
            with pytest.raises(OperationalError) as nested:
                async with engine.transaction():
                    pass
            assert str(nested.value) == CANNOT_GO_ON
    assert str(left.value) == cancelled_message("the transaction was rolled back, not committed")
    assert await rows() == []
    async with engine.transaction():
        await CxItem.create(tag=3)
    assert await rows() == [(3, 0)]
    assert engine.pool_stats().in_use == 0


@pytest.mark.backends("sqlite", "postgres")
async def test_a_timeout_around_a_nested_block_rolls_back_only_that_block(engine, backend):
    await engine.create_table(CxItem)
    async with engine.transaction():
        await CxItem.create(tag=1)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                async with engine.transaction():
                    await CxItem.create(tag=2)
                    await engine.fetchval(*slow(backend, 0.5))
        await CxItem.create(tag=3)
    assert await rows() == [(1, 0), (3, 0)]
    assert engine.pool_stats().in_use == 0


@pytest.mark.backends("sqlite", "postgres")
async def test_leaving_a_nested_block_normally_after_a_caught_cancel_rolls_it_back_and_says_why(
    engine, backend
):
    await engine.create_table(CxItem)
    async with engine.transaction():
        await CxItem.create(tag=1)
        with pytest.raises(OperationalError) as info:
            async with engine.transaction():
                await CxItem.create(tag=2)
                with pytest.raises(TimeoutError):
                    async with asyncio.timeout(0.05):
                        await engine.fetchval(*slow(backend, 0.5))
        assert str(info.value) == cancelled_message("the nested block was rolled back to its savepoint")
        await CxItem.create(tag=3)
    assert await rows() == [(1, 0), (3, 0)]


@pytest.mark.backends("mysql")
@pytest.mark.parametrize("leave", ["by-the-timeout", "normally"])
async def test_on_mysql_a_statement_cancelled_in_a_nested_block_ends_the_whole_transaction(
    engine, backend, leave
):
    # KakaORM kills a MariaDB connection whose statement was cancelled (aiomysql cannot
    # read the rest of the reply), and the transaction goes with it
    await engine.create_table(CxItem)
    with pytest.raises(OperationalError) as info:
        async with engine.transaction():
            await CxItem.create(tag=1)
            try:
                async with engine.transaction():
                    await CxItem.create(tag=2)
                    with pytest.raises(TimeoutError):
                        async with asyncio.timeout(0.05):
                            await engine.fetchval(*slow(backend, 0.5))
                    if leave == "by-the-timeout":
                        raise TimeoutError
            except TimeoutError:
                assert leave == "by-the-timeout"
            except OperationalError as err:
                assert leave == "normally" and str(err) == CANNOT_GO_ON
            await CxItem.create(tag=3)
    assert str(info.value) == CANNOT_GO_ON
    assert await rows() == []
    async with engine.transaction():
        await CxItem.create(tag=4)
    assert await rows() == [(4, 0)]
    assert engine.pool_stats().in_use == 0
