"""Load: 200 concurrent tasks of mixed transactions on a pool of 10 leave exactly the
rows and the money their committed transactions wrote, and memory stays flat."""

from __future__ import annotations

import gc
import random
import statistics
import tracemalloc
from itertools import pairwise

from stress.models import StressAccount, StressLedger
from stress.workloads import check_load, run_load_round, settle_pool, setup_load

TASKS = 200
PER_TASK = 3


async def test_200_concurrent_tasks_of_mixed_transactions_leave_exact_rows_and_conserve_money(pooled, pool_max):
    book = await setup_load(pooled, accounts=20, initial=1000)

    done = await run_load_round(pooled, book, random.Random(13), tasks=TASKS, per_task=PER_TASK)

    planned = done.planned
    assert sum(planned.values()) == TASKS * PER_TASK
    assert set(planned) == {"transfer", "deposit", "touch", "batch", "rollback", "savepoint"}
    assert (dict(done.errors), done.samples) == ({}, [])
    assert done.rolled_back == planned["rollback"]
    assert done.savepoints_rolled_back == planned["savepoint"]
    assert done.committed == TASKS * PER_TASK - planned["rollback"]
    assert done.peak_in_use == pool_max
    # the book counts what the committed transactions wrote; the database must agree
    assert book.ledger_rows == planned["transfer"] + planned["deposit"] + planned["savepoint"] + 3 * planned["batch"]
    assert sum(book.versions.values()) == planned["touch"]
    assert await check_load(book) == []
    assert await StressLedger.count() == book.ledger_rows
    assert await StressAccount.all().sum(StressAccount.balance) == 20 * 1000 + book.deposited
    assert await StressLedger.where(StressLedger.source_id == None).sum(StressLedger.amount) == book.deposited  # noqa: E711
    stats = await settle_pool(pooled)
    assert (stats.in_use, stats.size <= pool_max) == (0, True)


async def test_memory_stays_flat_across_rounds_of_load(pooled):
    book = await setup_load(pooled, accounts=20, initial=1000)
    rng = random.Random(7)
    traced: list[int] = []
    tracemalloc.start()
    try:
        for n in range(6):
            done = await run_load_round(pooled, book, rng, tasks=TASKS, per_task=1, label=f"M{n}")
            assert (dict(done.errors), done.samples) == ({}, [])
            gc.collect()
            traced.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    # rounds 1 and 2 fill the caches (compiled SQL, prepared statements, the pool);
    # each of the 4 rounds after them may keep nothing: 16 KiB is 80 bytes for each
    # of its 200 transactions. A leak shows in every round, so the median round is
    # judged: one round may pay once for a table of the interpreter's own growing (a
    # dict resized in a long test session, about 70 KiB once in CI), which is no leak.
    median = statistics.median(after - before for before, after in pairwise(traced[1:]))
    assert median < 16 * 1024, f"memory grew by {median} bytes in the median round after round 2: {traced}"
    assert traced[-1] - traced[1] < 256 * 1024, f"memory grew from round 2 to round 6: {traced}"
    assert await check_load(book) == []
