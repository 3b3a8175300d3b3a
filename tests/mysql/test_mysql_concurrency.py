"""Many tasks on one pool: exact results, isolated transactions, clean cancellation."""

from __future__ import annotations

import asyncio

import pytest

import kakaorm
from kakaorm import IntColumn, Model, StrColumn, Sum

pytestmark = pytest.mark.backends("mysql")


class MyCCounter(Model):
    name = StrColumn(nullable=False, unique=True)
    hits = IntColumn(nullable=False, default=0)

    class Meta:
        table_name = "myc_counter"


@pytest.fixture
async def pool5(connect_url, engine):
    """An engine on a pool of 5, over the test database's tables."""
    await engine.create_table(MyCCounter)
    small = await kakaorm.connect(connect_url(), pool_max_size=5, pool_timeout=30)
    try:
        yield small
    finally:
        await small.disconnect()


async def test_fifty_mixed_tasks_on_five_connections_give_exact_counts(pool5):
    async def work(i: int) -> None:
        row = await MyCCounter.create(name=f"task{i}")
        fetched = await MyCCounter.get(MyCCounter.id == row.id)
        assert fetched.name == f"task{i}"
        fetched.name = f"task{i}-done"
        await fetched.save()
        for _ in range(3):
            await MyCCounter.where(MyCCounter.id == row.id).update(hits=MyCCounter.hits + 1)
        if i % 5 == 0:
            await fetched.delete()

    await asyncio.gather(*(work(i) for i in range(50)))
    assert await MyCCounter.count() == 40
    assert await MyCCounter.all().sum(MyCCounter.hits) == 120
    names = sorted(r["name"] for r in await MyCCounter.all().select(MyCCounter.name))
    assert names == sorted(f"task{i}-done" for i in range(50) if i % 5)
    stats = pool5.pool_stats()
    assert stats.in_use == 0 and stats.size <= 5 and stats.idle == stats.size


async def test_concurrent_increments_of_one_row_are_all_counted(pool5):
    row = await MyCCounter.create(name="shared")

    async def bump() -> None:
        for _ in range(10):
            await MyCCounter.where(MyCCounter.id == row.id).update(hits=MyCCounter.hits + 1)

    await asyncio.gather(*(bump() for _ in range(20)))
    assert (await MyCCounter.get(MyCCounter.id == row.id)).hits == 200
    assert pool5.pool_stats().in_use == 0


async def test_fifty_transactions_commit_or_roll_back_independently(pool5):
    async def work(i: int) -> None:
        try:
            async with pool5.transaction():
                await MyCCounter.create(name=f"a{i}")
                await asyncio.sleep(0)
                await MyCCounter.create(name=f"b{i}")
                if i % 3 == 0:
                    raise LookupError(i)
        except LookupError:
            pass

    await asyncio.gather(*(work(i) for i in range(50)))
    kept = [i for i in range(50) if i % 3]
    names = {r["name"] for r in await MyCCounter.all().select(MyCCounter.name)}
    assert names == {f"{p}{i}" for i in kept for p in "ab"}
    assert pool5.pool_stats().in_use == 0


async def test_a_transaction_is_invisible_to_other_tasks_until_it_commits(pool5):
    inserted = asyncio.Event()
    go_on = asyncio.Event()

    async def writer() -> None:
        async with pool5.transaction():
            await MyCCounter.create(name="pending")
            inserted.set()
            await go_on.wait()

    task = asyncio.create_task(writer())
    await inserted.wait()
    # this task did not open the transaction: its statements run on another connection
    assert await MyCCounter.count() == 0
    assert await MyCCounter.get_or_none(MyCCounter.name == "pending") is None
    go_on.set()
    await task
    assert await MyCCounter.count() == 1


async def test_a_task_sees_its_own_uncommitted_rows(pool5):
    async with pool5.transaction():
        await MyCCounter.create(name="mine")
        assert await MyCCounter.count() == 1
        async with pool5.transaction():
            await MyCCounter.create(name="nested")
            assert await MyCCounter.count() == 2
    assert await MyCCounter.count() == 2


async def test_a_task_cancelled_mid_statement_in_a_transaction_is_rolled_back(pool5):
    started = asyncio.Event()
    thread: list[int] = []

    async def victim() -> None:
        async with pool5.transaction():
            await MyCCounter.create(name="doomed")
            thread.append(await pool5.fetchval("SELECT CONNECTION_ID()"))
            started.set()
            await pool5.fetchval("SELECT SLEEP(30)")

    task = asyncio.create_task(victim())
    await started.wait()
    await asyncio.sleep(0.1)  # inside SELECT SLEEP(30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await MyCCounter.count() == 0
    assert pool5.pool_stats().in_use == 0
    # the server thread is killed rather than left sleeping with the row lock held
    for _ in range(100):
        alive = await pool5.fetchval(
            "SELECT COUNT(*) FROM information_schema.processlist WHERE id = %s", [thread[0]]
        )
        if not alive:
            break
        await asyncio.sleep(0.03)
    assert alive == 0
    async with pool5.transaction():
        await pool5.execute("SET SESSION innodb_lock_wait_timeout = 1")
        await MyCCounter.create(name="doomed")  # the unique key is free: no lock wait
    await MyCCounter.where(MyCCounter.name == "doomed").delete()
    # the pool is still usable, and no statement of the victim lingers on it
    await asyncio.gather(*(MyCCounter.create(name=f"after{i}") for i in range(10)))
    assert await MyCCounter.count() == 10


async def test_a_task_cancelled_while_idle_in_a_transaction_is_rolled_back(pool5):
    inside = asyncio.Event()

    async def victim() -> None:
        async with pool5.transaction():
            await MyCCounter.create(name="doomed")
            inside.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(victim())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await MyCCounter.count() == 0
    assert pool5.pool_stats().in_use == 0
    await MyCCounter.create(name="after")
    assert [r["name"] for r in await MyCCounter.all().select(MyCCounter.name)] == ["after"]


async def test_waiters_that_time_out_or_are_cancelled_leak_no_connection(connect_url, engine):
    await engine.create_table(MyCCounter)
    async with await kakaorm.connect(connect_url(), pool_max_size=2, pool_timeout=0.05) as small:

        async def query(i: int) -> str:
            try:
                await small.fetchval("SELECT SLEEP(0.02)")
                return "ok"
            except kakaorm.PoolTimeoutError:
                return "timeout"

        tasks = [asyncio.create_task(query(i)) for i in range(60)]
        await asyncio.sleep(0.03)
        for t in tasks[::7]:
            t.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        outcomes = {type(r).__name__ if isinstance(r, BaseException) else r for r in results}
        assert outcomes <= {"ok", "timeout", "CancelledError"} and "ok" in outcomes
        stats = small.pool_stats()
        assert stats.in_use == 0 and stats.size <= 2
        assert await small.fetchval("SELECT 7") == 7


async def test_sum_of_a_concurrently_filled_table(pool5):
    await asyncio.gather(*(MyCCounter.create(name=f"n{i}", hits=i) for i in range(100)))
    total = await MyCCounter.all().aggregate(total=Sum(MyCCounter.hits))
    assert total == {"total": sum(range(100))}
    assert type(total["total"]) is int


async def test_nested_transactions_are_savepoints(pool5, sql_log):
    async with pool5.transaction():
        await MyCCounter.create(name="outer")
        with pytest.raises(LookupError):
            async with pool5.transaction():
                await MyCCounter.create(name="inner")
                raise LookupError
        await MyCCounter.create(name="after")
    assert sorted(r["name"] for r in await MyCCounter.all().select(MyCCounter.name)) == ["after", "outer"]
    assert "SAVEPOINT `kakaorm_sp_1`" in sql_log.statements
    assert "ROLLBACK TO SAVEPOINT `kakaorm_sp_1`" in sql_log.statements
