"""KakaORM on SQLite beside raw aiosqlite, for the same work.

    python bench/bench_sqlite.py [--rows 20000]

Workloads: 500 single-row creates, a bulk insert of 10,000 rows, fetching 20,000 rows
(as model instances / as raw tuples), 2,000 gets by primary key, and 500 filtered
top-100 queries. Each side runs on its own fresh database file. Prints milliseconds
and the ratio ours/raw (lower is better; 1.0 is raw speed).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
from typing import Any, Awaitable, Callable

import aiosqlite

import kakaorm
from kakaorm import BoolColumn, FloatColumn, IntColumn, Model, StrColumn


class BenchPost(Model):
    title = StrColumn(nullable=False)
    views = IntColumn(nullable=False, default=0)
    published = BoolColumn(nullable=False, default=False)
    score = FloatColumn(nullable=True)

    class Meta:
        table_name = "bench_post"
        indexes = [("views",)]


async def timed(fn: Callable[[], Awaitable[Any]]) -> float:
    start = time.perf_counter()
    await fn()
    return (time.perf_counter() - start) * 1000


async def bench_orm(path: str, rows: int) -> dict[str, float]:
    results: dict[str, float] = {}
    async with await kakaorm.connect(f"sqlite+aiosqlite:///{path}") as engine:
        await engine.create_table(BenchPost)

        async def creates() -> None:
            for i in range(500):
                await BenchPost.create(title=f"post {i}", views=i, published=i % 2 == 0, score=i / 3)

        results["create x500"] = await timed(creates)

        async def bulk() -> None:
            await BenchPost.bulk_create(
                [BenchPost(title=f"bulk {i}", views=i % 1000, published=True, score=1.5) for i in range(10_000)]
            )

        results["bulk insert 10k"] = await timed(bulk)
        await BenchPost.bulk_create(
            [BenchPost(title=f"more {i}", views=i % 1000, score=0.5) for i in range(rows - 10_500)]
        )

        async def fetch_all() -> None:
            got = await BenchPost.all()
            assert len(got) == rows

        results[f"fetch {rows} as models"] = await timed(fetch_all)
        ids = [random.randint(1, rows) for _ in range(2000)]

        async def gets() -> None:
            for i in ids:
                await BenchPost.get(BenchPost.id == i)

        results["get by pk x2000"] = await timed(gets)

        async def top100() -> None:
            for i in range(500):
                got = await BenchPost.where(BenchPost.views > i).order_by(BenchPost.views.desc).limit(100)
                assert len(got) == 100

        results["filtered top-100 x500"] = await timed(top100)
    return results


async def bench_raw(path: str, rows: int) -> dict[str, float]:
    results: dict[str, float] = {}
    db = await aiosqlite.connect(path, isolation_level=None)
    await db.execute(
        'CREATE TABLE bench_post (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, '
        'views INTEGER NOT NULL DEFAULT 0, published BOOLEAN NOT NULL DEFAULT 0, score REAL)'
    )
    await db.execute("CREATE INDEX ix_views ON bench_post (views)")
    insert = "INSERT INTO bench_post (title, views, published, score) VALUES (?, ?, ?, ?) RETURNING id"

    async def creates() -> None:
        for i in range(500):
            await db.execute_fetchall(insert, (f"post {i}", i, int(i % 2 == 0), i / 3))

    results["create x500"] = await timed(creates)

    async def bulk() -> None:
        await db.execute("BEGIN")
        await db.executemany(
            "INSERT INTO bench_post (title, views, published, score) VALUES (?, ?, ?, ?)",
            [(f"bulk {i}", i % 1000, 1, 1.5) for i in range(10_000)],
        )
        await db.execute("COMMIT")

    results["bulk insert 10k"] = await timed(bulk)
    await db.execute("BEGIN")
    await db.executemany(
        "INSERT INTO bench_post (title, views, published, score) VALUES (?, ?, ?, ?)",
        [(f"more {i}", i % 1000, 0, 0.5) for i in range(rows - 10_500)],
    )
    await db.execute("COMMIT")

    async def fetch_all() -> None:
        got = await db.execute_fetchall("SELECT id, title, views, published, score FROM bench_post")
        assert len(list(got)) == rows

    results[f"fetch {rows} as models"] = await timed(fetch_all)
    ids = [random.randint(1, rows) for _ in range(2000)]

    async def gets() -> None:
        for i in ids:
            await db.execute_fetchall(
                "SELECT id, title, views, published, score FROM bench_post WHERE id = ? LIMIT 2", (i,)
            )

    results["get by pk x2000"] = await timed(gets)

    async def top100() -> None:
        for i in range(500):
            await db.execute_fetchall(
                "SELECT id, title, views, published, score FROM bench_post WHERE views > ? "
                "ORDER BY views DESC LIMIT 100",
                (i,),
            )

    results["filtered top-100 x500"] = await timed(top100)
    await db.close()
    return results


def report(title: str, ours: dict[str, float], raw: dict[str, float]) -> None:
    print(title)
    print(f"{'workload':<26}{'KakaORM ms':>12}{'raw ms':>10}{'ratio':>8}")
    for name, ms in ours.items():
        print(f"{name:<26}{ms:>12.1f}{raw[name]:>10.1f}{ms / raw[name]:>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5, help="best of this many rounds")
    args = parser.parse_args()
    random.seed(7)
    ours: dict[str, float] = {}
    raw: dict[str, float] = {}
    for _ in range(args.rounds):
        # alternate the two sides so drift on the machine hits both alike
        with tempfile.TemporaryDirectory() as tmp:
            for name, ms in asyncio.run(bench_orm(os.path.join(tmp, "orm.db"), args.rows)).items():
                ours[name] = min(ms, ours.get(name, ms))
            for name, ms in asyncio.run(bench_raw(os.path.join(tmp, "raw.db"), args.rows)).items():
                raw[name] = min(ms, raw.get(name, ms))
    print(f"best of {args.rounds} rounds")
    report(f"SQLite {aiosqlite.__version__ if hasattr(aiosqlite, '__version__') else ''} (aiosqlite), file database", ours, raw)


if __name__ == "__main__":
    main()
