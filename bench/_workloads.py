"""What every backend benchmark shares: the model, the KakaORM side of the workloads,
timing, best-of-rounds and the report. Each ``bench_<backend>.py`` adds the raw
driver's side of the same workloads, under the same names."""

from __future__ import annotations

import argparse
import time
from collections.abc import Awaitable, Callable
from typing import Any

import kakaorm
from kakaorm import BoolColumn, FloatColumn, IntColumn, Model, StrColumn

CREATES = 500
BULK = 10_000
TOP_QUERIES = 500

CREATE = f"create x{CREATES}"
BULK_INSERT = f"bulk insert {BULK // 1000}k"
TOP100 = f"filtered top-100 x{TOP_QUERIES}"


def fetch_name(rows: int) -> str:
    return f"fetch {rows} rows"


def get_name(ids: list[int]) -> str:
    return f"get by pk x{len(ids)}"


class BenchPost(Model):
    title = StrColumn(nullable=False)
    views = IntColumn(nullable=False, default=0)
    published = BoolColumn(nullable=False, default=False)
    score = FloatColumn(nullable=True)

    class Meta:
        table_name = "bench_post"
        indexes = [("views",)]


async def timed(fn: Callable[[], Awaitable[Any]]) -> float:
    """Milliseconds one call of ``fn`` takes."""
    start = time.perf_counter()
    await fn()
    return (time.perf_counter() - start) * 1000


async def bench_orm(url: str, rows: int, ids: list[int]) -> dict[str, float]:
    """The KakaORM side: every workload through the public API, on a fresh table."""
    results: dict[str, float] = {}
    async with await kakaorm.connect(url) as engine:
        await engine.drop_table(BenchPost)
        await engine.create_table(BenchPost)

        async def creates() -> None:
            for i in range(CREATES):
                await BenchPost.create(title=f"post {i}", views=i, published=i % 2 == 0, score=i / 3)

        results[CREATE] = await timed(creates)

        async def bulk() -> None:
            await BenchPost.bulk_create(
                [BenchPost(title=f"bulk {i}", views=i % 1000, published=True, score=1.5) for i in range(BULK)]
            )

        results[BULK_INSERT] = await timed(bulk)
        await BenchPost.bulk_create(
            [BenchPost(title=f"more {i}", views=i % 1000, score=0.5) for i in range(rows - BULK - CREATES)]
        )

        async def fetch_all() -> None:
            assert len(await BenchPost.all()) == rows

        results[fetch_name(rows)] = await timed(fetch_all)

        async def gets() -> None:
            for i in ids:
                await BenchPost.get(BenchPost.id == i)

        results[get_name(ids)] = await timed(gets)

        async def top100() -> None:
            for i in range(TOP_QUERIES):
                got = await BenchPost.where(BenchPost.views > i).order_by(BenchPost.views.desc).limit(100)
                assert len(got) == 100

        results[TOP100] = await timed(top100)
    return results


def best(into: dict[str, float], results: dict[str, float]) -> None:
    """Keep the fastest time of each workload across rounds."""
    for name, ms in results.items():
        into[name] = min(ms, into.get(name, ms))


def report(title: str, ours: dict[str, float], raw: dict[str, float]) -> None:
    """Print ours beside raw with the ratio (1.0 is raw speed; lower is better)."""
    print(title)
    print(f"{'workload':<26}{'KakaORM ms':>12}{'raw ms':>10}{'ratio':>8}")
    for name, ms in ours.items():
        print(f"{name:<26}{ms:>12.1f}{raw[name]:>10.1f}{ms / raw[name]:>8.2f}")
    print()


def arguments(description: str, default_rounds: int = 3) -> argparse.Namespace:
    """The options every benchmark takes: --rows and --rounds."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=default_rounds, help="best of this many rounds")
    args = parser.parse_args()
    if args.rows < BULK + CREATES:
        parser.error(f"--rows must be at least {BULK + CREATES} ({CREATES} creates + {BULK} bulk rows)")
    return args
