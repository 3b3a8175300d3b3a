"""Connecting: options, the pool, server detection, connection failures."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import textwrap

import pymysql
import pytest

import kakaorm
from kakaorm import IntColumn, Model, StrColumn
from kakaorm_mysql import MySQLDialect

pytestmark = pytest.mark.backends("mysql")


class MyKNote(Model):
    text = StrColumn(nullable=False)
    n = IntColumn(nullable=False, default=0)

    class Meta:
        table_name = "myk_note"


def _with(url: str, **parts: object) -> str:
    p = kakaorm.parse_url(url)
    fields = {"user": p.username, "host": p.host, "port": p.port or 3306, "database": p.database, **parts}
    return f"mysql+aiomysql://{fields['user']}@{fields['host']}:{fields['port']}/{fields['database']}"


async def test_every_scheme_of_the_plugin_connects(connect_url):
    url = connect_url()
    rest = url.split("://", 1)[1]
    for scheme in ("mysql", "mysql+aiomysql", "mariadb", "mariadb+aiomysql"):
        async with await kakaorm.connect(f"{scheme}://{rest}") as engine:
            assert type(engine.dialect) is MySQLDialect
            assert await engine.fetchval("SELECT 1 + 1") == 2
            assert repr(engine) == f"<Engine {scheme.split('+')[0]}+aiomysql://{rest}>"


async def test_unknown_and_invalid_options_are_refused(connect_url):
    with pytest.raises(kakaorm.ConfigurationError) as info:
        await kakaorm.connect(connect_url(), pool_size=3)
    assert "unknown option(s) pool_size" in str(info.value)
    assert "connect_timeout, echo" in str(info.value) and "pool_max_size, pool_min_size, pool_timeout" in str(info.value)
    with pytest.raises(kakaorm.ConfigurationError, match="pool_max_size must be an integer, got '5'"):
        await kakaorm.connect(connect_url(), pool_max_size="5")
    with pytest.raises(kakaorm.ConfigurationError, match="pool_timeout must be at least"):
        await kakaorm.connect(connect_url(), pool_timeout=0)
    with pytest.raises(kakaorm.ConfigurationError, match="pool_min_size=4 is larger than pool_max_size=2"):
        await kakaorm.connect(connect_url(), pool_min_size=4, pool_max_size=2)
    with pytest.raises(kakaorm.InvalidURLError, match="has the unknown query option\\(s\\) charset \\(it takes none"):
        await kakaorm.connect(connect_url() + "?charset=latin1")


async def test_the_pool_opens_min_size_and_never_more_than_max_size(connect_url):
    async with await kakaorm.connect(connect_url(), pool_min_size=3, pool_max_size=4) as engine:
        assert engine.pool_stats() == kakaorm.dialect.PoolStats(size=3, idle=3, in_use=0)
        await asyncio.gather(*(engine.fetchval("SELECT SLEEP(0.05)") for _ in range(10)))
        assert engine.pool_stats() == kakaorm.dialect.PoolStats(size=4, idle=4, in_use=0)
    assert engine.pool_stats().size == 0


async def test_an_exhausted_pool_raises_pool_timeout_error_and_recovers(connect_url):
    engine = await kakaorm.connect(connect_url(), pool_max_size=1, pool_timeout=0.2)
    try:
        holding = asyncio.Event()
        release = asyncio.Event()

        async def hold() -> None:
            async with engine.transaction():
                await engine.fetchval("SELECT 1")
                holding.set()
                await release.wait()

        holder = asyncio.create_task(hold())
        await holding.wait()
        with pytest.raises(kakaorm.PoolTimeoutError) as info:
            await engine.fetchval("SELECT 2")
        message = str(info.value)
        assert "pool_timeout=0.2 s" in message and "all 1 connections (pool_max_size)" in message
        assert "raise pool_max_size, or raise pool_timeout" in message
        release.set()
        await holder
        assert await engine.fetchval("SELECT 3") == 3
        assert engine.pool_stats().in_use == 0
    finally:
        await engine.disconnect()


async def test_a_waiting_task_gets_the_connection_another_one_releases(connect_url):
    async with await kakaorm.connect(connect_url(), pool_max_size=1, pool_timeout=5) as engine:
        results = await asyncio.gather(*(engine.fetchval("SELECT %s", [i]) for i in range(20)))
        assert results == list(range(20))
        assert engine.pool_stats() == kakaorm.dialect.PoolStats(size=1, idle=1, in_use=0)


async def test_features_are_read_from_the_server_at_connect_time(engine):
    server = engine.dialect.server
    assert server is not None
    assert engine.features is engine.dialect.features
    assert MySQLDialect.features.returning is False  # the class default is untouched
    assert engine.features.returning == (server.mariadb and server.version_tuple >= (10, 5))
    assert engine.features.max_statement_bytes == server.max_allowed_packet
    assert engine.features.max_params == 65535 and engine.features.transactional_ddl is False
    lock_mode = await engine.fetchval("SELECT @@innodb_autoinc_lock_mode")
    assert engine.features.consecutive_insert_keys == (lock_mode in (0, 1))
    version = await engine.fetchval("SELECT VERSION()")
    assert server.version == version and server.mariadb == ("MariaDB" in version)


async def test_a_wrong_password_names_the_server_but_never_a_password(password_account, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "Wr0ng-" + password_account.password[::-1]
    with pytest.raises(kakaorm.OperationalError) as info:
        await kakaorm.connect(password_account.url(password=wrong))
    message = str(info.value)
    a = password_account
    assert message.startswith(
        f"cannot connect to the MySQL/MariaDB server at {a.host}:{a.port} "
        f"(database {a.database!r}, user {a.user!r}): Access denied for user"
    )
    assert message.endswith("(MySQL error 1045). check the user name and password in the URL")
    assert isinstance(info.value.orig, pymysql.err.OperationalError) and info.value.orig.args[0] == 1045
    for secret in (wrong, a.password):
        assert secret not in message and secret not in repr(info.value.orig)
        assert all(secret not in r.getMessage() for r in caplog.records)


async def test_the_password_appears_in_no_repr_log_or_error(password_account, caplog):
    caplog.set_level(logging.DEBUG)
    engine = await kakaorm.connect(password_account.url())
    try:
        assert password_account.password not in repr(engine)
        assert repr(engine).endswith(f"{password_account.user}:***@{password_account.host}:{password_account.port}/{password_account.database}>")
        with pytest.raises(kakaorm.ProgrammingError) as info:
            await engine.fetch("SELECT * FROM myk_missing")
        assert password_account.password not in str(info.value)
        assert password_account.password not in repr(engine.dialect.url)
    finally:
        await engine.disconnect()
    assert any(r.name == "kakaorm.sql" for r in caplog.records), "statements are logged at DEBUG"
    assert all(password_account.password not in r.getMessage() for r in caplog.records)


async def test_an_unreachable_port_is_an_operational_error_naming_host_and_port(connect_url):
    url = _with(connect_url(), port=1)
    with pytest.raises(kakaorm.OperationalError) as info:
        await kakaorm.connect(url, connect_timeout=2)
    message = str(info.value)
    database = kakaorm.parse_url(url).database
    assert message.startswith(f"cannot connect to the MySQL/MariaDB server at 127.0.0.1:1 (database {database!r}")
    assert "(MySQL error 2003)" in message
    assert "check that the server is running and reachable at that address" in message
    assert info.value.orig.args[0] == 2003


async def test_an_unknown_database_is_an_operational_error_saying_to_create_it(connect_url):
    url = _with(connect_url(), database="kakaorm_no_such_db")
    with pytest.raises(kakaorm.OperationalError) as info:
        await kakaorm.connect(url)
    assert "Unknown database 'kakaorm_no_such_db' (MySQL error 1049)" in str(info.value)
    assert "create the database first" in str(info.value)
    assert info.value.orig.args[0] == 1049


async def test_a_silent_host_fails_after_connect_timeout(connect_url):
    # 10.255.255.1 is unroutable: the TCP handshake never completes
    url = _with(connect_url(), host="10.255.255.1")
    with pytest.raises(kakaorm.OperationalError) as info:
        await kakaorm.connect(url, connect_timeout=0.3)
    assert "at 10.255.255.1:" in str(info.value)


async def test_one_call_runs_one_statement(engine):
    # multi-statement support is off: a second statement cannot ride along
    with pytest.raises(kakaorm.ProgrammingError, match="SQL syntax") as info:
        await engine.execute("SELECT 1; SELECT 2")
    assert info.value.orig.args[0] == 1064
    assert await engine.fetchval("SELECT 3") == 3


async def test_a_connection_returned_inside_a_transaction_is_rolled_back(connect_url):
    async with await kakaorm.connect(connect_url(), pool_max_size=1) as engine:
        await engine.create_table(MyKNote)
        await engine.execute("BEGIN")
        # the pool rolled the raw BEGIN back when the connection came back
        conn = await engine._pool.acquire()
        try:
            assert conn.raw.get_transaction_status() is False
        finally:
            await engine._pool.release(conn)
        await MyKNote.create(text="kept")
        assert await MyKNote.count() == 1


async def test_a_discarded_connection_is_closed_and_replaced(connect_url):
    async with await kakaorm.connect(connect_url(), pool_max_size=1) as engine:
        conn = await engine._pool.acquire()
        raw = conn.raw
        await engine._pool.release(conn, discard=True)
        assert raw.closed
        assert engine.pool_stats() == kakaorm.dialect.PoolStats(size=0, idle=0, in_use=0)
        assert await engine.fetchval("SELECT 5") == 5
        assert engine.pool_stats().size == 1


async def test_a_connection_the_server_closed_is_replaced(connect_url):
    async with await kakaorm.connect(connect_url(), pool_max_size=1) as engine:
        thread = await engine.fetchval("SELECT CONNECTION_ID()")
        async with await kakaorm.connect(connect_url()) as admin:
            await admin.execute(f"KILL {int(thread)}")
        await asyncio.sleep(0.1)
        assert await engine.fetchval("SELECT 6") == 6
        assert await engine.fetchval("SELECT CONNECTION_ID()") != thread


async def test_iterate_streams_every_row_and_leaves_the_connection_usable(engine):
    sql = (
        "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "
        "SELECT i, CONCAT(i, '%%') AS pct FROM n ORDER BY i"
    )
    conn = await engine._pool.acquire()
    try:
        rows = [tuple(r) async for r in conn.iterate(sql, [900])]
        assert rows == [(i, f"{i}%") for i in range(1, 901)]
        assert await conn.fetch("SELECT %s", ["next"]) == (("next",),)
    finally:
        await engine._pool.release(conn)


def test_missing_aiomysql_names_the_plugin_in_the_pip_line():
    # a meta-path finder that refuses aiomysql makes it unimportable, as if not installed
    code = textwrap.dedent("""
        import asyncio, sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "aiomysql" or name.startswith("aiomysql."):
                    raise ImportError(f"No module named {name!r}")
                return None
        sys.meta_path.insert(0, Block())
        import kakaorm
        try:
            asyncio.run(kakaorm.connect("mysql://root@127.0.0.1:3306/test"))
        except kakaorm.DriverNotInstalledError as err:
            print(err)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "pip install kakaorm-mysql" in proc.stdout
    assert "pip install aiomysql" not in proc.stdout
