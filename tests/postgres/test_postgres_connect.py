"""Connecting: failures name the target and never the password; pool and cache options."""

from __future__ import annotations

import asyncio
import logging
import os

import pytest

import kakaorm
from kakaorm import OperationalError, PoolTimeoutError
from kakaorm.dialect import PoolStats

pytestmark = pytest.mark.backends("postgres")

PASSWORD = "Pw-s3cr3t-9f2c"


def target_url(backend, *, host="127.0.0.1", port=5432, database=None, user="postgres", password=PASSWORD):
    database = database or backend.database
    return f"{backend.scheme}://{user}:{password}@{host}:{port}/{database}"


def assert_password_hidden(err: BaseException) -> None:
    for text in (str(err), repr(err), *map(str, err.args)):
        assert PASSWORD not in text


async def test_a_host_nobody_listens_on_is_an_operational_error_naming_the_target(backend, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(OperationalError) as info:
        await kakaorm.connect(target_url(backend, host="127.0.0.2"))
    message = str(info.value)
    assert f"cannot connect to PostgreSQL at 127.0.0.2:5432, database '{backend.database}', user 'postgres'" in message
    assert "Check that the server runs and accepts TCP connections on that host and port" in message
    assert info.value.orig is not None
    assert_password_hidden(info.value)
    assert PASSWORD not in caplog.text


async def test_a_wrong_port_is_an_operational_error_naming_the_port(backend):
    with pytest.raises(OperationalError) as info:
        await kakaorm.connect(target_url(backend, port=1))
    assert f"at 127.0.0.1:1, database '{backend.database}'" in str(info.value)
    assert_password_hidden(info.value)


async def test_a_missing_database_is_an_operational_error_saying_so(backend):
    with pytest.raises(OperationalError) as info:
        await kakaorm.connect(target_url(backend, database="kakaorm_no_such_db"))
    message = str(info.value)
    assert "at 127.0.0.1:5432, database 'kakaorm_no_such_db', user 'postgres'" in message
    assert 'database "kakaorm_no_such_db" does not exist' in message
    assert "Create the database (CREATE DATABASE) or fix its name in the URL" in message
    assert_password_hidden(info.value)


async def test_a_refused_login_is_an_operational_error_without_the_password(backend, caplog):
    # The test server trusts every loopback login, so it never rejects a password; an
    # unknown role is the login failure it can produce. The password is in the URL all
    # the same, and must not leak into the error or the logs.
    caplog.set_level(logging.DEBUG)
    with pytest.raises(OperationalError) as info:
        await kakaorm.connect(target_url(backend, user="kakaorm_no_such_role"))
    message = str(info.value)
    assert f"at 127.0.0.1:5432, database '{backend.database}', user 'kakaorm_no_such_role'" in message
    assert 'role "kakaorm_no_such_role" does not exist' in message
    assert "Check the user name and password in the URL" in message
    assert_password_hidden(info.value)
    assert PASSWORD not in caplog.text


async def test_a_server_that_never_answers_fails_after_connect_timeout(backend):
    async def accept_and_stay_silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up
        writer.close()

    server = await asyncio.start_server(accept_and_stay_silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(OperationalError) as info:
            await kakaorm.connect(target_url(backend, port=port), connect_timeout=0.5)
    finally:
        server.close()
    message = str(info.value)
    assert f"at 127.0.0.1:{port}, database '{backend.database}'" in message
    assert "did not answer within connect_timeout=0.5 s" in message


async def test_the_password_stays_out_of_repr_and_statement_logs(backend, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="kakaorm.sql")
    async with await kakaorm.connect(target_url(backend)) as engine:
        assert await engine.fetchval("SELECT %s::text", ["ok"]) == "ok"
        assert repr(engine) == (
            f"<Engine postgresql+{engine.dialect.driver}://postgres:***@127.0.0.1:5432/{backend.database}>"
        )
    assert "SELECT $1::text" in caplog.text or "SELECT %s::text" in caplog.text
    assert PASSWORD not in caplog.text


async def test_pool_min_size_connections_open_at_connect(engine, connect_url):
    async with await kakaorm.connect(connect_url(), pool_min_size=2, pool_max_size=4) as engine:
        assert engine.pool_stats() == PoolStats(size=2, idle=2, in_use=0)
        async with engine.transaction():
            assert engine.pool_stats() == PoolStats(size=2, idle=1, in_use=1)
        assert engine.pool_stats() == PoolStats(size=2, idle=2, in_use=0)


async def test_an_exhausted_pool_raises_pool_timeout_error_after_pool_timeout(engine, connect_url):
    async with await kakaorm.connect(connect_url(), pool_max_size=1, pool_timeout=0.2) as engine:
        holding = asyncio.Event()
        done = asyncio.Event()

        async def hold_the_only_connection() -> None:
            async with engine.transaction():
                holding.set()
                await done.wait()

        holder = asyncio.create_task(hold_the_only_connection())
        await holding.wait()
        with pytest.raises(PoolTimeoutError) as info:
            await engine.fetchval("SELECT 1")
        assert isinstance(info.value, TimeoutError)
        assert "within pool_timeout=0.2 s: all 1 connections (pool_max_size) stayed in use" in str(info.value)
        done.set()
        await holder
        assert await engine.fetchval("SELECT 1") == 1
        assert engine.pool_stats().in_use == 0


async def prepared_statements(engine: kakaorm.Engine) -> list[str]:
    rows = await engine.fetch("SELECT statement FROM pg_prepared_statements")
    return sorted(r["statement"] for r in rows if "41 + " in r["statement"])


async def test_statements_are_prepared_and_reused_by_default(engine, connect_url):
    async with await kakaorm.connect(connect_url(), pool_max_size=1) as engine:
        for _ in range(8):
            assert await engine.fetchval("SELECT 41 + %s::int", [1]) == 42
        assert await prepared_statements(engine) == ["SELECT 41 + $1::int"]


async def test_statement_cache_size_zero_prepares_nothing(engine, connect_url):
    async with await kakaorm.connect(connect_url(), pool_max_size=1, statement_cache_size=0) as engine:
        for _ in range(8):
            assert await engine.fetchval("SELECT 41 + %s::int", [1]) == 42
        assert await prepared_statements(engine) == []


async def test_a_new_connection_that_cannot_be_opened_later_is_reported(engine, backend):
    role = f"kakaorm_t_role_{os.getpid()}"
    await engine.execute(f'CREATE ROLE "{role}" LOGIN')
    await engine.execute(f'GRANT ALL ON SCHEMA public TO "{role}"')
    try:
        url = target_url(backend, user=role)
        async with await kakaorm.connect(url, pool_min_size=1, pool_max_size=2, pool_timeout=0.5) as limited:
            holding = asyncio.Event()
            done = asyncio.Event()

            async def hold_the_open_connection() -> None:
                async with limited.transaction():
                    holding.set()
                    await done.wait()

            holder = asyncio.create_task(hold_the_open_connection())
            await holding.wait()
            await engine.execute(f'ALTER ROLE "{role}" NOLOGIN')
            if backend.id == "postgres-asyncpg":
                # asyncpg opens the second connection when it is asked for
                with pytest.raises(OperationalError) as info:
                    await limited.fetchval("SELECT 1")
                assert f"user '{role}'" in str(info.value)
                assert f'role "{role}" is not permitted to log in' in str(info.value)
            else:
                # psycopg_pool opens connections in the background and keeps retrying
                with pytest.raises(PoolTimeoutError) as timeout_info:
                    await limited.fetchval("SELECT 1")
                assert "or no new one could be opened to 127.0.0.1:5432" in str(timeout_info.value)
            done.set()
            await holder
            assert await limited.fetchval("SELECT 2") == 2  # the open connection still works
            assert limited.pool_stats().in_use == 0
    finally:
        await engine.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", [role]
        )
        await engine.execute(f'REVOKE ALL ON SCHEMA public FROM "{role}"')
        await engine.execute(f'DROP ROLE "{role}"')
