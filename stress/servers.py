"""Talking to the database servers behind KakaORM's back.

An admin connection (the raw driver, not KakaORM) kills sessions and reports what
the server knows about them: which sessions are inside a transaction or running a
statement. Also: creating and dropping the run's own database, and building the URL
of a backend on it. Only loopback servers are accepted: these helpers kill sessions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import kakaorm

__all__ = [
    "LOOPBACK_HOSTS",
    "ServerAdmin",
    "create_database",
    "database_url",
    "drop_database",
    "open_admin",
    "require_loopback",
    "session_ids",
]

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

#: the statement that returns the server's id of the session it runs on
SESSION_ID_SQL = {
    "postgres": "SELECT pg_backend_pid()",
    "mysql": "SELECT CONNECTION_ID()",
}

#: a statement that keeps the server busy for about ``%d`` seconds
SLEEP_SQL = {
    "postgres": "SELECT pg_sleep(%d)",
    "mysql": "SELECT SLEEP(%d)",
}


def require_loopback(url: str) -> None:
    """Refuse a server that is not on this machine (the workloads kill its sessions)."""
    host = kakaorm.parse_url(url).host or "localhost"
    if host not in LOOPBACK_HOSTS:
        raise SystemExit(
            f"refusing to run against {host!r}: the stress workloads kill server sessions and "
            "create databases, so they only use loopback servers (127.0.0.1, localhost, ::1)"
        )


def database_url(scheme: str, server_url: str, database: str) -> str:
    """``scheme://user[:password]@host[:port]/database`` on the server of ``server_url``."""
    parsed = kakaorm.parse_url(server_url)
    auth = parsed.username or ""
    if parsed.password:
        auth += f":{parsed.password}"
    if auth:
        auth += "@"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{scheme}://{auth}{parsed.host}{port}/{database}"


async def _pg_connect(server_url: str, database: str | None = None) -> Any:
    import asyncpg  # type: ignore[import-untyped]

    p = kakaorm.parse_url(server_url)
    return await asyncpg.connect(
        host=p.host, port=p.port or 5432, user=p.username, password=p.password,
        database=database or p.database or "postgres", timeout=10,
    )


async def _mysql_connect(server_url: str) -> Any:
    import aiomysql  # type: ignore[import-untyped]

    p = kakaorm.parse_url(server_url)
    return await aiomysql.connect(
        host=p.host or "127.0.0.1", port=p.port or 3306, user=p.username or "root",
        password=p.password or "", connect_timeout=10, autocommit=True,
    )


async def create_database(family: str, server_url: str, name: str) -> None:
    """CREATE DATABASE ``name`` (a name of letters, digits and ``_`` only)."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"database name {name!r}: use letters, digits and '_'")
    if family == "postgres":
        conn = await _pg_connect(server_url)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
    else:
        conn = await _mysql_connect(server_url)
        try:
            async with conn.cursor() as cur:
                await cur.execute(
                    f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                )
        finally:
            conn.close()


async def drop_database(family: str, server_url: str, name: str) -> None:
    """DROP DATABASE ``name``, ending its sessions first."""
    if family == "postgres":
        conn = await _pg_connect(server_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()
    else:
        conn = await _mysql_connect(server_url)
        try:
            async with conn.cursor() as cur:
                await cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        finally:
            conn.close()


class ServerAdmin:
    """A raw driver connection that watches and kills the sessions of one database."""

    def __init__(self, family: str, conn: Any, database: str) -> None:
        self.family = family
        self._conn = conn
        self.database = database

    async def _rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.family == "postgres":
            return [tuple(r) for r in await self._conn.fetch(sql, *params)]
        async with self._conn.cursor() as cur:
            await cur.execute(sql, params or None)
            return [tuple(r) for r in await cur.fetchall()]

    async def kill(self, ids: Iterable[int]) -> None:
        """End these sessions now, as ``pg_terminate_backend`` / ``KILL CONNECTION`` do."""
        for session in ids:
            if self.family == "postgres":
                await self._rows("SELECT pg_terminate_backend($1)", int(session))
            else:
                try:
                    await self._rows(f"KILL CONNECTION {int(session)}")
                except Exception as err:
                    if getattr(err, "args", (None,))[0] != 1094:
                        raise

    async def alive(self, ids: Iterable[int]) -> set[int]:
        """Which of these sessions the server still has."""
        wanted = sorted({int(i) for i in ids})
        if not wanted:
            return set()
        if self.family == "postgres":
            rows = await self._rows("SELECT pid FROM pg_stat_activity WHERE pid = ANY($1::int[])", wanted)
        else:
            marks = ", ".join(["%s"] * len(wanted))
            rows = await self._rows(f"SELECT ID FROM information_schema.PROCESSLIST WHERE ID IN ({marks})", *wanted)
        return {int(r[0]) for r in rows}

    async def wait_gone(self, ids: Iterable[int], timeout: float = 15.0) -> None:
        """Wait until the server has ended these sessions (AssertionError after ``timeout``)."""
        wanted = set(ids)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            left = await self.alive(wanted)
            if not left:
                return
            if loop.time() > deadline:
                raise AssertionError(f"sessions {sorted(left)} still exist {timeout:g} s after being killed")
            await asyncio.sleep(0.02)

    async def running(self, fragment: str) -> list[int]:
        """Sessions of the database running a statement whose text contains ``fragment``."""
        if self.family == "postgres":
            rows = await self._rows(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND state = 'active' "
                "AND pid <> pg_backend_pid() AND strpos(query, $2) > 0",
                self.database, fragment,
            )
        else:
            rows = await self._rows(
                "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = %s AND ID <> CONNECTION_ID() "
                "AND COMMAND = 'Query' AND LOCATE(%s, INFO) > 0",
                self.database, fragment,
            )
        return [int(r[0]) for r in rows]

    async def wait_running(self, fragment: str, timeout: float = 15.0) -> list[int]:
        """Wait until a session runs a statement containing ``fragment``; its ids."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = await self.running(fragment)
            if found:
                return found
            if loop.time() > deadline:
                raise AssertionError(f"no session ran a statement containing {fragment!r} within {timeout:g} s")
            await asyncio.sleep(0.01)

    async def sessions_in_transaction(self) -> list[int]:
        """Sessions of the database (other than this one) inside a transaction or a statement."""
        if self.family == "postgres":
            rows = await self._rows(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() "
                "AND backend_type = 'client backend' AND xact_start IS NOT NULL",
                self.database,
            )
        else:
            rows = await self._rows(
                "SELECT p.ID FROM information_schema.PROCESSLIST p WHERE p.DB = %s "
                "AND p.ID <> CONNECTION_ID() AND (p.COMMAND NOT IN ('Sleep', 'Daemon') "
                "OR p.ID IN (SELECT trx_mysql_thread_id FROM information_schema.INNODB_TRX))",
                self.database,
            )
        return sorted(int(r[0]) for r in rows)

    async def close(self) -> None:
        """Close the admin connection."""
        if self.family == "postgres":
            await self._conn.close()
        else:
            self._conn.close()


async def open_admin(family: str, server_url: str, database: str) -> ServerAdmin:
    """An admin connection watching ``database`` on the server of ``server_url``."""
    if family == "postgres":
        conn = await _pg_connect(server_url, database)
    elif family == "mysql":
        conn = await _mysql_connect(server_url)
    else:
        raise ValueError(f"no server admin for {family!r}")
    return ServerAdmin(family, conn, database)


async def session_ids(engine: kakaorm.Engine, family: str, count: int) -> list[int]:
    """The server ids of ``count`` distinct pooled connections of ``engine``.

    ``count`` tasks each hold a transaction (so a connection) until all have read
    their session id; the connections then go back to the pool, idle.
    """
    barrier = asyncio.Barrier(count)
    sql = SESSION_ID_SQL[family]

    async def one() -> int:
        async with engine.transaction():
            session = int(await engine.fetchval(sql))
            await barrier.wait()
        return session

    ids = await asyncio.gather(*(one() for _ in range(count)))
    if len(set(ids)) != count:
        raise AssertionError(f"expected {count} distinct sessions, got {ids}")
    return ids
