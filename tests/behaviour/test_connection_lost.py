"""A connection the server kills: the same error on every driver, and a pool that heals.

* A connection killed while in use (a statement in flight, or idle inside a
  transaction) raises :class:`kakaorm.ConnectionLostError` (an OperationalError) on
  asyncpg, psycopg and aiomysql, with the server's SQLSTATE when it sent one.
* Connections killed while idle in the pool are never handed out: the next
  statements succeed without any retry by the caller.

SQLite is left out: it has no server to kill its connection.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import kakaorm
from kakaorm import ConnectionLostError, IntColumn, Model, OperationalError, StrColumn
from kakaorm.dialect import PoolStats

pytestmark = pytest.mark.backends("postgres", "mysql")

SESSION_ID = {"postgres": "SELECT pg_backend_pid()", "mysql": "SELECT CONNECTION_ID()"}
KILL = {"postgres": "SELECT pg_terminate_backend(%s::int)", "mysql": "KILL %s"}
SESSIONS = {
    "postgres": "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s::int[])",
    "mysql": "SELECT count(*) FROM information_schema.processlist WHERE FIND_IN_SET(id, %s)",
}
SLEEP = {"postgres": "SELECT pg_sleep(30)", "mysql": "SELECT SLEEP(30)"}

#: what each driver can know of a kill that came while it was idle inside a
#: transaction: psycopg reads the server's message on the next statement; asyncpg
#: reads the socket at once and keeps only that it closed; MySQL sends no SQLSTATE
SQLSTATE_IDLE_IN_TRANSACTION = {"postgres-asyncpg": None, "postgres-psycopg": "57P01", "mysql": None}
SQLSTATE_IN_FLIGHT = {"postgres-asyncpg": "57P01", "postgres-psycopg": "57P01", "mysql": None}

LOST = (
    "The connection to the server was lost: what it was running did not finish, and a "
    "transaction it was in is rolled back (if COMMIT was under way, whether it committed "
    "is unknown). The pool discards the connection and opens a new one for the next "
    "statement; retry the operation"
)


class LostRow(Model):
    name = StrColumn(nullable=False, max_length=40)
    n = IntColumn(nullable=False)


async def kill(admin: kakaorm.Engine, family: str, *sessions: int) -> None:
    """End ``sessions`` from another connection and wait until the server has closed them."""
    for session in sessions:
        await admin.execute(KILL[family], [session])
    ids: Any = list(sessions) if family == "postgres" else ",".join(map(str, sessions))
    for _ in range(250):
        if await admin.fetchval(SESSIONS[family], [ids]) == 0:
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError(f"sessions {sessions} still alive after 5 s")
    await asyncio.sleep(0.05)  # the socket close reaches the client


async def test_a_connection_killed_idle_inside_a_transaction_raises_connection_lost(
    engine, backend, connect_url
):
    await engine.create_table(LostRow)
    async with await kakaorm.connect(connect_url(), pool_max_size=2) as victim:
        with pytest.raises(ConnectionLostError) as info:
            async with victim.transaction():
                await LostRow.create(name="lost", n=1)
                session = await victim.fetchval(SESSION_ID[backend.family])
                await kill(engine, backend.family, session)
                await victim.fetchval("SELECT 1")
        err = info.value
        assert type(err) is ConnectionLostError and isinstance(err, OperationalError)
        assert err.sqlstate == SQLSTATE_IDLE_IN_TRANSACTION[backend.id]
        assert LOST in str(err)
        assert err.statement == "SELECT 1"
        # the transaction was rolled back with the connection; the pool is whole
        assert await LostRow.count() == 0
        assert await victim.fetchval(SESSION_ID[backend.family]) != session
        assert victim.pool_stats().in_use == 0


async def test_a_connection_killed_mid_statement_inside_a_transaction_raises_connection_lost(
    engine, backend, connect_url
):
    await engine.create_table(LostRow)
    async with await kakaorm.connect(connect_url(), pool_max_size=2) as victim:
        session: dict[str, int] = {}

        async def doomed() -> None:
            async with victim.transaction():
                await LostRow.create(name="lost", n=1)
                session["id"] = await victim.fetchval(SESSION_ID[backend.family])
                await victim.fetch(SLEEP[backend.family])

        task = asyncio.create_task(doomed())
        for _ in range(250):
            if "id" in session:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)  # the sleep reaches the server
        await kill(engine, backend.family, session["id"])
        with pytest.raises(ConnectionLostError) as info:
            await asyncio.wait_for(task, 10)
        err = info.value
        assert type(err) is ConnectionLostError
        assert err.sqlstate == SQLSTATE_IN_FLIGHT[backend.id]
        assert LOST in str(err)
        assert err.statement == SLEEP[backend.family]
        assert await LostRow.count() == 0
        assert await victim.fetchval("SELECT 2") == 2
        assert victim.pool_stats().in_use == 0


async def test_a_statement_outside_a_transaction_killed_mid_flight_raises_connection_lost(
    engine, backend, connect_url
):
    async with await kakaorm.connect(connect_url(), pool_max_size=1) as victim:
        session = await victim.fetchval(SESSION_ID[backend.family])
        task = asyncio.create_task(victim.fetch(SLEEP[backend.family]))
        await asyncio.sleep(0.2)  # the sleep reaches the server
        await kill(engine, backend.family, session)
        with pytest.raises(ConnectionLostError) as info:
            await asyncio.wait_for(task, 10)
        assert info.value.sqlstate == SQLSTATE_IN_FLIGHT[backend.id]
        assert await victim.fetchval("SELECT 3") == 3  # the pool of one opened a new one
        assert victim.pool_stats() == PoolStats(size=1, idle=1, in_use=0)


@pytest.mark.parametrize("order", ["together", "one_by_one"])
@pytest.mark.parametrize("pool_size", [1, 4])
async def test_connections_killed_while_idle_are_never_handed_out(engine, backend, connect_url, pool_size, order):
    await engine.create_table(LostRow)
    async with await kakaorm.connect(connect_url(), pool_min_size=pool_size, pool_max_size=pool_size) as victim:
        release = asyncio.Event()
        sessions: list[int] = []

        async def hold() -> None:
            async with victim.transaction():  # a transaction keeps one connection per task
                sessions.append(await victim.fetchval(SESSION_ID[backend.family]))
                await release.wait()

        holders = [asyncio.create_task(hold()) for _ in range(pool_size)]
        while len(sessions) < pool_size:
            await asyncio.sleep(0.01)
        release.set()
        await asyncio.gather(*holders)
        assert len(set(sessions)) == pool_size
        assert victim.pool_stats() == PoolStats(size=pool_size, idle=pool_size, in_use=0)
        await kill(engine, backend.family, *sessions)
        # every statement succeeds the first time, on new connections
        statements = [
            *(LostRow.create(name=f"after-{i}", n=i) for i in range(pool_size)),
            *(victim.fetchval(SESSION_ID[backend.family]) for _ in range(pool_size)),
        ]
        if order == "together":
            results = await asyncio.gather(*statements)
        else:
            results = [await statement for statement in statements]
        assert [row.n for row in results[:pool_size]] == list(range(pool_size))
        assert not set(results[pool_size:]) & set(sessions)
        assert await LostRow.count() == pool_size
        assert victim.pool_stats().in_use == 0
