"""Cancellation storm: thousands of tasks cancelled at random points inside
transactions (nested savepoints included) leave no partial commit, no connection
inside a transaction, and a pool that serves every statement afterwards."""

from __future__ import annotations

import asyncio
import random

import pytest

from stress.models import StressPair, StressSide
from stress.workloads import (
    Intentional,
    check_storm,
    exercise_pool,
    lend_all,
    open_transactions,
    run_storm,
    settle_pool,
    setup_storm,
)

CANCELS = 1500


async def test_a_storm_of_random_cancels_leaves_no_partial_commit_and_a_clean_pool(pooled, admin, pool_max):
    await setup_storm(pooled)

    storm = await run_storm(pooled, random.Random(13), cancels=CANCELS, workers=40)

    assert storm.cancelled >= CANCELS
    assert storm.committed > 0
    stats = await settle_pool(pooled)
    found = {
        "errors other than the cancellations": dict(storm.errors),
        "their messages": storm.samples,
        # a cancelled task that finishes normally ran (and committed) its transaction
        "cancellations swallowed": storm.cancels_swallowed,
        # e.g. "Future exception was never retrieved", printed to stderr
        "errors asyncio reported": storm.loop_errors,
        "invariants broken (partial commits, counters, savepoint rows)": await check_storm(storm),
        "connections still lent out": stats.in_use,
        "connections inside a transaction": await open_transactions(pooled, admin),
        "errors of 3 pools' worth of statements afterwards": dict(await exercise_pool(pooled, 3 * pool_max)),
        "connections the pool lends at once afterwards": await lend_all(pooled, pool_max),
    }
    assert found == {
        "errors other than the cancellations": {},
        "their messages": [],
        "cancellations swallowed": 0,
        "errors asyncio reported": [],
        "invariants broken (partial commits, counters, savepoint rows)": [],
        "connections still lent out": 0,
        "connections inside a transaction": [],
        "errors of 3 pools' worth of statements afterwards": {},
        "connections the pool lends at once afterwards": pool_max,
    }
    after = pooled.pool_stats()
    assert (after.in_use, after.size <= pool_max) == (0, True)


# -- one cancellation at each step of a transaction ----------------------------------------

PHASES = [
    "begin",
    "statement",
    "savepoint",
    "release_savepoint",
    "rollback_to_savepoint",
    "commit",
    "rollback",
]


async def _transaction_cancelled_at(engine, phase: str, tag: str) -> None:
    """A storm-like transaction that cancels itself at the next await after ``phase`` begins.

    ``loop.call_soon(task.cancel)`` runs when the task next waits, which is the
    driver's wait for the server's answer to the statement that phase sends.
    """
    loop = asyncio.get_running_loop()
    me = asyncio.current_task()
    assert me is not None

    def cancel_at_next_wait() -> None:
        loop.call_soon(me.cancel)

    if phase == "begin":
        cancel_at_next_wait()
    async with engine.transaction():
        if phase == "statement":
            cancel_at_next_wait()
        await StressPair.create(tag=tag, part=1, shard=0)
        if phase == "savepoint":
            cancel_at_next_wait()
        try:
            async with engine.transaction():
                await StressSide.create(tag=tag)
                if phase == "release_savepoint":
                    cancel_at_next_wait()
                elif phase == "rollback_to_savepoint":
                    cancel_at_next_wait()
                    raise Intentional(tag)
        except Intentional:
            pass
        await StressPair.create(tag=tag, part=2, shard=0)
        if phase == "commit":
            cancel_at_next_wait()
        elif phase == "rollback":
            cancel_at_next_wait()
            raise Intentional(tag)


@pytest.mark.parametrize("phase", PHASES)
async def test_a_cancel_at_each_step_of_a_transaction_ends_it_cancelled_and_rolled_back(
    pooled, admin, pool_max, phase
):
    await setup_storm(pooled)
    task = asyncio.create_task(_transaction_cancelled_at(pooled, phase, "t1"))
    await asyncio.wait([task])

    outcome = "cancelled" if task.cancelled() else repr(task.exception() or "returned normally")
    pairs = await StressPair.where(StressPair.tag == "t1").count()
    sides = await StressSide.where(StressSide.tag == "t1").count()
    stats = await settle_pool(pooled)
    found = {
        # the cancel must reach the caller, whatever else was going on (an error being
        # handled, a savepoint being rolled back): a lost cancel runs the rest of the work
        "outcome": outcome,
        # a cancel landing during COMMIT may leave it committed (the caller still sees
        # the cancel); before that, nothing of the transaction may remain
        "rows written": (pairs, sides) if phase != "commit" or pairs == 0 else (0, 0),
        "connections still lent out": stats.in_use,
        "connections inside a transaction": await open_transactions(pooled, admin),
    }
    assert found == {
        "outcome": "cancelled",
        "rows written": (0, 0),
        "connections still lent out": 0,
        "connections inside a transaction": [],
    }
    if phase == "commit":
        assert (pairs, sides) in ((0, 0), (2, 1))
    # the connection it used serves the next transaction as if nothing happened
    async with pooled.transaction():
        await StressPair.create(tag="t2", part=1, shard=1)
        await StressPair.create(tag="t2", part=2, shard=1)
    assert await StressPair.where(StressPair.tag == "t2").count() == 2
    assert dict(await exercise_pool(pooled, 3 * pool_max)) == {}
    assert await lend_all(pooled, pool_max) == pool_max
