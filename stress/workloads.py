"""The reliability workloads: load, cancellation storm, server faults.

Each ``run_*`` function does one round of work and returns what happened as plain
counts; each ``check_*`` function reads the database and returns what is wrong (an
empty list when the invariants hold). ``tests/reliability`` runs them small and
asserts the counts exactly; ``python -m stress`` repeats them for minutes.

Invariants:

* load: every account's balance, the number of ledger rows and the money in the
  system are exactly what the committed transactions wrote; transactions rolled
  back on purpose (whole, or to a savepoint) left nothing;
* storm: a transaction writes parts 1 and 2 of its tag and bumps its shard's
  counter, so a tag has both parts or none (no partial commit), each counter equals
  the tags of its shard, a transaction that finished committed, one cancelled before
  its body ended left nothing, and the row written in its savepoint exists exactly
  when it was kept;
* afterwards: no connection is lent out or inside a transaction (server side), and
  as many concurrent statements as three pools' worth all succeed.
"""

from __future__ import annotations

import asyncio
import collections
import gc
import random
import time
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

import kakaorm
from kakaorm.dialect import PoolStats

from .models import (
    FAULT_MODELS,
    LOAD_MODELS,
    STORM_MODELS,
    StressAccount,
    StressCounter,
    StressFault,
    StressLedger,
    StressPair,
    StressSide,
)
from .servers import SESSION_ID_SQL, SLEEP_SQL, ServerAdmin, session_ids

__all__ = [
    "SHARDS",
    "FaultRound",
    "Intentional",
    "LoadBook",
    "LoadRound",
    "StormRound",
    "check_load",
    "check_storm",
    "exercise_pool",
    "kill_busy",
    "kill_idle",
    "kill_in_transaction",
    "lend_all",
    "open_transactions",
    "partial_commits",
    "pool_options",
    "run_load_round",
    "run_storm",
    "settle_pool",
    "setup_faults",
    "setup_load",
    "setup_storm",
]

#: how many sample messages of unexpected errors a round keeps
SAMPLES = 5


class Intentional(Exception):
    """Raised on purpose inside a transaction block to roll it back."""


def pool_options(url: str, size: int = 10) -> dict[str, Any]:
    """The connect() options for a pool of ``size`` connections: ``pool_max_size`` on
    the servers; SQLite has one connection per engine and takes no pool size."""
    if kakaorm.parse_url(url).backend == "sqlite":
        return {}
    return {"pool_max_size": size}


def _note(errors: Counter[str], samples: list[str], err: BaseException) -> None:
    errors[type(err).__name__] += 1
    if len(samples) < SAMPLES:
        samples.append(f"{type(err).__name__}: {' '.join(str(err).split())[:300]}")


# -- load ---------------------------------------------------------------------------


@dataclass
class LoadBook:
    """What the load tables must hold: the effects of every committed transaction."""

    balances: dict[int, int]
    versions: dict[int, int]
    ledger_rows: int = 0
    deposited: int = 0
    initial_total: int = 0


@dataclass
class LoadRound:
    """One round of the load: transactions committed, rolled back, failed."""

    committed: int = 0
    #: whole transactions rolled back on purpose
    rolled_back: int = 0
    #: savepoints rolled back on purpose inside transactions that committed
    savepoints_rolled_back: int = 0
    #: the most connections lent out at once, seen from inside transactions
    peak_in_use: int = 0
    #: how many transactions of each kind were planned
    planned: Counter[str] = field(default_factory=collections.Counter)
    errors: Counter[str] = field(default_factory=collections.Counter)
    samples: list[str] = field(default_factory=list)


async def setup_load(engine: kakaorm.Engine, accounts: int = 20, initial: int = 1000) -> LoadBook:
    """Create (or empty) the load tables and open ``accounts`` accounts of ``initial`` each."""
    await engine.create_table(*LOAD_MODELS)
    await StressLedger.all().delete()
    await StressAccount.all().delete()
    made = await StressAccount.bulk_create(
        [StressAccount(name=f"account-{i}", balance=initial) for i in range(accounts)]
    )
    return LoadBook(
        balances={a.id: initial for a in made},
        versions={a.id: 0 for a in made},
        initial_total=initial * accounts,
    )


async def _move(source: int, target: int, amount: int) -> None:
    # rows are locked in id order, so two transfers never wait on each other in a cycle
    for account, delta in sorted(((source, -amount), (target, amount))):
        await StressAccount.where(StressAccount.id == account).update(balance=StressAccount.balance + delta)


async def run_load_round(
    engine: kakaorm.Engine,
    book: LoadBook,
    rng: random.Random,
    *,
    tasks: int = 200,
    per_task: int = 3,
    label: str = "L",
) -> LoadRound:
    """``tasks`` concurrent tasks each run ``per_task`` transactions of a random kind:
    a transfer, a deposit, a touch (UPDATE of no money), a batch of ledger rows, a
    transfer rolled back on purpose, or a deposit whose nested transfer is rolled
    back to its savepoint. ``book`` gets the effects of those that commit."""
    result = LoadRound()
    ids = sorted(book.balances)
    kinds = (
        ["transfer"] * 40 + ["deposit"] * 15 + ["touch"] * 15 + ["batch"] * 10 + ["rollback"] * 12 + ["savepoint"] * 8
    )

    def in_use() -> None:
        result.peak_in_use = max(result.peak_in_use, engine.pool_stats().in_use)

    async def one(tag: str, kind: str, a: int, b: int, amount: int) -> None:
        async with engine.transaction():
            in_use()
            if kind == "transfer":
                await _move(a, b, amount)
                await StressLedger.create(tx=tag, source_id=a, target_id=b, amount=amount)
            elif kind == "deposit":
                await StressAccount.where(StressAccount.id == a).update(balance=StressAccount.balance + amount)
                await StressLedger.create(tx=tag, source_id=None, target_id=a, amount=amount)
            elif kind == "touch":
                await StressAccount.where(StressAccount.id == a).update(version=StressAccount.version + 1)
            elif kind == "batch":
                await StressLedger.bulk_create(
                    [StressLedger(tx=tag, source_id=None, target_id=a, amount=0) for _ in range(3)]
                )
            elif kind == "rollback":
                await _move(a, b, amount)
                await StressLedger.create(tx=tag, source_id=a, target_id=b, amount=amount)
                raise Intentional(tag)
            else:  # savepoint: a deposit on the lower account, then a transfer undone
                low, high = min(a, b), max(a, b)
                await StressAccount.where(StressAccount.id == low).update(balance=StressAccount.balance + amount)
                await StressLedger.create(tx=tag, source_id=None, target_id=low, amount=amount)
                try:
                    async with engine.transaction():
                        await _move(low, high, amount)
                        await StressLedger.create(tx=tag, source_id=low, target_id=high, amount=amount)
                        raise Intentional(tag)
                except Intentional:
                    pass

    def apply(kind: str, a: int, b: int, amount: int) -> None:
        if kind == "transfer":
            book.balances[a] -= amount
            book.balances[b] += amount
            book.ledger_rows += 1
        elif kind == "deposit":
            book.balances[a] += amount
            book.deposited += amount
            book.ledger_rows += 1
        elif kind == "touch":
            book.versions[a] += 1
        elif kind == "batch":
            book.ledger_rows += 3
        elif kind == "savepoint":
            book.balances[min(a, b)] += amount
            book.deposited += amount
            book.ledger_rows += 1
            result.savepoints_rolled_back += 1

    # every task's plan is drawn up front, so a seed gives the same work in any interleaving
    def draw() -> tuple[str, int, int, int]:
        kind = rng.choice(kinds)
        a, b = rng.sample(ids, 2)
        return kind, a, b, rng.randint(1, 50)

    plans = [[draw() for _ in range(per_task)] for _ in range(tasks)]
    result.planned.update(kind for plan in plans for kind, _, _, _ in plan)

    async def worker(n: int) -> None:
        for i, (kind, a, b, amount) in enumerate(plans[n]):
            tag = f"{label}-{n}-{i}"
            try:
                await one(tag, kind, a, b, amount)
            except Intentional:
                result.rolled_back += 1
            except Exception as err:  # noqa: BLE001 - every unexpected error is counted by class
                _note(result.errors, result.samples, err)
            else:
                result.committed += 1
                apply(kind, a, b, amount)

    await asyncio.gather(*(worker(n) for n in range(tasks)))
    return result


async def check_load(book: LoadBook) -> list[str]:
    """What differs between the load tables and ``book`` (empty: everything adds up)."""
    problems: list[str] = []
    rows = await StressAccount.all().select(StressAccount.id, StressAccount.balance, StressAccount.version)
    balances = {r["id"]: r["balance"] for r in rows}
    versions = {r["id"]: r["version"] for r in rows}
    if balances != book.balances:
        wrong = {k: (balances.get(k), v) for k, v in book.balances.items() if balances.get(k) != v}
        problems.append(f"balances differ (account: (found, expected)): {wrong}")
    if versions != book.versions:
        found, expected = sum(versions.values()), sum(book.versions.values())
        problems.append(f"versions differ: found {found} touches, expected {expected}")
    total = await StressAccount.all().sum(StressAccount.balance)
    if total != book.initial_total + book.deposited:
        problems.append(
            f"money not conserved: {total} in the accounts, expected {book.initial_total} + "
            f"{book.deposited} deposited"
        )
    ledger = await StressLedger.count()
    if ledger != book.ledger_rows:
        problems.append(f"{ledger} ledger rows, expected {book.ledger_rows}")
    return problems


# -- cancellation storm -------------------------------------------------------------------


@dataclass
class StormRound:
    """One storm: transactions started, committed, cancelled, and what each must have left."""

    started: int = 0
    committed: int = 0
    #: cancellations that landed inside a transaction (the task ended cancelled)
    cancelled: int = 0
    #: of those, landed after the block's body ended (during COMMIT: may have committed)
    cancelled_in_commit: int = 0
    #: cancel() was called on a running task, yet it finished normally
    cancels_swallowed: int = 0
    errors: Counter[str] = field(default_factory=collections.Counter)
    samples: list[str] = field(default_factory=list)
    #: what asyncio reported through the loop's exception handler (e.g. "Future
    #: exception was never retrieved")
    loop_errors: list[str] = field(default_factory=list)
    must_exist: set[str] = field(default_factory=set)
    must_not_exist: set[str] = field(default_factory=set)
    side_expected: set[str] = field(default_factory=set)
    side_forbidden: set[str] = field(default_factory=set)


SHARDS = 8


async def setup_storm(engine: kakaorm.Engine) -> None:
    """Create (or empty) the storm tables; every shard counter at 0."""
    await engine.create_table(*STORM_MODELS)
    await StressPair.all().delete()
    await StressSide.all().delete()
    await StressCounter.all().delete()
    await StressCounter.bulk_create([StressCounter(shard=s, value=0) for s in range(SHARDS)])


async def _storm_transaction(
    engine: kakaorm.Engine, tag: str, shard: int, variant: str, progress: dict[str, str]
) -> None:
    progress[tag] = "started"
    async with engine.transaction():
        await StressPair.create(tag=tag, part=1, shard=shard)
        if variant != "plain":
            try:
                async with engine.transaction():
                    await StressSide.create(tag=tag)
                    if variant == "drop_side":
                        raise Intentional(tag)
            except Intentional:
                pass
        await StressCounter.where(StressCounter.shard == shard).update(value=StressCounter.value + 1)
        await StressPair.create(tag=tag, part=2, shard=shard)
        progress[tag] = "body_done"
    progress[tag] = "committed"


async def run_storm(
    engine: kakaorm.Engine,
    rng: random.Random,
    *,
    cancels: int = 1000,
    workers: int = 40,
    label: str = "S",
    max_transactions: int | None = None,
) -> StormRound:
    """Run storm transactions from ``workers`` concurrent workers and cancel most of
    them at random moments (some twice, some through ``asyncio.timeout``) until
    ``cancels`` cancellations have landed inside transactions (or ``max_transactions``
    were started, by default 20 times ``cancels``)."""
    result = StormRound()
    progress: dict[str, str] = {}
    loop = asyncio.get_running_loop()
    limit = max_transactions if max_transactions is not None else 20 * cancels
    serial = iter(range(limit))
    # the wall time of an uncancelled transaction under this load, refined as they finish
    typical = [0.005]

    previous_handler = loop.get_exception_handler()

    def on_loop_error(_: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        err = context.get("exception")
        detail = f": {type(err).__name__}: {err}" if err is not None else ""
        result.loop_errors.append(f"{context.get('message', '?')}{detail}")

    loop.set_exception_handler(on_loop_error)

    def record(tag: str, variant: str, outcome: str, err: BaseException | None = None) -> None:
        reached = progress.get(tag)
        if outcome == "committed":
            result.committed += 1
            result.must_exist.add(tag)
            (result.side_expected if variant == "keep_side" else result.side_forbidden).add(tag)
            return
        if outcome == "cancelled":
            if reached is None:
                return  # cancelled before its first step: never inside a transaction
            result.cancelled += 1
        elif err is not None:
            _note(result.errors, result.samples, err)
        if reached in ("body_done", "committed"):
            if outcome == "cancelled":
                result.cancelled_in_commit += 1
            if variant != "keep_side":
                result.side_forbidden.add(tag)
        else:
            result.must_not_exist.add(tag)
            result.side_forbidden.add(tag)

    async def worker() -> None:
        while result.cancelled < cancels:
            n = next(serial, None)
            if n is None:
                return
            tag = f"{label}-{n}"
            shard = rng.randrange(SHARDS)
            variant = rng.choice(("plain", "keep_side", "drop_side"))
            mode = rng.random()
            delay = rng.uniform(0, 1.5 * typical[0])
            result.started += 1
            if mode < 0.1:
                # left alone: its wall time tunes the delays of the others
                began = time.perf_counter()
                try:
                    await _storm_transaction(engine, tag, shard, variant, progress)
                except Exception as err:  # noqa: BLE001 - counted by class
                    record(tag, variant, "error", err)
                else:
                    typical[0] = 0.8 * typical[0] + 0.2 * (time.perf_counter() - began)
                    record(tag, variant, "committed")
                continue
            if mode < 0.2:
                # cancelled by a timeout inside the task
                try:
                    async with asyncio.timeout(delay):
                        await _storm_transaction(engine, tag, shard, variant, progress)
                except TimeoutError:
                    record(tag, variant, "cancelled")
                except Exception as err:  # noqa: BLE001 - counted by class
                    record(tag, variant, "error", err)
                else:
                    record(tag, variant, "committed")
                continue
            task = asyncio.create_task(_storm_transaction(engine, tag, shard, variant, progress))
            await asyncio.sleep(delay)
            requested = False
            if not task.done():
                requested = task.cancel()
                if mode > 0.95:
                    # a second cancel while the first one is being handled (rollback, release)
                    await asyncio.sleep(0)
                    task.cancel()
            await asyncio.wait([task])
            if task.cancelled():
                record(tag, variant, "cancelled")
            elif task.exception() is not None:
                record(tag, variant, "error", task.exception())
            else:
                if requested:
                    result.cancels_swallowed += 1
                record(tag, variant, "committed")

    try:
        await asyncio.gather(*(worker() for _ in range(workers)))
        # futures nobody awaited report their exception when collected
        gc.collect()
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous_handler)
    return result


async def _storm_pairs() -> tuple[dict[str, list[int]], dict[str, int]]:
    rows = await StressPair.all().select(StressPair.tag, StressPair.part, StressPair.shard)
    parts: dict[str, list[int]] = collections.defaultdict(list)
    shard_of: dict[str, int] = {}
    for r in rows:
        parts[r["tag"]].append(r["part"])
        shard_of[r["tag"]] = r["shard"]
    return parts, shard_of


async def partial_commits() -> list[str]:
    """The storm tags found with one part only (a transaction committed by half)."""
    parts, _ = await _storm_pairs()
    return sorted(t for t, p in parts.items() if sorted(p) != [1, 2])


async def check_storm(storm: StormRound) -> list[str]:
    """What breaks the storm invariants in the database (empty: none)."""
    problems: list[str] = []
    parts, shard_of = await _storm_pairs()
    partial = sorted(t for t, p in parts.items() if sorted(p) != [1, 2])
    if partial:
        problems.append(f"{len(partial)} partial commit(s) (a tag without both parts): {partial[:10]}")
    tags = set(parts)
    lost = sorted(storm.must_exist - tags)
    if lost:
        problems.append(f"{len(lost)} transaction(s) that finished normally are not in the database: {lost[:10]}")
    phantom = sorted(storm.must_not_exist & tags)
    if phantom:
        problems.append(
            f"{len(phantom)} transaction(s) cancelled or failed before their end were committed: {phantom[:10]}"
        )
    rows = await StressCounter.all().select(StressCounter.shard, StressCounter.value)
    counters = {r["shard"]: r["value"] for r in rows}
    expected = collections.Counter(shard_of[t] for t, p in parts.items() if sorted(p) == [1, 2])
    wrong = {s: (counters.get(s), expected.get(s, 0)) for s in range(SHARDS) if counters.get(s) != expected.get(s, 0)}
    if wrong:
        problems.append(f"shard counters differ from their committed tags (shard: (counter, tags)): {wrong}")
    sides = {r["tag"] for r in await StressSide.all().select(StressSide.tag)}
    missing = sorted(storm.side_expected - sides)
    if missing:
        problems.append(f"{len(missing)} savepoint row(s) kept and committed are missing: {missing[:10]}")
    orphans = sorted(sides - tags)
    if orphans:
        problems.append(f"{len(orphans)} savepoint row(s) of transactions that did not commit: {orphans[:10]}")
    unwanted = sorted((sides & storm.side_forbidden) - storm.side_expected)
    if unwanted:
        problems.append(f"{len(unwanted)} savepoint row(s) rolled back on purpose were committed: {unwanted[:10]}")
    return problems


# -- the pool after the storm -------------------------------------------------------------


async def settle_pool(engine: kakaorm.Engine, timeout: float = 15.0) -> PoolStats:
    """The pool's stats once no connection is lent out (or after ``timeout`` seconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while engine.pool_stats().in_use and loop.time() < deadline:
        await asyncio.sleep(0.01)
    return engine.pool_stats()


async def open_transactions(engine: kakaorm.Engine, admin: ServerAdmin | None, timeout: float = 15.0) -> list[int]:
    """Connections of the database still inside a transaction or a statement.

    On a server, as the server reports them (``admin``), waiting up to ``timeout``
    seconds for sessions being closed to go. On SQLite, whether the engine's one
    connection is inside a transaction.
    """
    if admin is None:
        conn = getattr(engine._pool, "_conn", None)  # SQLite's pool holds one connection
        raw = getattr(conn, "raw", None)
        return [0] if raw is not None and raw.in_transaction else []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = await admin.sessions_in_transaction()
        if not found or loop.time() > deadline:
            return found
        await asyncio.sleep(0.02)


async def exercise_pool(engine: kakaorm.Engine, count: int) -> Counter[str]:
    """Run ``count`` statements and transactions at once; the errors by class (empty: all succeeded)."""
    errors: Counter[str] = collections.Counter()

    async def one(i: int) -> None:
        try:
            if i % 2:
                await StressCounter.count()
            else:
                async with engine.transaction():
                    await StressCounter.where(StressCounter.shard == -1).update(value=StressCounter.value + 1)
                    await StressCounter.where(StressCounter.shard == -1).count()
        except Exception as err:  # noqa: BLE001 - counted by class
            errors[type(err).__name__] += 1

    await asyncio.gather(*(one(i) for i in range(count)))
    return errors


async def lend_all(engine: kakaorm.Engine, count: int, timeout: float = 10.0) -> int:
    """How many connections the pool lends at once, up to ``count``: ``count`` tasks
    each hold a transaction until all are inside one (or ``timeout`` seconds pass)."""
    inside = 0
    peak = 0
    everyone = asyncio.Event()

    async def hold() -> None:
        nonlocal inside, peak
        async with engine.transaction():
            await StressCounter.where(StressCounter.shard == -1).count()
            inside += 1
            peak = max(peak, inside)
            if inside == count:
                everyone.set()
            try:
                async with asyncio.timeout(timeout):
                    await everyone.wait()
            finally:
                inside -= 1

    tasks = [asyncio.create_task(hold()) for _ in range(count)]
    try:
        await asyncio.wait(tasks, timeout=timeout + 1)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)
    return peak


# -- server faults -------------------------------------------------------------------------


@dataclass
class FaultRound:
    """Server-side kills: how many, what the caller saw, and how the engine recovered."""

    injected: int = 0
    #: statements that succeeded at the first try right after a fault
    recoveries: int = 0
    #: errors where nothing was in flight (each one is a statement the user must retry)
    errors: Counter[str] = field(default_factory=collections.Counter)
    samples: list[str] = field(default_factory=list)
    #: errors of the statements that were in flight when their session was killed
    in_flight: Counter[str] = field(default_factory=collections.Counter)
    #: the last such error, for tests to look at closely
    last_in_flight: BaseException | None = None
    #: writes of a killed transaction found committed
    partial_commits: int = 0


async def setup_faults(engine: kakaorm.Engine) -> None:
    """Create (or empty) the fault table."""
    await engine.create_table(*FAULT_MODELS)
    await StressFault.all().delete()


async def _recover(engine: kakaorm.Engine, result: FaultRound, statements: int) -> None:
    """``statements`` statements one after another, then as many at once: each must succeed."""

    async def one() -> None:
        try:
            await StressFault.count()
        except Exception as err:  # noqa: BLE001 - counted by class
            _note(result.errors, result.samples, err)
        else:
            result.recoveries += 1

    for _ in range(statements):
        await one()
    await asyncio.gather(*(one() for _ in range(statements)))


async def _closed_seen() -> None:
    # the server has ended the sessions; let the event loop read their closed sockets
    await asyncio.sleep(0.1)


async def kill_idle(engine: kakaorm.Engine, admin: ServerAdmin, sessions: int = 4) -> FaultRound:
    """Kill ``sessions`` idle pooled connections; then statements must succeed unretried."""
    result = FaultRound()
    ids = await session_ids(engine, admin.family, sessions)
    await admin.kill(ids)
    await admin.wait_gone(ids)
    await _closed_seen()
    result.injected += len(ids)
    await _recover(engine, result, sessions)
    return result


async def _expect_failure(result: FaultRound, work: Awaitable[Any], what: str) -> None:
    try:
        await work
    except Exception as err:  # noqa: BLE001 - the error the caller sees is the point
        result.in_flight[type(err).__name__] += 1
        result.last_in_flight = err
    else:
        result.errors["NoError"] += 1
        if len(result.samples) < SAMPLES:
            result.samples.append(f"NoError: {what} succeeded although its session was killed")


async def kill_busy(
    engine: kakaorm.Engine, admin: ServerAdmin, statements: int = 1, marker: str = "stress_busy"
) -> FaultRound:
    """Kill the sessions of ``statements`` statements while they run: each fails, the
    next statements succeed."""
    result = FaultRound()
    markers = [f"{marker}_{i}" for i in range(statements)]
    tasks = [
        asyncio.create_task(engine.fetchval(f"{SLEEP_SQL[admin.family] % 30} AS {m}")) for m in markers
    ]
    try:
        ids: list[int] = []
        for m in markers:
            ids.extend(await admin.wait_running(m))
        await admin.kill(ids)
        result.injected += len(ids)

        async def bounded(task: asyncio.Task[Any]) -> None:
            async with asyncio.timeout(30):
                await task

        for task in tasks:
            await _expect_failure(result, bounded(task), "a statement")
    finally:
        for task in tasks:
            if not task.done():
                task.cancel()
        await asyncio.wait(tasks)
    await _recover(engine, result, 2)
    return result


async def kill_in_transaction(engine: kakaorm.Engine, admin: ServerAdmin, tag: str = "fault") -> FaultRound:
    """Kill a session between two statements of its transaction: the next statement
    fails, nothing of the transaction is committed, the next statements succeed."""
    result = FaultRound()

    async def transaction() -> None:
        async with engine.transaction():
            await StressFault.create(tag=tag, part=1)
            session = int(await engine.fetchval(SESSION_ID_SQL[admin.family]))
            await admin.kill([session])
            await admin.wait_gone([session])
            result.injected += 1
            await _closed_seen()
            await StressFault.create(tag=tag, part=2)

    await _expect_failure(result, transaction(), "a transaction")
    await _recover(engine, result, 2)
    result.partial_commits = await StressFault.where(StressFault.tag == tag).count()
    return result


def merge_errors(*counters: Counter[str]) -> Counter[str]:
    """The sum of several error counters."""
    total: Counter[str] = collections.Counter()
    for c in counters:
        total.update(c)
    return total

