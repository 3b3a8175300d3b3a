"""Memory and speed of QuerySet.iterator() against awaiting the whole query.

    python bench/bench_stream.py [--rows 1000000] [--small 100000] [--compare 200000]
                                 [--chunk-size 2000] [--backend all|sqlite|postgres-asyncpg|postgres-psycopg|mysql]

Fills a table of ``--rows`` rows (an int, a text, a decimal, a datetime and a bool
column, so every read converts values) and reads it in fresh child processes, one
measurement each, so that one run's memory peak never hides the next one's:

* ``iterator`` of ``--small`` rows and of ``--rows`` rows (``chunk_size``): the
  growth of the process's resident memory over the read (sampled from
  /proc/self/statm every 10,000 rows, and ru_maxrss before/after). Flat memory is a
  growth that does not depend on the row count.
* ``await qs`` of ``--compare`` rows: the same, holding every instance.
* tracemalloc's peak of Python allocations for both ways at ``--small`` rows.

Servers: KAKAORM_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test)
and KAKAORM_BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306/test); the script
creates its own database kakaorm_stream_<pid> on each and drops it at the end
(SQLite: a file in the temporary directory).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import decimal
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from typing import Any

import kakaorm
from kakaorm import BoolColumn, DateTimeColumn, DecimalColumn, IntColumn, Model, StrColumn

POSTGRES_URL = os.environ.get("KAKAORM_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
MYSQL_URL = os.environ.get("KAKAORM_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/test")
DATABASE = f"kakaorm_stream_{os.getpid()}"
SQLITE_FILE = os.path.join(tempfile.gettempdir(), f"{DATABASE}.db")
BACKENDS = {
    "sqlite": "sqlite+aiosqlite",
    "postgres-asyncpg": "postgresql+asyncpg",
    "postgres-psycopg": "postgresql+psycopg3",
    "mysql": "mysql+aiomysql",
}
BLOCK = 1000
PAGE = 4096


class StreamColumns(Model):
    """The columns of both tables below: an int, a text, a decimal, a datetime, a bool."""

    n = IntColumn(nullable=False)
    title = StrColumn(nullable=False, max_length=60)
    price = DecimalColumn(max_digits=12, decimal_places=2, nullable=False)
    at = DateTimeColumn(nullable=False)
    flag = BoolColumn(nullable=False)

    class Meta:
        abstract = True


class StreamRow(StreamColumns):
    class Meta:
        table_name = "stream_row"


class StreamSeed(StreamColumns):
    """One block of rows, copied into stream_row by INSERT ... SELECT."""

    class Meta:
        table_name = "stream_seed"


class StreamDigit(Model):
    d = IntColumn(nullable=False)

    class Meta:
        table_name = "stream_digit"


def server_url(family: str) -> str:
    return POSTGRES_URL if family == "postgres" else MYSQL_URL


def url_for(backend: str) -> str:
    scheme = BACKENDS[backend]
    if backend == "sqlite":
        return f"{scheme}:///{SQLITE_FILE}"
    p = kakaorm.parse_url(server_url(backend.split("-")[0]))
    auth = (p.username or "") + (f":{p.password}" if p.password else "") + ("@" if p.username else "")
    port = f":{p.port}" if p.port else ""
    return f"{scheme}://{auth}{p.host or '127.0.0.1'}{port}/{DATABASE}"


async def admin(family: str, sql: str) -> None:
    engine = await kakaorm.connect(server_url(family))
    try:
        await engine.execute(sql)
    finally:
        await engine.disconnect()


async def fill(backend: str, rows: int) -> float:
    """Create the database and its rows; return the seconds it took."""
    start = time.perf_counter()
    family = backend.split("-")[0]
    if family != "sqlite":
        await admin(family, f"DROP DATABASE IF EXISTS {DATABASE}")
        await admin(family, f"CREATE DATABASE {DATABASE}")
    async with await kakaorm.connect(url_for(backend)) as engine:
        await engine.create_table(StreamRow, StreamSeed, StreamDigit)
        at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
        await StreamSeed.bulk_create([
            StreamSeed(
                n=i, title=f"row title number {i}", price=decimal.Decimal(i) / 100,
                at=at + datetime.timedelta(seconds=i), flag=i % 2 == 0,
            )
            for i in range(BLOCK)
        ])
        await StreamDigit.bulk_create([StreamDigit(d=d) for d in range(10)])
        blocks = -(-rows // BLOCK)
        await engine.execute(
            "INSERT INTO stream_row (n, title, price, at, flag) "
            "SELECT s.n + %s * (a.d + 10 * b.d + 100 * c.d + 1000 * e.d), s.title, s.price, s.at, s.flag "
            "FROM stream_seed s, stream_digit a, stream_digit b, stream_digit c, stream_digit e "
            "WHERE a.d + 10 * b.d + 100 * c.d + 1000 * e.d < %s",
            [BLOCK, blocks],
        )
    return time.perf_counter() - start


async def drop(backend: str) -> None:
    family = backend.split("-")[0]
    if family == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(SQLITE_FILE + suffix):
                os.remove(SQLITE_FILE + suffix)
    else:
        await admin(family, f"DROP DATABASE IF EXISTS {DATABASE}")


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


async def measure(url: str, mode: str, rows: int, chunk_size: int, trace: bool) -> dict[str, Any]:
    """One read in this (child) process: rows/s and memory growth."""
    async with await kakaorm.connect(url) as engine:
        qs = StreamRow.where(StreamRow.n < rows).order_by(StreamRow.n)
        # warm up imports, compile caches and the connection before the baseline
        [r async for r in StreamRow.where(StreamRow.n < 10).order_by(StreamRow.n).iterator(chunk_size=5)]
        await StreamRow.where(StreamRow.n < 10).order_by(StreamRow.n)
        assert engine.pool_stats().in_use == 0
        if trace:
            tracemalloc.start()
        base_rss, base_max = rss_bytes(), maxrss_bytes()
        peak_rss = base_rss
        count = 0
        start = time.perf_counter()
        if mode == "iterator":
            async for obj in qs.iterator(chunk_size=chunk_size):
                count += 1
                if count % 10_000 == 0:
                    peak_rss = max(peak_rss, rss_bytes())
                    assert obj.n == count - 1
        else:
            objs = await qs
            count = len(objs)
            peak_rss = max(peak_rss, rss_bytes())
        seconds = time.perf_counter() - start
        peak_rss = max(peak_rss, rss_bytes())
        traced = tracemalloc.get_traced_memory()[1] if trace else None
        if trace:
            tracemalloc.stop()
        assert count == rows, (count, rows)
        return {
            "mode": mode, "rows": count, "seconds": seconds, "rows_per_s": count / seconds,
            "rss_growth": peak_rss - base_rss, "maxrss_growth": maxrss_bytes() - base_max,
            "traced_peak": traced,
        }


def child(backend: str, mode: str, rows: int, chunk_size: int, trace: bool) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", json.dumps([url_for(backend), mode, rows, chunk_size, trace])]
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def mib(value: int | None) -> str:
    return "-" if value is None else f"{value / 2**20:8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--compare", type=int, default=200_000)
    parser.add_argument("--chunk-size", type=int, default=2000)
    parser.add_argument("--backend", default="all", choices=["all", *BACKENDS])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url, mode, rows, chunk_size, trace = json.loads(args.child)
        print(json.dumps(asyncio.run(measure(url, mode, rows, chunk_size, trace))))
        return
    chosen = list(BACKENDS) if args.backend == "all" else [args.backend]
    print(f"{'backend':18} {'read':22} {'rows':>9} {'s':>7} {'rows/s':>9} {'RSS+ MiB':>9} {'maxRSS+':>8} {'traced':>8}")
    for backend in chosen:
        try:
            setup = asyncio.run(fill(backend, max(args.rows, args.compare, args.small)))
            print(f"{backend:18} (setup {setup:.1f} s)")
            runs = [
                ("iterator", args.small, False), ("iterator", args.rows, False),
                ("await", args.compare, False),
                ("iterator", args.small, True), ("await", args.small, True),
            ]
            for mode, rows, trace in runs:
                r = child(backend, mode, rows, args.chunk_size, trace)
                label = f"{mode}{' +tracemalloc' if trace else ''}"
                print(
                    f"{backend:18} {label:22} {r['rows']:9d} {r['seconds']:7.2f} {r['rows_per_s']:9.0f} "
                    f"{mib(r['rss_growth'])} {mib(r['maxrss_growth'])} {mib(r['traced_peak'])}",
                    flush=True,
                )
        finally:
            asyncio.run(drop(backend))


if __name__ == "__main__":
    main()
