"""Test backends: the same behaviour tests run on every backend through one fixture.

* ``engine``: a connected Engine (the models' default) on a clean database, once per
  backend in :data:`BACKENDS`. Restrict a test with ``@pytest.mark.backends(...)``.
* Each run creates its own database on each server (``kakaorm_t_<pid>_<random>``) and
  drops it at the end, so leftovers of an earlier run change nothing.
* ``KAKAORM_TEST_POSTGRES_URL`` / ``KAKAORM_TEST_MYSQL_URL`` point at the servers
  (default: the local ones). ``KAKAORM_TEST_BACKENDS=sqlite,mysql`` runs a subset.
  An unreachable server or a missing plugin skips its backend with the reason, or
  fails the run when ``KAKAORM_REQUIRE_BACKENDS=all``.
* ``replica_url`` / ``pgbouncer_url`` (PostgreSQL backends only): the run's database
  on the streaming replica (``KAKAORM_TEST_REPLICA_URL``, default 127.0.0.1:5433) and
  through PgBouncer in transaction mode (``KAKAORM_TEST_PGBOUNCER_URL``, default
  127.0.0.1:6432), both started by ``.ci/services.sh``. A service that does not answer
  skips the test with the reason, or fails it under ``KAKAORM_REQUIRE_BACKENDS=all``.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

import kakaorm

# the dialect compliance suite's option and fixtures (tests/compliance runs the suite)
pytest_plugins = ["kakaorm.testing.plugin"]

POSTGRES_URL = os.environ.get("KAKAORM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
MYSQL_URL = os.environ.get("KAKAORM_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test")
REPLICA_URL = os.environ.get("KAKAORM_TEST_REPLICA_URL", "postgresql://postgres@127.0.0.1:5433/")
PGBOUNCER_URL = os.environ.get("KAKAORM_TEST_PGBOUNCER_URL", "postgresql://postgres@127.0.0.1:6432/")
REQUIRE_ALL = os.environ.get("KAKAORM_REQUIRE_BACKENDS", "") == "all"
RUN_TAG = f"kakaorm_t_{os.getpid()}_{secrets.token_hex(3)}"


@dataclass
class Backend:
    """One database + driver the behaviour tests run on."""

    id: str
    plugin: str  # the import name of the plugin that serves it
    scheme: str
    server_url: str | None = None
    database: str | None = None  # created for this run
    error: str | None = None
    prepared: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def family(self) -> str:
        return self.id.split("-")[0]

    def url(self, server_url: str | None = None) -> str:
        """The run's database on this backend's server (or on ``server_url``: a replica,
        a pooler in front of the same server)."""
        if self.family == "sqlite":
            return f"{self.scheme}:///:memory:"
        server_url = server_url or self.server_url
        assert server_url is not None and self.database is not None
        parsed = kakaorm.parse_url(server_url)
        auth = parsed.username or ""
        if parsed.password:
            auth += f":{parsed.password}"
        if auth:
            auth += "@"
        port = f":{parsed.port}" if parsed.port else ""
        return f"{self.scheme}://{auth}{parsed.host}{port}/{self.database}"


BACKENDS: dict[str, Backend] = {
    "sqlite": Backend("sqlite", "kakaorm_sqlite", "sqlite+aiosqlite"),
    "postgres-asyncpg": Backend("postgres-asyncpg", "kakaorm_postgres", "postgresql+asyncpg", POSTGRES_URL),
    "postgres-psycopg": Backend("postgres-psycopg", "kakaorm_postgres", "postgresql+psycopg3", POSTGRES_URL),
    "mysql": Backend("mysql", "kakaorm_mysql", "mysql+aiomysql", MYSQL_URL),
}

_selected = os.environ.get("KAKAORM_TEST_BACKENDS")
ACTIVE = [b for b in BACKENDS if not _selected or b in _selected.split(",")]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "backends(*ids): run only on these backends")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("backends")
        ids = [b for b in ACTIVE if marker is None or b in marker.args or BACKENDS[b].family in marker.args]
        metafunc.parametrize("backend", ids, indirect=True, ids=ids)


# -- creating and dropping the run's databases ------------------------------------


async def _pg_admin(server_url: str, sql: str) -> None:
    import asyncpg

    p = kakaorm.parse_url(server_url)
    conn = await asyncpg.connect(
        host=p.host, port=p.port or 5432, user=p.username, password=p.password,
        database=p.database or "postgres", timeout=10,
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _mysql_admin(server_url: str, sql: str) -> None:
    import aiomysql

    p = kakaorm.parse_url(server_url)
    conn = await aiomysql.connect(
        host=p.host or "127.0.0.1", port=p.port or 3306, user=p.username or "root",
        password=p.password or "", connect_timeout=10,
    )
    try:
        async with conn.cursor() as cur:
            await cur.execute(sql)
    finally:
        conn.close()


def _prepare(backend: Backend) -> None:
    if backend.prepared:
        return
    backend.prepared = True
    if importlib.util.find_spec(backend.plugin) is None:
        backend.error = f"the plugin {backend.plugin} is not installed"
        return
    if backend.family == "sqlite":
        return
    # both PostgreSQL drivers share one database
    for other in BACKENDS.values():
        if other is not backend and other.family == backend.family and other.database:
            backend.database = other.database
            return
    name = RUN_TAG
    try:
        if backend.family == "postgres":
            asyncio.run(_pg_admin(backend.server_url or "", f'CREATE DATABASE "{name}"'))
        else:
            asyncio.run(
                _mysql_admin(
                    backend.server_url or "",
                    f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
                )
            )
        backend.database = name
    except Exception as err:  # noqa: BLE001 - any failure to reach the server is reported
        backend.error = f"cannot reach the {backend.family} server at {backend.server_url}: {err}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    dropped: set[str] = set()
    for backend in BACKENDS.values():
        if not backend.database or backend.family in dropped:
            continue
        dropped.add(backend.family)
        try:
            if backend.family == "postgres":
                asyncio.run(_pg_admin(backend.server_url or "", f'DROP DATABASE IF EXISTS "{backend.database}" WITH (FORCE)'))
            elif backend.family == "mysql":
                asyncio.run(_mysql_admin(backend.server_url or "", f"DROP DATABASE IF EXISTS `{backend.database}`"))
        except Exception:  # noqa: BLE001 - cleanup is best effort; the name is unique per run
            pass


def unavailable(backend: Backend) -> None:
    """Skip (or fail, under KAKAORM_REQUIRE_BACKENDS=all) when the backend cannot run."""
    _prepare(backend)
    if backend.error:
        if REQUIRE_ALL:
            pytest.fail(f"backend {backend.id} is required but unavailable: {backend.error}")
        pytest.skip(f"backend {backend.id} unavailable: {backend.error}")


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> Backend:
    b = BACKENDS[request.param]
    unavailable(b)
    return b


async def _reset(engine: kakaorm.Engine, backend: Backend) -> None:
    """Drop everything the test created."""
    if backend.family == "postgres":
        await engine.execute("DROP SCHEMA IF EXISTS public CASCADE")
        await engine.execute("CREATE SCHEMA public")
    elif backend.family == "mysql":
        rows = await engine.fetch(
            "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE()"
        )
        if rows:
            await engine.execute("SET FOREIGN_KEY_CHECKS = 0")
            for row in rows:
                # raw SQL reads %s as a placeholder: a table named with a percent sign needs %%
                name = str(row["t"]).replace("`", "``").replace("%", "%%")
                await engine.execute(f"DROP TABLE IF EXISTS `{name}`")
            await engine.execute("SET FOREIGN_KEY_CHECKS = 1")


@pytest.fixture
async def engine(backend: Backend) -> AsyncIterator[kakaorm.Engine]:
    """A connected engine on an empty database of ``backend``."""
    eng = await kakaorm.connect(backend.url())
    await _reset(eng, backend)
    try:
        yield eng
    finally:
        if not eng._closed:
            await _reset(eng, backend)
            await eng.disconnect()
        else:
            cleanup = await kakaorm.connect(backend.url())
            await _reset(cleanup, backend)
            await cleanup.disconnect()


# -- the production services of .ci/services.sh: a streaming replica, PgBouncer ---------

#: service name -> None when it answers, else why not (checked once per run)
_services: dict[str, str | None] = {}


async def _replica_problem(backend: Backend) -> str | None:
    import asyncpg

    p = kakaorm.parse_url(REPLICA_URL)
    try:
        conn = await asyncpg.connect(
            host=p.host, port=p.port or 5432, user=p.username, password=p.password,
            database="postgres", timeout=5,
        )
    except Exception as err:  # noqa: BLE001 - reported as the reason
        return f"no PostgreSQL answers at {REPLICA_URL} ({err}); start it with .ci/services.sh"
    try:
        if not await conn.fetchval("SELECT pg_is_in_recovery()"):
            return f"{REPLICA_URL} answers but is not a replica (pg_is_in_recovery() is false)"
        # the run's database was created on the primary: wait until it is replayed
        for _ in range(300):
            if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", backend.database):
                return None
            await asyncio.sleep(0.1)
        return f"the database {backend.database} did not reach the replica {REPLICA_URL} in 30 s"
    finally:
        await conn.close()


async def _pgbouncer_problem(backend: Backend) -> str | None:
    import asyncpg

    p = kakaorm.parse_url(PGBOUNCER_URL)
    try:
        conn = await asyncpg.connect(
            host=p.host, port=p.port or 5432, user=p.username, password=p.password,
            database=backend.database, timeout=5, statement_cache_size=0,
        )
    except Exception as err:  # noqa: BLE001 - reported as the reason
        return f"PgBouncer does not answer at {PGBOUNCER_URL} ({err}); start it with .ci/services.sh"
    await conn.close()
    return None


def _service_url(backend: Backend, name: str, server_url: str) -> str:
    if backend.family != "postgres":
        pytest.fail(f"the {name} fixture serves the PostgreSQL backends only; mark the test backends('postgres')")
    if name not in _services:
        check = _replica_problem if name == "replica" else _pgbouncer_problem
        _services[name] = asyncio.run(check(backend))
    problem = _services[name]
    if problem is not None:
        if REQUIRE_ALL:
            pytest.fail(f"the {name} service is required but unavailable: {problem}")
        pytest.skip(f"the {name} service is unavailable: {problem}")
    return backend.url(server_url)


@pytest.fixture
def replica_url(backend: Backend) -> str:
    """The run's database on the streaming replica, with ``backend``'s scheme."""
    return _service_url(backend, "replica", REPLICA_URL)


@pytest.fixture
def pgbouncer_url(backend: Backend) -> str:
    """The run's database through PgBouncer (transaction pooling), with ``backend``'s scheme."""
    return _service_url(backend, "pgbouncer", PGBOUNCER_URL)


@pytest.fixture
def connect_url(backend: Backend) -> Callable[[], str]:
    """The URL of ``backend``'s test database, for tests that connect themselves."""
    return backend.url


class StatementLog:
    """Collects the SQL statements sent through the ``kakaorm.sql`` logger."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def clear(self) -> None:
        self.statements.clear()

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def sql_log() -> Any:
    import logging

    log = logging.getLogger("kakaorm.sql")
    collected = StatementLog()

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            collected.statements.append(str(record.args[0]) if record.args else record.getMessage())

    handler = Collector(level=logging.DEBUG)
    old_level = log.level
    log.setLevel(logging.DEBUG)
    log.addHandler(handler)
    try:
        yield collected
    finally:
        log.removeHandler(handler)
        log.setLevel(old_level)
