"""KakaORM on SQLite beside raw aiosqlite, for the same work.

    python bench/bench_sqlite.py [--rows 20000]

Workloads: 500 single-row creates, a bulk insert of 10,000 rows, fetching 20,000 rows
(as model instances / as raw tuples), 2,000 gets by primary key, and 500 filtered
top-100 queries. Each side runs on its own fresh database file. Prints milliseconds
and the ratio ours/raw (lower is better; 1.0 is raw speed).
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile

import aiosqlite
from _workloads import (
    BULK,
    BULK_INSERT,
    CREATE,
    CREATES,
    TOP100,
    TOP_QUERIES,
    arguments,
    bench_orm,
    best,
    fetch_name,
    get_name,
    report,
    timed,
)


async def bench_raw(path: str, rows: int, ids: list[int]) -> dict[str, float]:
    results: dict[str, float] = {}
    db = await aiosqlite.connect(path, isolation_level=None)
    await db.execute(
        'CREATE TABLE bench_post (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, '
        'views INTEGER NOT NULL DEFAULT 0, published BOOLEAN NOT NULL DEFAULT 0, score REAL)'
    )
    await db.execute("CREATE INDEX ix_views ON bench_post (views)")
    insert = "INSERT INTO bench_post (title, views, published, score) VALUES (?, ?, ?, ?) RETURNING id"

    async def creates() -> None:
        for i in range(CREATES):
            await db.execute_fetchall(insert, (f"post {i}", i, int(i % 2 == 0), i / 3))

    results[CREATE] = await timed(creates)

    async def bulk() -> None:
        await db.execute("BEGIN")
        await db.executemany(
            "INSERT INTO bench_post (title, views, published, score) VALUES (?, ?, ?, ?)",
            [(f"bulk {i}", i % 1000, 1, 1.5) for i in range(BULK)],
        )
        await db.execute("COMMIT")

    results[BULK_INSERT] = await timed(bulk)
    await db.execute("BEGIN")
    await db.executemany(
        "INSERT INTO bench_post (title, views, published, score) VALUES (?, ?, ?, ?)",
        [(f"more {i}", i % 1000, 0, 0.5) for i in range(rows - BULK - CREATES)],
    )
    await db.execute("COMMIT")

    async def fetch_all() -> None:
        got = await db.execute_fetchall("SELECT id, title, views, published, score FROM bench_post")
        assert len(list(got)) == rows

    results[fetch_name(rows)] = await timed(fetch_all)

    async def gets() -> None:
        for i in ids:
            await db.execute_fetchall(
                "SELECT id, title, views, published, score FROM bench_post WHERE id = ? LIMIT 2", (i,)
            )

    results[get_name(ids)] = await timed(gets)

    async def top100() -> None:
        for i in range(TOP_QUERIES):
            await db.execute_fetchall(
                "SELECT id, title, views, published, score FROM bench_post WHERE views > ? "
                "ORDER BY views DESC LIMIT 100",
                (i,),
            )

    results[TOP100] = await timed(top100)
    await db.close()
    return results


def main() -> None:
    args = arguments((__doc__ or "").splitlines()[0], default_rounds=5)
    random.seed(7)
    ids = [random.randint(1, args.rows) for _ in range(2000)]
    ours: dict[str, float] = {}
    raw: dict[str, float] = {}
    for _ in range(args.rounds):
        # alternate the two sides so drift on the machine hits both alike
        with tempfile.TemporaryDirectory() as tmp:
            best(ours, asyncio.run(bench_orm(f"sqlite+aiosqlite:///{os.path.join(tmp, 'orm.db')}", args.rows, ids)))
            best(raw, asyncio.run(bench_raw(os.path.join(tmp, "raw.db"), args.rows, ids)))
    print(f"best of {args.rounds} rounds\n")
    report(f"SQLite {aiosqlite.__version__} (aiosqlite), file database", ours, raw)


if __name__ == "__main__":
    main()
