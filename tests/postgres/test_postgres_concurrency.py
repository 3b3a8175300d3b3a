"""Many tasks on one pool: exact results, isolated transactions, clean cancellation."""

from __future__ import annotations

import asyncio

import pytest

import kakaorm
from kakaorm import IntColumn, Model, StrColumn
from kakaorm.dialect import PoolStats

pytestmark = pytest.mark.backends("postgres")


class PgcoItem(Model):
    name = StrColumn(nullable=False, unique=True)
    n = IntColumn(nullable=False, default=0)


async def wait_until(condition, what: str) -> None:
    """Poll an async condition for up to 5 s (the test is about the outcome, not the time)."""
    for _ in range(250):
        if await condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"still not true after 5 s: {what}")


async def test_fifty_tasks_of_mixed_work_on_five_connections_end_exactly(engine, connect_url):
    async with await kakaorm.connect(connect_url(), pool_max_size=5) as engine:
        await engine.create_table(PgcoItem)
        most_in_use = 0

        async def worker(i: int) -> None:
            nonlocal most_in_use
            item = await PgcoItem.create(name=f"task-{i}")
            most_in_use = max(most_in_use, engine.pool_stats().in_use)
            fetched = await PgcoItem.get(PgcoItem.id == item.id)
            assert fetched.name == f"task-{i}"
            if i % 3 == 0:
                async with engine.transaction():
                    await PgcoItem.where(PgcoItem.id == item.id).update(n=PgcoItem.n + i)
                    most_in_use = max(most_in_use, engine.pool_stats().in_use)
                    await PgcoItem.where(PgcoItem.id == item.id).update(n=PgcoItem.n + i)
            else:
                fetched.n = i
                await fetched.save()
            if i % 5 == 0:
                await fetched.delete()

        await asyncio.gather(*(worker(i) for i in range(50)))
        kept = [i for i in range(50) if i % 5]
        assert await PgcoItem.count() == len(kept) == 40
        expected = {f"task-{i}": (2 * i if i % 3 == 0 else i) for i in kept}
        assert {r.name: r.n for r in await PgcoItem.all()} == expected
        assert 1 <= most_in_use <= 5
        stats = engine.pool_stats()
        assert stats.in_use == 0 and stats.idle == stats.size and 1 <= stats.size <= 5


async def test_a_transaction_never_sees_or_captures_another_tasks_statements(engine, connect_url):
    async with await kakaorm.connect(connect_url(), pool_max_size=3) as engine:
        await engine.create_table(PgcoItem)
        opened = asyncio.Event()
        other_done = asyncio.Event()
        pids: dict[str, int] = {}
        seen_by_other: list[int] = []

        async def in_transaction() -> None:
            with pytest.raises(RuntimeError):
                async with engine.transaction():
                    pids["tx"] = await engine.fetchval("SELECT pg_backend_pid()")
                    await PgcoItem.create(name="inside")
                    opened.set()
                    await other_done.wait()
                    assert await PgcoItem.count() == 2  # its own row and the committed one
                    raise RuntimeError("roll back")

        async def outside() -> None:
            await opened.wait()
            pids["other"] = await engine.fetchval("SELECT pg_backend_pid()")
            seen_by_other.append(await PgcoItem.count())
            await PgcoItem.create(name="outside")
            other_done.set()

        await asyncio.gather(in_transaction(), outside())
        assert pids["tx"] != pids["other"]
        assert seen_by_other == [0]  # the open transaction's row was invisible
        assert [r.name for r in await PgcoItem.all()] == ["outside"]  # not rolled back with it
        assert engine.pool_stats().in_use == 0


async def sleeping_statements(engine: kakaorm.Engine) -> int:
    return int(
        await engine.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE %s AND pid <> pg_backend_pid()",
            ["SELECT pg_sleep(30)%%"],
        )
    )


async def test_a_task_cancelled_mid_statement_in_a_transaction_leaves_nothing_behind(engine, connect_url):
    async with await kakaorm.connect(connect_url(), pool_max_size=1, pool_timeout=10) as engine:
        await engine.create_table(PgcoItem)
        started = asyncio.Event()

        async def doomed() -> None:
            async with engine.transaction():
                await PgcoItem.create(name="doomed")
                started.set()
                await engine.execute("SELECT pg_sleep(30)")

        task = asyncio.create_task(doomed())
        await started.wait()
        await asyncio.sleep(0.1)  # let the sleep reach the server
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert engine.pool_stats().in_use == 0
        # the pool (of one) keeps working, the row was rolled back, and the server is
        # not left running the cancelled statement
        assert await PgcoItem.count() == 0
        await wait_until(lambda: _none_sleeping(engine), "the cancelled pg_sleep ended on the server")
        for i in range(5):
            await PgcoItem.create(name=f"after-{i}")
        assert await PgcoItem.count() == 5
        assert engine.pool_stats() == PoolStats(size=1, idle=1, in_use=0)


async def _none_sleeping(engine: kakaorm.Engine) -> bool:
    return await sleeping_statements(engine) == 0


async def test_a_task_cancelled_between_statements_rolls_back_and_reuses_the_connection(engine, connect_url):
    async with await kakaorm.connect(connect_url(), pool_max_size=1) as engine:
        await engine.create_table(PgcoItem)
        pid = await engine.fetchval("SELECT pg_backend_pid()")
        inside = asyncio.Event()

        async def doomed() -> None:
            async with engine.transaction():
                await PgcoItem.create(name="doomed")
                inside.set()
                await asyncio.sleep(30)

        task = asyncio.create_task(doomed())
        await inside.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await PgcoItem.count() == 0
        assert await engine.fetchval("SELECT pg_backend_pid()") == pid  # rolled back, kept
        assert engine.pool_stats() == PoolStats(size=1, idle=1, in_use=0)


async def test_a_connection_returned_in_an_aborted_transaction_is_rolled_back(engine, connect_url):
    async with await kakaorm.connect(connect_url(), pool_max_size=1) as engine:
        await engine.create_table(PgcoItem)
        pool = engine._pool
        conn = await pool.acquire()
        await conn.begin()
        await conn.execute('INSERT INTO "pgco_item" ("name", "n") VALUES (\'lost\', 1)', [])
        with pytest.raises(Exception):  # noqa: B017 - the driver's own error class
            await conn.execute("SELECT 1 / 0", [])
        await pool.release(conn)
        # the same (only) connection is lent again, outside any transaction
        assert await PgcoItem.count() == 0
        await PgcoItem.create(name="kept")
        assert [r.name for r in await PgcoItem.all()] == ["kept"]
        assert engine.pool_stats() == PoolStats(size=1, idle=1, in_use=0)


async def test_a_discarded_connection_is_replaced(engine, connect_url):
    async with await kakaorm.connect(connect_url(), pool_max_size=1) as engine:
        pid = await engine.fetchval("SELECT pg_backend_pid()")
        conn = await engine._pool.acquire()
        await engine._pool.release(conn, discard=True)
        assert engine.pool_stats().in_use == 0
        assert await engine.fetchval("SELECT pg_backend_pid()") != pid


async def test_a_cancelled_waiter_does_not_keep_the_connection_from_the_next_one(engine, connect_url):
    async with await kakaorm.connect(connect_url(), pool_max_size=1, pool_timeout=5) as engine2:
        holding = asyncio.Event()
        release = asyncio.Event()

        async def holder() -> None:
            async with engine2.transaction():
                holding.set()
                await release.wait()

        hold = asyncio.create_task(holder())
        await holding.wait()
        first = asyncio.create_task(engine2.fetchval("SELECT 1"))
        second = asyncio.create_task(engine2.fetchval("SELECT 2"))
        await asyncio.sleep(0.05)  # both wait for the only connection
        first.cancel()
        release.set()
        await hold
        assert await second == 2
        with pytest.raises(asyncio.CancelledError):
            await first
        assert engine2.pool_stats() == PoolStats(size=1, idle=1, in_use=0)
