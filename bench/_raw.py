"""The raw drivers doing the seven workloads: what a competent user writes by hand.

Every driver works on ONE connection (the ORMs use their pools, which after the warm
up hold one connection in use as well), with parametrised statements, the driver's
``executemany`` for the bulk insert, explicit transactions where the workload says
so, and tuples (the driver's default row type) for rows. asyncpg prepares and
caches every statement by itself; psycopg prepares a statement after its 5th
execution by default (``prepare_threshold``); aiomysql rewrites an ``executemany``
INSERT into multi-row INSERTs. Prefetching by hand is the same two queries an ORM
sends: the page of posts, then the authors of those posts by their ids, then a dict
from id to author to pair each post with its author.
"""

from __future__ import annotations

import importlib.metadata
from typing import Any

from _common import (
    BULK,
    FETCH,
    GETS,
    INSERTS,
    PAGES,
    PREFETCH,
    TOP100,
    UPDATE,
    Results,
    Sizes,
    Target,
    get_positions,
    post_values,
    threshold,
)

COLUMNS = "id, title, views, published, score, author_id"


def _pairs(posts: list[Any], authors: list[Any]) -> int:
    """Pair every post with its author (what prefetching gives); the check value."""
    by_id = {a[0]: a for a in authors}
    paired = [(p, by_id[p[5]]) for p in posts]
    return len(paired) * 10**9 + int(sum(a[0] for _, a in paired))


async def run_aiosqlite(target: Target, sizes: Sizes, results: Results) -> None:
    import aiosqlite

    db = await aiosqlite.connect(target.path, isolation_level=None)
    try:
        await db.execute_fetchall("SELECT COUNT(*) FROM bench_author")  # warm up
        insert = "INSERT INTO bench_post (title, views, published, score, author_id) VALUES (?, ?, ?, ?, ?)"

        async def inserts() -> int:
            ids = set()
            await db.execute("BEGIN")
            for i in range(sizes.inserts):
                rows = await db.execute_fetchall(insert + " RETURNING id", post_values(i))
                ids.add(next(iter(rows))[0])
            await db.execute("COMMIT")
            return len(ids)

        await results.time(INSERTS, inserts)
        await db.execute("DELETE FROM bench_post")

        async def bulk() -> int:
            rows = [post_values(i) for i in range(sizes.rows)]
            await db.execute("BEGIN")
            await db.executemany(insert, rows)
            await db.execute("COMMIT")
            return len(rows)

        await results.time(BULK, bulk)
        fetched: list[Any] = []

        async def fetch() -> int:
            fetched.extend(await db.execute_fetchall(f"SELECT {COLUMNS} FROM bench_post"))
            return len(fetched)

        await results.time(FETCH, fetch)
        ids = sorted(r[0] for r in fetched)

        async def gets() -> int:
            total = 0
            for pos in get_positions(sizes):
                rows = list(await db.execute_fetchall(f"SELECT {COLUMNS} FROM bench_post WHERE id = ?", (ids[pos],)))
                total += rows[0][2]
            return total

        await results.time(GETS, gets)

        async def top100() -> int:
            count = total = 0
            for k in range(sizes.queries):
                rows = await db.execute_fetchall(
                    f"SELECT {COLUMNS} FROM bench_post WHERE views > ? ORDER BY views LIMIT 100", (threshold(k),)
                )
                for r in rows:
                    count += 1
                    total += r[2]
            return count * 10**9 + total

        await results.time(TOP100, top100)

        async def update() -> int:
            cur = await db.execute("UPDATE bench_post SET views = views + 1 WHERE published = ?", (False,))
            count = cur.rowcount
            await cur.close()
            return count

        await results.time(UPDATE, update)

        async def prefetch() -> int:
            last, check = 0, 0
            for _ in range(PAGES):
                posts = list(await db.execute_fetchall(
                    f"SELECT {COLUMNS} FROM bench_post WHERE id > ? ORDER BY id LIMIT ?", (last, sizes.page)
                ))
                keys = sorted({p[5] for p in posts})
                authors = list(await db.execute_fetchall(
                    f"SELECT id, name FROM bench_author WHERE id IN ({', '.join('?' * len(keys))})", keys
                ))
                check += _pairs(posts, authors)
                last = posts[-1][0]
            return check

        await results.time(PREFETCH, prefetch)
    finally:
        await db.close()


async def run_asyncpg(target: Target, sizes: Sizes, results: Results) -> None:
    import asyncpg

    conn = await asyncpg.connect(
        host=target.host, port=target.port, user=target.user, password=target.password or None,
        database=target.database,
    )
    try:
        await conn.fetchval("SELECT COUNT(*) FROM bench_author")  # warm up
        insert = "INSERT INTO bench_post (title, views, published, score, author_id) VALUES ($1, $2, $3, $4, $5)"

        async def inserts() -> int:
            ids = set()
            async with conn.transaction():
                for i in range(sizes.inserts):
                    ids.add(await conn.fetchval(insert + " RETURNING id", *post_values(i)))
            return len(ids)

        await results.time(INSERTS, inserts)
        await conn.execute("DELETE FROM bench_post")

        async def bulk() -> int:
            rows = [post_values(i) for i in range(sizes.rows)]
            async with conn.transaction():
                await conn.executemany(insert, rows)
            return len(rows)

        await results.time(BULK, bulk)
        fetched: list[Any] = []

        async def fetch() -> int:
            fetched.extend(await conn.fetch(f"SELECT {COLUMNS} FROM bench_post"))
            return len(fetched)

        await results.time(FETCH, fetch)
        ids = sorted(r[0] for r in fetched)

        async def gets() -> int:
            total = 0
            for pos in get_positions(sizes):
                row = await conn.fetchrow(f"SELECT {COLUMNS} FROM bench_post WHERE id = $1", ids[pos])
                total += row[2]
            return total

        await results.time(GETS, gets)

        async def top100() -> int:
            count = total = 0
            for k in range(sizes.queries):
                rows = await conn.fetch(
                    f"SELECT {COLUMNS} FROM bench_post WHERE views > $1 ORDER BY views LIMIT 100", threshold(k)
                )
                for r in rows:
                    count += 1
                    total += r[2]
            return count * 10**9 + total

        await results.time(TOP100, top100)

        async def update() -> int:
            status = await conn.execute("UPDATE bench_post SET views = views + 1 WHERE published = $1", False)
            return int(status.split()[-1])

        await results.time(UPDATE, update)

        async def prefetch() -> int:
            last, check = 0, 0
            for _ in range(PAGES):
                posts = await conn.fetch(
                    f"SELECT {COLUMNS} FROM bench_post WHERE id > $1 ORDER BY id LIMIT $2", last, sizes.page
                )
                keys = sorted({p[5] for p in posts})
                authors = await conn.fetch("SELECT id, name FROM bench_author WHERE id = ANY($1::bigint[])", keys)
                check += _pairs(posts, authors)
                last = posts[-1][0]
            return check

        await results.time(PREFETCH, prefetch)
    finally:
        await conn.close()


async def run_psycopg(target: Target, sizes: Sizes, results: Results) -> None:
    import psycopg

    conn = await psycopg.AsyncConnection.connect(
        host=target.host, port=target.port, user=target.user, password=target.password or None,
        dbname=target.database, autocommit=True,
    )
    try:
        await (await conn.execute("SELECT COUNT(*) FROM bench_author")).fetchone()  # warm up
        insert = "INSERT INTO bench_post (title, views, published, score, author_id) VALUES (%s, %s, %s, %s, %s)"

        async def inserts() -> int:
            ids = set()
            async with conn.transaction():
                for i in range(sizes.inserts):
                    cur = await conn.execute(insert + " RETURNING id", post_values(i))
                    row = await cur.fetchone()
                    assert row is not None
                    ids.add(row[0])
            return len(ids)

        await results.time(INSERTS, inserts)
        await conn.execute("DELETE FROM bench_post")

        async def bulk() -> int:
            rows = [post_values(i) for i in range(sizes.rows)]
            async with conn.transaction(), conn.cursor() as cur:
                await cur.executemany(insert, rows)
            return len(rows)

        await results.time(BULK, bulk)
        fetched: list[Any] = []

        async def fetch() -> int:
            cur = await conn.execute(f"SELECT {COLUMNS} FROM bench_post")
            fetched.extend(await cur.fetchall())
            return len(fetched)

        await results.time(FETCH, fetch)
        ids = sorted(r[0] for r in fetched)

        async def gets() -> int:
            total = 0
            for pos in get_positions(sizes):
                cur = await conn.execute(f"SELECT {COLUMNS} FROM bench_post WHERE id = %s", (ids[pos],))
                row = await cur.fetchone()
                assert row is not None
                total += row[2]
            return total

        await results.time(GETS, gets)

        async def top100() -> int:
            count = total = 0
            for k in range(sizes.queries):
                cur = await conn.execute(
                    f"SELECT {COLUMNS} FROM bench_post WHERE views > %s ORDER BY views LIMIT 100", (threshold(k),)
                )
                for r in await cur.fetchall():
                    count += 1
                    total += r[2]
            return count * 10**9 + total

        await results.time(TOP100, top100)

        async def update() -> int:
            cur = await conn.execute("UPDATE bench_post SET views = views + 1 WHERE published = %s", (False,))
            return cur.rowcount

        await results.time(UPDATE, update)

        async def prefetch() -> int:
            last, check = 0, 0
            for _ in range(PAGES):
                cur = await conn.execute(
                    f"SELECT {COLUMNS} FROM bench_post WHERE id > %s ORDER BY id LIMIT %s", (last, sizes.page)
                )
                posts = await cur.fetchall()
                keys = sorted({p[5] for p in posts})
                cur = await conn.execute("SELECT id, name FROM bench_author WHERE id = ANY(%s)", (keys,))
                check += _pairs(posts, await cur.fetchall())
                last = posts[-1][0]
            return check

        await results.time(PREFETCH, prefetch)
    finally:
        await conn.close()


async def run_aiomysql(target: Target, sizes: Sizes, results: Results) -> None:
    import aiomysql

    conn = await aiomysql.connect(
        host=target.host, port=target.port, user=target.user, password=target.password, db=target.database,
        charset="utf8mb4", autocommit=True,
    )
    try:
        async with conn.cursor() as cur:
            await cur.execute("SELECT COUNT(*) FROM bench_author")  # warm up
            await cur.fetchone()
        insert = "INSERT INTO bench_post (title, views, published, score, author_id) VALUES (%s, %s, %s, %s, %s)"

        async def inserts() -> int:
            ids = set()
            await conn.begin()
            async with conn.cursor() as cur:
                for i in range(sizes.inserts):
                    await cur.execute(insert, post_values(i))
                    ids.add(cur.lastrowid)
            await conn.commit()
            return len(ids)

        await results.time(INSERTS, inserts)
        async with conn.cursor() as cur:
            await cur.execute("DELETE FROM bench_post")

        async def bulk() -> int:
            rows = [post_values(i) for i in range(sizes.rows)]
            await conn.begin()
            async with conn.cursor() as cur:
                await cur.executemany(insert, rows)
            await conn.commit()
            return len(rows)

        await results.time(BULK, bulk)
        fetched: list[Any] = []

        async def fetch() -> int:
            async with conn.cursor() as cur:
                await cur.execute(f"SELECT {COLUMNS} FROM bench_post")
                fetched.extend(await cur.fetchall())
            return len(fetched)

        await results.time(FETCH, fetch)
        ids = sorted(r[0] for r in fetched)

        async def gets() -> int:
            total = 0
            async with conn.cursor() as cur:
                for pos in get_positions(sizes):
                    await cur.execute(f"SELECT {COLUMNS} FROM bench_post WHERE id = %s", (ids[pos],))
                    row = await cur.fetchone()
                    total += row[2]
            return total

        await results.time(GETS, gets)

        async def top100() -> int:
            count = total = 0
            async with conn.cursor() as cur:
                for k in range(sizes.queries):
                    await cur.execute(
                        f"SELECT {COLUMNS} FROM bench_post WHERE views > %s ORDER BY views LIMIT 100", (threshold(k),)
                    )
                    for r in await cur.fetchall():
                        count += 1
                        total += r[2]
            return count * 10**9 + total

        await results.time(TOP100, top100)

        async def update() -> int:
            async with conn.cursor() as cur:
                await cur.execute("UPDATE bench_post SET views = views + 1 WHERE published = %s", (False,))
                return int(cur.rowcount)

        await results.time(UPDATE, update)

        async def prefetch() -> int:
            last, check = 0, 0
            async with conn.cursor() as cur:
                for _ in range(PAGES):
                    await cur.execute(
                        f"SELECT {COLUMNS} FROM bench_post WHERE id > %s ORDER BY id LIMIT %s", (last, sizes.page)
                    )
                    posts = list(await cur.fetchall())
                    keys = sorted({p[5] for p in posts})
                    await cur.execute(
                        f"SELECT id, name FROM bench_author WHERE id IN ({', '.join(['%s'] * len(keys))})", keys
                    )
                    check += _pairs(posts, list(await cur.fetchall()))
                    last = posts[-1][0]
            return check

        await results.time(PREFETCH, prefetch)
    finally:
        conn.close()


RUNNERS = {
    "sqlite": run_aiosqlite,
    "postgres-asyncpg": run_asyncpg,
    "postgres-psycopg": run_psycopg,
    "mysql": run_aiomysql,
}


async def run(target: Target, sizes: Sizes, results: Results) -> str:
    """Run the workloads on ``target`` with its raw driver; returns the driver's name and version."""
    await RUNNERS[target.backend](target, sizes, results)
    driver = {"sqlite": "aiosqlite", "postgres-asyncpg": "asyncpg", "postgres-psycopg": "psycopg", "mysql": "aiomysql"}
    name = driver[target.backend]
    return f"{name} {importlib.metadata.version(name)}"
