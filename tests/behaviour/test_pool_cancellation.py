"""Cancelling tasks at random points (waiting for a connection, mid-statement, inside
a transaction) on a small pool: each task ends in CancelledError or its result,
nothing is reported to the event loop afterwards, and the pool is whole.

SQLite is left out: it has one connection and no pool to wait in (its cancellation
inside transactions has its own tests). On MariaDB a cancel landing while a
connection was being opened used to be lost (asyncio.wait_for swallows it on Python
3.11); tests/mysql/test_mysql_cancel_while_opening.py pins that case.

The server-side counts look at this test's database only: other clients of the same
server (a stress run, another test session) have transactions and statements of
their own.
"""

from __future__ import annotations

import asyncio
import gc
import random
from typing import Any

import pytest

import kakaorm
from kakaorm import IntColumn, Model, StrColumn

pytestmark = pytest.mark.backends("postgres", "mysql")

ROUNDS = 12
SLEEP = {"postgres": "SELECT pg_sleep(%s)", "mysql": "SELECT SLEEP(%s)"}
#: statements still running on the server, other than the one asking
RUNNING = {
    "postgres": (
        "SELECT count(*) FROM pg_stat_activity WHERE query = %s AND datname = current_database() "
        "AND pid <> pg_backend_pid()"
    ),
    "mysql": (
        "SELECT count(*) FROM information_schema.processlist WHERE info = %s AND db = DATABASE() "
        "AND id <> CONNECTION_ID()"
    ),
}


class StormRow(Model):
    name = StrColumn(nullable=False, max_length=40)
    n = IntColumn(nullable=False)


@pytest.fixture
async def loop_reports() -> Any:
    """What the event loop reports to its exception handler (e.g. "Future exception
    was never retrieved"), collected instead of printed."""
    loop = asyncio.get_running_loop()
    reports: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reports.append(context))
    yield reports
    gc.collect()
    loop.set_exception_handler(previous)


async def eventually_zero(engine: kakaorm.Engine, sql: str, params: list[Any]) -> int:
    """The count ``sql`` returns once it reaches 0 (polled for up to 5 s; the server
    may take a moment to stop a statement or roll a transaction back)."""
    for _ in range(250):
        count = int(await engine.fetchval(sql, params))
        if count == 0:
            break
        await asyncio.sleep(0.02)
    return count


async def open_transactions(engine: kakaorm.Engine, family: str) -> int:
    if family == "postgres":
        sql = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state LIKE %s AND pid <> pg_backend_pid()"
        )
        return await eventually_zero(engine, sql, ["idle in transaction%%"])
    sql = (
        "SELECT count(*) FROM information_schema.innodb_trx t JOIN information_schema.processlist p "
        "ON p.id = t.trx_mysql_thread_id WHERE p.db = DATABASE() AND p.id <> CONNECTION_ID()"
    )
    return await eventually_zero(engine, sql, [])


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_random_cancels_on_a_pool_of_two_end_in_cancelled_or_done_and_leave_the_pool_whole(
    engine, backend, connect_url, loop_reports, seed
):
    rnd = random.Random(seed)
    sleep_sql = SLEEP[backend.family]
    await engine.create_table(StormRow)
    async with await kakaorm.connect(connect_url(), pool_max_size=2, pool_timeout=30) as eng:

        async def work(round_: int, i: int) -> str:
            pause = rnd.random() * 0.004
            if i % 3 == 0:
                async with eng.transaction():
                    await StormRow.create(name=f"tx-{round_}-{i}", n=i)
                    await eng.fetch(sleep_sql, [pause])
                    await StormRow.create(name=f"tx-{round_}-{i}", n=i)
            else:
                await eng.fetch(sleep_sql, [pause])
                await StormRow.create(name=f"auto-{round_}-{i}", n=i)
            return f"done-{i}"

        outcomes: dict[str, int] = {}
        for round_ in range(ROUNDS):
            tasks = [asyncio.create_task(work(round_, i)) for i in range(50)]
            for _ in range(40):
                if rnd.random() < 0.6:
                    await asyncio.sleep(rnd.random() * 0.003)
                rnd.choice(tasks).cancel()
            for i, result in enumerate(await asyncio.gather(*tasks, return_exceptions=True)):
                if isinstance(result, asyncio.CancelledError):
                    outcomes["cancelled"] = outcomes.get("cancelled", 0) + 1
                else:
                    assert result == f"done-{i}"
                    outcomes["done"] = outcomes.get("done", 0) + 1
            stats = eng.pool_stats()
            assert stats.in_use == 0 and stats.size <= 2
        assert sum(outcomes.values()) == ROUNDS * 50
        assert outcomes["cancelled"] >= 25 and outcomes["done"] >= 25, outcomes
        # a transaction is all or nothing: its two rows, or none
        counts = {}
        for row in await StormRow.where(StormRow.name.like("tx-%")):
            counts[row.name] = counts.get(row.name, 0) + 1
        assert set(counts.values()) == {2}
        assert await asyncio.wait_for(
            asyncio.gather(*(eng.fetchval("SELECT 7") for _ in range(4))), 10
        ) == [7, 7, 7, 7]
    assert await open_transactions(engine, backend.family) == 0
    gc.collect()
    await asyncio.sleep(0.05)  # callbacks of late driver futures run
    gc.collect()
    assert [(c.get("message"), repr(c.get("exception"))) for c in loop_reports] == []


async def test_statements_cancelled_mid_flight_stop_on_the_server_and_leave_no_driver_future_behind(
    engine, backend, connect_url, loop_reports
):
    sleep_sql = SLEEP[backend.family] % "5"
    async with await kakaorm.connect(connect_url(), pool_max_size=2, pool_timeout=30) as eng:
        for i in range(30):
            task = asyncio.create_task(eng.fetch(sleep_sql))
            await asyncio.sleep(0.0005 * (i % 8))  # from before it is sent to well after
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert eng.pool_stats().in_use == 0
        assert await eng.fetchval("SELECT 7") == 7
    # the server is not left running a cancelled statement (with its locks)
    assert await eventually_zero(engine, RUNNING[backend.family], [sleep_sql]) == 0
    gc.collect()
    await asyncio.sleep(0.05)
    gc.collect()
    assert [(c.get("message"), repr(c.get("exception"))) for c in loop_reports] == []
