"""KakaORM on MySQL/MariaDB beside raw aiomysql, for the same work.

    python bench/bench_mysql.py [--url mysql://root@127.0.0.1:3306/] [--rows 20000] [--rounds 3]

The server URL also comes from KAKAORM_BENCH_MYSQL_URL. The run creates its own
database (kakaorm_bench_<pid>) and drops it at the end; each side has its own table
of the same shape. Workloads: 500 single-row creates, a bulk insert of 10,000 rows,
fetching 20,000 rows (as model instances / as raw tuples), 2,000 gets by primary
key, and 500 filtered top-100 queries. The two sides take turns for several rounds,
each on a fresh table, and the best time of each workload counts (a shared server
is noisy). Prints milliseconds and the ratio ours/raw (lower is better; 1.0 is raw
speed).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
from typing import Any

import aiomysql
from _workloads import (
    BULK,
    BULK_INSERT,
    CREATE,
    CREATES,
    TOP100,
    TOP_QUERIES,
    bench_orm,
    best,
    fetch_name,
    get_name,
    report,
    timed,
)

import kakaorm

GETS = 2_000

COLUMNS = "id, title, views, published, score"


RAW_DDL = (
    "CREATE TABLE bench_raw (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, title LONGTEXT NOT NULL, "
    "views BIGINT NOT NULL DEFAULT 0, published BOOLEAN NOT NULL DEFAULT FALSE, score DOUBLE, "
    "INDEX ix_views (views)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
)


async def bench_raw(params: dict[str, Any], rows: int, ids: list[int]) -> dict[str, float]:
    results: dict[str, float] = {}
    db = await aiomysql.connect(**params, autocommit=True)
    try:
        async with db.cursor() as cur:
            await cur.execute("SET SESSION sql_notes = 0")  # no warning when the table is new
            await cur.execute("DROP TABLE IF EXISTS bench_raw")
            await cur.execute(RAW_DDL)
        insert = "INSERT INTO bench_raw (title, views, published, score) VALUES (%s, %s, %s, %s)"

        async def creates() -> None:
            async with db.cursor() as cur:
                for i in range(CREATES):
                    await cur.execute(insert, (f"post {i}", i, i % 2 == 0, i / 3))
                    assert cur.lastrowid

        results[CREATE] = await timed(creates)

        async def bulk() -> None:
            await db.begin()
            async with db.cursor() as cur:
                await cur.executemany(insert, [(f"bulk {i}", i % 1000, True, 1.5) for i in range(BULK)])
            await db.commit()

        results[BULK_INSERT] = await timed(bulk)
        await db.begin()
        async with db.cursor() as cur:
            await cur.executemany(
                insert, [(f"more {i}", i % 1000, False, 0.5) for i in range(rows - BULK - CREATES)]
            )
        await db.commit()

        async def fetch_all() -> None:
            async with db.cursor() as cur:
                await cur.execute(f"SELECT {COLUMNS} FROM bench_raw")
                got = await cur.fetchall()
            assert len(got) == rows

        results[fetch_name(rows)] = await timed(fetch_all)

        async def gets() -> None:
            async with db.cursor() as cur:
                for i in ids:
                    await cur.execute(f"SELECT {COLUMNS} FROM bench_raw WHERE id = %s LIMIT 2", (i,))
                    await cur.fetchall()

        results[get_name(ids)] = await timed(gets)

        async def top100() -> None:
            async with db.cursor() as cur:
                for i in range(TOP_QUERIES):
                    await cur.execute(
                        f"SELECT {COLUMNS} FROM bench_raw WHERE views > %s ORDER BY views DESC LIMIT 100",
                        (i,),
                    )
                    assert len(await cur.fetchall()) == 100

        results[TOP100] = await timed(top100)
    finally:
        db.close()
    return results


async def admin(params: dict[str, Any], sql: str) -> str:
    conn = await aiomysql.connect(**params)
    try:
        async with conn.cursor() as cur:
            await cur.execute(sql)
            await cur.execute("SELECT VERSION()")
            (version,) = await cur.fetchone()
    finally:
        conn.close()
    return str(version)


async def run(server_url: str, rows: int, rounds: int) -> None:
    parsed = kakaorm.parse_url(server_url)
    params: dict[str, Any] = {
        "host": parsed.host or "127.0.0.1",
        "port": parsed.port or 3306,
        "user": parsed.username or "root",
        "password": parsed.password or "",
        "charset": "utf8mb4",
    }
    name = f"kakaorm_bench_{os.getpid()}"
    version = await admin(params, f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    try:
        auth = params["user"] + (f":{params['password']}" if params["password"] else "")
        url = f"mysql+aiomysql://{auth}@{params['host']}:{params['port']}/{name}"
        ids = [random.randint(1, rows) for _ in range(GETS)]
        ours: dict[str, float] = {}
        raw: dict[str, float] = {}
        for _ in range(rounds):
            best(ours, await bench_orm(url, rows, ids))
            best(raw, await bench_raw({**params, "db": name}, rows, ids))
    finally:
        await admin(params, f"DROP DATABASE IF EXISTS `{name}`")
    report(
        f"MySQL/MariaDB {version} (aiomysql {aiomysql.__version__}), {params['host']}:{params['port']}, "
        f"best of {rounds} rounds",
        ours,
        raw,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("KAKAORM_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/"))
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.rows < BULK + CREATES:
        parser.error(f"--rows must be at least {BULK + CREATES}")
    random.seed(7)
    asyncio.run(run(args.url, args.rows, max(1, args.rounds)))


if __name__ == "__main__":
    main()
