"""What every contender of the benchmark shares: the backends, the sizes of the seven
workloads, the rows they work on, the schema (created the same way for every
contender, outside the timings) and the fresh private database of one run."""

from __future__ import annotations

import gc
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import kakaorm

POSTGRES_URL = os.environ.get("KAKAORM_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
MYSQL_URL = os.environ.get("KAKAORM_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/test")

#: backend name -> the family of its server
BACKENDS: dict[str, str] = {
    "sqlite": "sqlite",
    "postgres-asyncpg": "postgres",
    "postgres-psycopg": "postgres",
    "mysql": "mysql",
}

#: the seven workloads, in the order they run (each contender times the same ones)
INSERTS = "single inserts (1 tx)"
BULK = "bulk insert"
FETCH = "fetch all as objects"
GETS = "get by pk"
TOP100 = "filtered top-100"
UPDATE = "set-based update"
PREFETCH = "20 pages + authors"
WORKLOADS = [INSERTS, BULK, FETCH, GETS, TOP100, UPDATE, PREFETCH]

#: authors the posts belong to (inserted before the timings, the same for every contender)
AUTHORS = 200
PAGES = 20


@dataclass(frozen=True)
class Sizes:
    """The workload sizes at ``scale`` (1.0 is the issue's: 2,000 inserts, 20,000 rows,
    2,000 gets, 1,000 top-100 queries, 20 pages of 1,000 posts)."""

    scale: float
    inserts: int = field(init=False)
    rows: int = field(init=False)
    gets: int = field(init=False)
    queries: int = field(init=False)
    page: int = field(init=False)

    def __post_init__(self) -> None:
        def n(full: int) -> int:
            return max(1, round(full * self.scale))

        object.__setattr__(self, "inserts", n(2_000))
        object.__setattr__(self, "page", n(1_000))
        object.__setattr__(self, "rows", self.page * PAGES)
        object.__setattr__(self, "gets", n(2_000))
        object.__setattr__(self, "queries", n(1_000))

    def labels(self) -> dict[str, str]:
        """Each workload with its size, for the printed table."""
        return {
            INSERTS: f"{INSERTS} x{self.inserts}",
            BULK: f"{BULK} {self.rows}",
            FETCH: f"fetch {self.rows} as objects",
            GETS: f"{GETS} x{self.gets}",
            TOP100: f"{TOP100} x{self.queries}",
            UPDATE: f"{UPDATE} ({self.rows // 2} rows)",
            PREFETCH: f"{PAGES} x {self.page} posts + authors",
        }


def post_values(i: int) -> tuple[str, int, bool, float, int]:
    """Row ``i`` of the posts: (title, views, published, score, author_id). Views are
    spread over 0..9999 so a range filter lands anywhere in the table."""
    return (f"post {i}", (i * 7919) % 10_000, i % 2 == 0, i / 4, i % AUTHORS + 1)


def threshold(k: int) -> int:
    """The ``views >`` bound of top-100 query ``k``."""
    return (k * 37) % 9_000


def get_positions(sizes: Sizes) -> list[int]:
    """Which rows (positions in id order) the gets read: the same for every contender."""
    step = 7_919
    return [(k * step) % sizes.rows for k in range(sizes.gets)]


# -- timing ------------------------------------------------------------------------


def _collections() -> list[int]:
    return [generation["collections"] for generation in gc.get_stats()]


@dataclass
class Results:
    """Per workload: wall milliseconds, client CPU milliseconds, a check value that
    every contender must agree on (counts, sums of values read), and the garbage
    collections of each generation that ran during it.

    Each workload starts from a collected heap (``gc.collect()``, outside the timing),
    as a long-running process is: otherwise the first full collection of this fresh
    process, due after a fixed number of younger ones whatever the heap holds, lands
    in whichever workload happens to reach that number, and is charged to it. Every
    collection a workload's own allocations bring, full ones included, stays in its
    time.
    """

    wall: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    check: dict[str, int] = field(default_factory=dict)
    gc: dict[str, list[int]] = field(default_factory=dict)

    async def time(self, name: str, fn: Callable[[], Awaitable[int]]) -> None:
        gc.collect()
        before = _collections()
        wall, cpu = time.perf_counter(), time.process_time()
        check = await fn()
        self.wall[name] = (time.perf_counter() - wall) * 1000
        self.cpu[name] = (time.process_time() - cpu) * 1000
        self.gc[name] = [after - start for after, start in zip(_collections(), before, strict=True)]
        self.check[name] = int(check)

    def as_json(self) -> dict[str, Any]:
        return {"wall": self.wall, "cpu": self.cpu, "check": self.check, "gc": self.gc}


# -- the private database of one run -------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where one run works: for SQLite a file, for a server a private database."""

    backend: str
    family: str
    path: str = ""  # sqlite
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = ""
    database: str = ""

    def auth(self) -> str:
        return self.user + (f":{self.password}" if self.password else "") + ("@" if self.user else "")

    def url(self, scheme: str) -> str:
        """This database's URL under ``scheme`` (e.g. ``postgresql+asyncpg``)."""
        if self.family == "sqlite":
            return f"{scheme}:///{self.path}"
        return f"{scheme}://{self.auth()}{self.host}:{self.port}/{self.database}"


def _postgres_ddl() -> list[str]:
    return [
        "CREATE TABLE bench_author (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name TEXT NOT NULL)",
        "CREATE TABLE bench_post (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
        "title TEXT NOT NULL, views BIGINT NOT NULL DEFAULT 0, published BOOLEAN NOT NULL DEFAULT FALSE, "
        "score DOUBLE PRECISION, author_id BIGINT NOT NULL REFERENCES bench_author (id))",
        "CREATE INDEX ix_bench_post_views ON bench_post (views)",
        "CREATE INDEX ix_bench_post_author_id ON bench_post (author_id)",
    ]


SQLITE_DDL = [
    "CREATE TABLE bench_author (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL)",
    "CREATE TABLE bench_post (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, "
    "views INTEGER NOT NULL DEFAULT 0, published BOOLEAN NOT NULL DEFAULT 0, score REAL, "
    "author_id INTEGER NOT NULL REFERENCES bench_author (id))",
    "CREATE INDEX ix_bench_post_views ON bench_post (views)",
    "CREATE INDEX ix_bench_post_author_id ON bench_post (author_id)",
]

MYSQL_DDL = [
    "CREATE TABLE bench_author (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, name LONGTEXT NOT NULL) "
    "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE bench_post (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, title LONGTEXT NOT NULL, "
    "views BIGINT NOT NULL DEFAULT 0, published BOOLEAN NOT NULL DEFAULT FALSE, score DOUBLE, "
    "author_id BIGINT NOT NULL, INDEX ix_bench_post_views (views), INDEX ix_bench_post_author_id (author_id), "
    "CONSTRAINT fk_bench_post_author FOREIGN KEY (author_id) REFERENCES bench_author (id)) "
    "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
]

AUTHOR_ROWS = [(f"author {i}",) for i in range(1, AUTHORS + 1)]


@asynccontextmanager
async def private_database(backend: str) -> AsyncIterator[Target]:
    """A fresh database holding the schema and the authors, dropped on exit: a file
    in a temporary directory for SQLite, ``kakaorm_bench_<pid>`` on a server."""
    family = BACKENDS[backend]
    name = f"kakaorm_bench_{os.getpid()}"
    if family == "sqlite":
        tmp = tempfile.mkdtemp(prefix="kakaorm_bench_")
        path = os.path.join(tmp, "bench.db")
        with sqlite3.connect(path) as db:
            # WAL for every contender: Tortoise switches each database it opens to WAL,
            # and the mode is kept in the file, so raw aiosqlite and KakaORM write
            # through the same journal instead of the slower rollback journal
            db.execute("PRAGMA journal_mode=WAL")
            for sql in SQLITE_DDL:
                db.execute(sql)
            db.executemany("INSERT INTO bench_author (name) VALUES (?)", AUTHOR_ROWS)
        db.close()
        try:
            yield Target(backend, family, path=path)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    elif family == "postgres":
        import asyncpg  # only the backends asked for need their driver

        p = kakaorm.parse_url(POSTGRES_URL)
        target = Target(
            backend, family, host=p.host or "127.0.0.1", port=p.port or 5432,
            user=p.username or "postgres", password=p.password or "", database=name,
        )
        creds: dict[str, Any] = {"host": target.host, "port": target.port, "user": target.user,
                                 "password": target.password or None}
        admin = await asyncpg.connect(**creds, database=p.database or "postgres")
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await admin.execute(f'CREATE DATABASE "{name}"')
            conn = await asyncpg.connect(**creds, database=name)
            try:
                for sql in _postgres_ddl():
                    await conn.execute(sql)
                await conn.executemany("INSERT INTO bench_author (name) VALUES ($1)", AUTHOR_ROWS)
            finally:
                await conn.close()
            yield target
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
    else:
        import aiomysql

        p = kakaorm.parse_url(MYSQL_URL)
        target = Target(
            backend, family, host=p.host or "127.0.0.1", port=p.port or 3306,
            user=p.username or "root", password=p.password or "", database=name,
        )
        params: dict[str, Any] = {"host": target.host, "port": target.port, "user": target.user,
                                  "password": target.password, "charset": "utf8mb4", "autocommit": True}
        admin = await aiomysql.connect(**params)
        try:
            async with admin.cursor() as cur:
                await cur.execute("SET SESSION sql_notes = 0")
                await cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
                await cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
                await cur.execute(f"USE `{name}`")
                for sql in MYSQL_DDL:
                    await cur.execute(sql)
                await cur.executemany("INSERT INTO bench_author (name) VALUES (%s)", AUTHOR_ROWS)
                await cur.execute("USE mysql")
            yield target
        finally:
            async with admin.cursor() as cur:
                await cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
            admin.close()

