"""``python -m stress --minutes N [--backends sqlite,postgres-asyncpg,postgres-psycopg,mysql]``

Runs the reliability workloads of :mod:`stress.workloads` in rounds, for N minutes on
each backend in turn, then prints one summary line per backend. A round is a load of
200 tasks x 5 mixed transactions, a storm of 500 cancellations, and on PostgreSQL and
MariaDB three server faults (every idle connection killed, three busy statements
killed, a transaction killed between two statements); the invariants are checked
after each part. A round that takes more than 5 minutes stops its backend.

Servers: ``KAKAORM_TEST_POSTGRES_URL`` / ``KAKAORM_TEST_MYSQL_URL`` (the defaults of
tests/conftest.py), loopback only. Each backend gets a database of its own, created
at the start and dropped at the end. Exit code 1 when any invariant broke or any
unexpected error happened.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import os
import random
import resource
import secrets
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

import kakaorm

from . import servers, workloads

SERVER_URLS = {
    "postgres": os.environ.get("KAKAORM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    "mysql": os.environ.get("KAKAORM_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
}
#: backend id: (family, URL scheme)
BACKENDS = {
    "sqlite": ("sqlite", "sqlite+aiosqlite"),
    "postgres-asyncpg": ("postgres", "postgresql+asyncpg"),
    "postgres-psycopg": ("postgres", "postgresql+psycopg3"),
    "mysql": ("mysql", "mysql+aiomysql"),
}
POOL_SIZE = 10
#: seconds a statement waits for a free connection: a pool that lost connections fails fast
POOL_TIMEOUT = 10.0
ROUND_TIMEOUT = 300.0


@dataclass
class Summary:
    """What one backend went through."""

    backend: str
    rounds: int = 0
    committed: int = 0
    rolled_back: int = 0
    cancelled: int = 0
    cancelled_in_commit: int = 0
    partial_commits: int = 0
    leaked: int = 0
    faults: int = 0
    recoveries: int = 0
    errors: Counter[str] = field(default_factory=collections.Counter)
    in_flight: Counter[str] = field(default_factory=collections.Counter)
    problems: list[str] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    unavailable: str | None = None

    @property
    def failed(self) -> bool:
        return bool(self.partial_commits or self.leaked or self.errors or self.problems)


def rss_kib() -> int:
    """The process's resident memory now, in KiB (its peak where /proc is missing)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _count(summary: Summary, what: str, problems: list[str]) -> None:
    for problem in problems:
        summary.problems.append(f"{what}: {problem}")



async def one_round(
    engine: kakaorm.Engine, admin: servers.ServerAdmin | None, rng: random.Random, n: int, summary: Summary
) -> None:
    """Load, storm and (on a server) faults, each followed by its checks."""
    book = await workloads.setup_load(engine)
    load = await workloads.run_load_round(engine, book, rng, tasks=200, per_task=5, label=f"L{n}")
    summary.committed += load.committed
    summary.rolled_back += load.rolled_back
    summary.errors.update(load.errors)
    _count(summary, f"round {n} load", await workloads.check_load(book) + load.samples)

    await workloads.setup_storm(engine)
    storm = await workloads.run_storm(engine, rng, cancels=500, workers=40, label=f"S{n}")
    summary.committed += storm.committed
    summary.cancelled += storm.cancelled
    summary.cancelled_in_commit += storm.cancelled_in_commit
    summary.errors.update(storm.errors)
    if storm.cancels_swallowed:
        summary.errors["CancelSwallowed"] += storm.cancels_swallowed
    if storm.loop_errors:
        summary.errors["AsyncioUnretrieved"] += len(storm.loop_errors)
    summary.partial_commits += len(await workloads.partial_commits())
    _count(summary, f"round {n} storm", await workloads.check_storm(storm) + storm.samples + storm.loop_errors[:3])
    stats = await workloads.settle_pool(engine)
    open_now = await workloads.open_transactions(engine, admin)
    summary.leaked += stats.in_use + len(open_now)
    summary.errors.update(await workloads.exercise_pool(engine, 3 * POOL_SIZE))
    # connections the pool can no longer lend count as leaked too
    size = 1 if admin is None else POOL_SIZE
    lendable = await workloads.lend_all(engine, size)
    summary.leaked += size - lendable

    if admin is not None:
        await workloads.setup_faults(engine)
        for fault in (
            await workloads.kill_idle(engine, admin, sessions=max(1, lendable)),
            await workloads.kill_busy(engine, admin, statements=3, marker=f"stress_busy_{n}"),
            await workloads.kill_in_transaction(engine, admin, tag=f"F{n}"),
        ):
            summary.faults += fault.injected
            summary.recoveries += fault.recoveries
            summary.partial_commits += fault.partial_commits
            summary.errors.update(fault.errors)
            summary.in_flight.update(fault.in_flight)
            _count(summary, f"round {n} faults", fault.samples)
        summary.leaked += (await workloads.settle_pool(engine)).in_use


async def run_backend(backend: str, minutes: float, seed: int) -> Summary:
    """Rounds on ``backend`` until ``minutes`` have passed; its own database throughout."""
    family, scheme = BACKENDS[backend]
    summary = Summary(backend)
    database: str | None = None
    admin: servers.ServerAdmin | None = None
    if family == "sqlite":
        url = f"{scheme}:///:memory:"
    else:
        server = SERVER_URLS[family]
        servers.require_loopback(server)
        database = f"kakaorm_stress_{os.getpid()}_{secrets.token_hex(3)}"
        try:
            await servers.create_database(family, server, database)
        except Exception as err:  # noqa: BLE001 - an unreachable server skips its backend
            summary.unavailable = f"cannot create a database on {kakaorm.parse_url(server).safe_location()}: {err}"
            return summary
        url = servers.database_url(scheme, server, database)
    try:
        engine = await kakaorm.connect(url, pool_timeout=POOL_TIMEOUT, **workloads.pool_options(url, POOL_SIZE))
    except Exception as err:  # noqa: BLE001 - e.g. the plugin or its driver is missing
        summary.unavailable = f"cannot connect: {type(err).__name__}: {err}"
        if database is not None:
            await servers.drop_database(family, SERVER_URLS[family], database)
        return summary
    rng = random.Random(seed)
    deadline = time.monotonic() + 60 * minutes
    failures_in_a_row = 0
    try:
        if database is not None:
            admin = await servers.open_admin(family, SERVER_URLS[family], database)
        while time.monotonic() < deadline:
            n = summary.rounds + 1
            began = time.monotonic()
            limit = asyncio.timeout(ROUND_TIMEOUT)
            try:
                async with limit:
                    await one_round(engine, admin, rng, n, summary)
            except Exception as err:  # noqa: BLE001 - a failed round is reported, then the next one runs
                if limit.expired():
                    summary.errors["RoundTimeout"] += 1
                    summary.problems.append(f"round {n} did not end within {ROUND_TIMEOUT:g} s; {backend} stopped")
                    break
                # (PoolTimeoutError is a TimeoutError too: only the round's own limit stops the backend)
                summary.errors[f"Round{type(err).__name__}"] += 1
                summary.problems.append(f"round {n} failed: {type(err).__name__}: {' '.join(str(err).split())[:300]}")
                failures_in_a_row += 1
                if failures_in_a_row >= 3:
                    summary.problems.append(f"three rounds in a row failed; {backend} stopped")
                    break
            else:
                failures_in_a_row = 0
            summary.rounds = n
            summary.rss_kib.append(rss_kib())
            print(
                f"[stress] {backend} round {n}: {time.monotonic() - began:.1f} s, {summary.committed} committed, "
                f"{summary.cancelled} cancelled, {summary.faults} faults, {len(summary.problems)} problem(s)",
                file=sys.stderr,
                flush=True,
            )
    finally:
        if admin is not None:
            await admin.close()
        try:
            async with asyncio.timeout(60):
                await engine.disconnect()
        except TimeoutError:
            summary.problems.append("engine.disconnect() did not end within 60 s")
            summary.errors["DisconnectTimeout"] += 1
        if database is not None:
            await servers.drop_database(family, SERVER_URLS[family], database)
    return summary


def _errors(summary: Summary) -> str:
    parts = [f"{name} x{count}" for name, count in sorted(summary.errors.items())]
    if summary.in_flight:
        killed = ", ".join(f"{name} x{count}" for name, count in sorted(summary.in_flight.items()))
        parts.append(f"(in flight when killed: {killed})")
    return "; ".join(parts) or "-"


def _memory(summary: Summary) -> str:
    if not summary.rss_kib:
        return "-"
    peak = max(summary.rss_kib) / 1024
    if len(summary.rss_kib) < 3:
        return f"{peak:.1f} MiB"
    growth = (summary.rss_kib[-1] - summary.rss_kib[1]) / 1024
    return f"{peak:.1f} MiB ({growth:+.1f} since round 2)"


def table(summaries: list[Summary]) -> str:
    """The summary as a plain-text table."""
    header = (
        "backend", "rounds", "committed", "rolled back", "cancelled (in COMMIT)", "partial commits",
        "conns leaked", "faults", "recoveries", "errors by class", "peak RSS",
    )
    rows = [header]
    for s in summaries:
        if s.unavailable:
            rows.append((s.backend, "-", "-", "-", "-", "-", "-", "-", "-", f"unavailable: {s.unavailable}", "-"))
            continue
        rows.append((
            s.backend, str(s.rounds), str(s.committed), str(s.rolled_back),
            f"{s.cancelled} ({s.cancelled_in_commit})", str(s.partial_commits), str(s.leaked),
            str(s.faults), str(s.recoveries), _errors(s), _memory(s),
        ))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [" | ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stress", description=__doc__.split("\n\n")[1])
    parser.add_argument("--minutes", type=float, required=True, help="minutes of rounds on each backend")
    parser.add_argument(
        "--backends", default=",".join(BACKENDS),
        help=f"comma-separated, from {', '.join(BACKENDS)} (default: all)",
    )
    parser.add_argument("--seed", type=int, default=13, help="seed of the random choices (default 13)")
    args = parser.parse_args(argv)
    chosen = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = [b for b in chosen if b not in BACKENDS]
    if unknown or not chosen:
        parser.error(f"unknown backend(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(BACKENDS)}")
    if not args.minutes > 0:
        parser.error("--minutes must be more than 0")
    # the drivers log each connection they drop after a cancellation; the counts are in the table
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("psycopg").setLevel(logging.CRITICAL)
    summaries = [asyncio.run(run_backend(b, args.minutes, args.seed)) for b in chosen]
    print(table(summaries))
    for s in summaries:
        # the same problem in many rounds is shown once, with its count
        seen = collections.Counter(problem.split(": ", 1)[-1] for problem in s.problems)
        for problem, count in seen.most_common(10):
            print(f"{s.backend}: {problem}" + (f"  (x{count})" if count > 1 else ""))
        if len(seen) > 10:
            print(f"{s.backend}: ... and {len(seen) - 10} more kind(s) of problem")
    return 1 if any(s.failed for s in summaries) else 0


if __name__ == "__main__":
    sys.exit(main())
