"""The DriverConnection adapters of both drivers, used directly through the engine's pool."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

import kakaorm

pytestmark = pytest.mark.backends("postgres")


@pytest.fixture
async def conn(engine) -> AsyncIterator[Any]:
    pool = engine._pool
    connection = await pool.acquire()
    try:
        yield connection
    finally:
        await pool.release(connection)
    assert engine.pool_stats().in_use == 0


def ph(backend, n: int) -> str:
    """The driver's n-th placeholder, as the compiler would write it."""
    return f"${n}" if backend.id == "postgres-asyncpg" else "%s"


async def test_execute_returns_matched_rows_and_minus_one_for_ddl(conn, backend):
    assert await conn.execute("CREATE TABLE pgd_t (n BIGINT)", []) == -1
    assert await conn.execute(f"INSERT INTO pgd_t VALUES ({ph(backend, 1)}), ({ph(backend, 2)})", [1, 2]) == 2
    assert await conn.execute("UPDATE pgd_t SET n = n + 1", []) == 2
    assert await conn.execute(f"DELETE FROM pgd_t WHERE n > {ph(backend, 1)}", [99]) == 0
    assert await conn.execute_insert(f"INSERT INTO pgd_t VALUES ({ph(backend, 1)})", [7]) is None
    rows = await conn.fetch("SELECT n FROM pgd_t ORDER BY n", [])
    assert [row[0] for row in rows] == [2, 3, 7]


async def test_fetch_described_names_the_columns_even_without_rows(conn, backend):
    names, rows = await conn.fetch_described(f"SELECT 1 AS a, 'x' AS b WHERE 1 = {ph(backend, 1)}", [2])
    assert (names, list(rows)) == (["a", "b"], [])
    names, rows = await conn.fetch_described("SELECT 1 AS a, 'x' AS b", [])
    assert (names, [tuple(r) for r in rows]) == (["a", "b"], [(1, "x")])


async def test_iterate_streams_rows_outside_and_inside_a_transaction(conn, backend):
    sql = f"SELECT g FROM generate_series(1, {ph(backend, 1)}::int) AS g"
    assert [row[0] async for row in conn.iterate(sql, [5])] == [1, 2, 3, 4, 5]
    await conn.begin()
    assert [row[0] async for row in conn.iterate(sql, [3])] == [1, 2, 3]
    await conn.execute("CREATE TABLE pgd_in_tx (n BIGINT)", [])
    await conn.rollback()
    assert [tuple(r) for r in await conn.fetch("SELECT to_regclass('pgd_in_tx')::text", [])] == [(None,)]


async def test_begin_commit_and_rollback(conn):
    await conn.execute("CREATE TABLE pgd_tx (n BIGINT)", [])
    await conn.begin()
    await conn.execute("INSERT INTO pgd_tx VALUES (1)", [])
    await conn.commit()
    await conn.begin()
    await conn.execute("INSERT INTO pgd_tx VALUES (2)", [])
    await conn.rollback()
    assert [tuple(r) for r in await conn.fetch("SELECT n FROM pgd_tx", [])] == [(1,)]


async def test_a_transaction_left_open_is_rolled_back_and_its_connection_kept(engine, connect_url):
    """Raw SQL may BEGIN and return the connection in a transaction: the pool rolls it
    back and lends the same connection again, out of any transaction."""
    await engine.execute("CREATE TABLE pgd_open (n BIGINT)")
    one = await kakaorm.connect(connect_url(), pool_max_size=1, pool_min_size=1)
    try:
        backend_pid = await one.fetchval("SELECT pg_backend_pid()")
        await one.execute("BEGIN")
        await one.execute("INSERT INTO pgd_open VALUES (1)")
        assert await one.fetchval("SELECT pg_backend_pid()") == backend_pid
        # the INSERT ran after the rollback, outside a transaction: others see it
        assert await engine.fetchval("SELECT count(*) FROM pgd_open") == 1
    finally:
        await one.disconnect()
