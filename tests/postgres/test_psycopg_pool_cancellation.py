"""psycopg pool: a connection psycopg_pool lends always goes back to it, whatever
cancellation lands where, and the cancelled task always sees ``CancelledError``.

psycopg_pool waits for a connection with ``asyncio.wait_for``, which on Python 3.11
can swallow a cancellation that arrives with the connection, and it returns
connections under locks a cancellation can interrupt. Each test cancels a task at
successive event-loop steps around the hand-over of a connection (once, or twice in
a row), then checks that the pool still lends all its connections at once.
"""

from __future__ import annotations

import asyncio
import random

import pytest

import kakaorm
from kakaorm.dialect import PoolStats

pytestmark = pytest.mark.backends("postgres-psycopg")

STEPS = range(8)


async def _cancel_after(task: asyncio.Task[object], steps: int, times: int) -> bool:
    """Cancel ``task`` after ``steps`` event-loop steps; False if it had already
    finished by then (a fast server answers within a few steps)."""
    for _ in range(steps):
        await asyncio.sleep(0)
    landed = False
    for _ in range(times):
        landed = task.cancel() or landed
        await asyncio.sleep(0)
    return landed


async def _lends_all(eng: kakaorm.Engine, count: int) -> PoolStats:
    """Hold ``count`` connections at once, give them back, and return the stats in between."""
    pool = eng._pool
    held = await asyncio.wait_for(asyncio.gather(*(pool.acquire() for _ in range(count))), 5)
    stats = eng.pool_stats()
    for conn in held:
        await pool.release(conn)
    return stats


@pytest.mark.parametrize("times", [1, 2])
@pytest.mark.parametrize("steps", STEPS)
async def test_a_waiter_cancelled_as_a_connection_is_handed_to_it_gives_it_back(
    engine, connect_url, steps, times
):
    eng = await kakaorm.connect(connect_url(), pool_max_size=2, pool_min_size=2, pool_timeout=5)
    try:
        pool = eng._pool
        held = [await pool.acquire(), await pool.acquire()]
        waiter = asyncio.create_task(eng.fetchval("SELECT 1"))
        for _ in range(3):
            await asyncio.sleep(0)  # queued in psycopg_pool's waiting list
        assert not waiter.done()
        await pool.release(held.pop())  # handed to the waiter
        if await _cancel_after(waiter, steps, times):
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(waiter, 5)
        else:
            assert waiter.result() == 1  # done before the cancellation: nothing to swallow
        await pool.release(held.pop())
        assert await _lends_all(eng, 2) == PoolStats(size=2, idle=0, in_use=2)
    finally:
        await asyncio.wait_for(eng.disconnect(), 10)


@pytest.mark.parametrize("times", [1, 2])
@pytest.mark.parametrize("steps", STEPS)
async def test_a_transaction_cancelled_as_it_ends_gives_its_connection_back(
    engine, connect_url, steps, times
):
    eng = await kakaorm.connect(connect_url(), pool_max_size=2, pool_min_size=2, pool_timeout=5)
    try:
        entered = asyncio.Event()
        leave = asyncio.Event()

        async def work() -> None:
            async with eng.transaction():
                await eng.fetchval("SELECT 1")
                entered.set()
                await leave.wait()
                await eng.fetchval("SELECT pg_sleep(0.01)")

        # others queue for the pool meanwhile, so giving back contends psycopg_pool's lock
        others = [asyncio.create_task(eng.fetchval("SELECT 2")) for _ in range(3)]
        task = asyncio.create_task(work())
        await asyncio.wait_for(entered.wait(), 5)
        leave.set()
        await asyncio.sleep(0)
        await _cancel_after(task, steps, times)
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)
        assert await asyncio.wait_for(asyncio.gather(*others), 5) == [2, 2, 2]
        assert await _lends_all(eng, 2) == PoolStats(size=2, idle=0, in_use=2)
    finally:
        await asyncio.wait_for(eng.disconnect(), 10)


@pytest.mark.parametrize("seed", range(16))
async def test_waiters_cancelled_at_random_steps_leave_the_pool_whole(engine, connect_url, seed):
    rng = random.Random(seed)
    eng = await kakaorm.connect(connect_url(), pool_max_size=2, pool_min_size=2, pool_timeout=5)
    try:

        async def work(n: int) -> int:
            async with eng.transaction():
                return await eng.fetchval("SELECT %s::int", [n])

        for _ in range(10):
            tasks = [asyncio.create_task(work(n)) for n in range(12)]
            for _ in range(rng.randrange(1, 12)):
                await asyncio.sleep(0)
            for task in rng.sample(tasks, 8):
                task.cancel()
                if rng.random() < 0.5:
                    await asyncio.sleep(0)
                    task.cancel()  # a second cancel while the first is being handled
            results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 10)
            assert all(isinstance(r, (int, asyncio.CancelledError)) for r in results), results
            assert [r for r in results if isinstance(r, int)] == [
                n for n, t in enumerate(tasks) if not t.cancelled()
            ]
        assert await _lends_all(eng, 2) == PoolStats(size=2, idle=0, in_use=2)
    finally:
        await asyncio.wait_for(eng.disconnect(), 10)
