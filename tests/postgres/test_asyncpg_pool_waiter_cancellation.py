"""asyncpg pool (KakaORM's waiter queue): a cancelled waiter leaves exactly once.

A task waiting for a connection can be cancelled just before or just after a
connection is handed to it. Either way the task sees ``CancelledError`` (never an
error of the pool's own bookkeeping) and the connection goes to the next waiter.
"""

from __future__ import annotations

import asyncio

import pytest

import kakaorm
from kakaorm.dialect import PoolStats

pytestmark = pytest.mark.backends("postgres-asyncpg")


@pytest.mark.parametrize("when", ["before", "after"])
async def test_a_waiter_cancelled_around_the_hand_over_raises_cancelled_and_the_next_waiter_is_served(
    engine, connect_url, when
):
    eng = await kakaorm.connect(connect_url(), pool_max_size=2, pool_timeout=5)
    try:
        pool = eng._pool
        held = [await pool.acquire(), await pool.acquire()]
        waiters = [asyncio.create_task(eng.fetchval("SELECT %s::int", [i])) for i in range(3)]
        await asyncio.sleep(0)  # all three queue for a connection, in order
        assert not any(w.done() for w in waiters)
        if when == "before":
            # cancelled first; the hand-over in the same step must skip it
            waiters[0].cancel()
            await pool.release(held.pop())
        else:
            # handed a connection, then cancelled before it could run
            await pool.release(held.pop())
            waiters[0].cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiters[0]
        assert await asyncio.wait_for(waiters[1], 5) == 1
        await pool.release(held.pop())
        assert await asyncio.wait_for(waiters[2], 5) == 2
        assert eng.pool_stats() == PoolStats(size=2, idle=2, in_use=0)
    finally:
        await asyncio.wait_for(eng.disconnect(), 10)


async def test_every_waiter_cancelled_at_once_leaves_the_pool_whole(engine, connect_url):
    eng = await kakaorm.connect(connect_url(), pool_max_size=2, pool_timeout=5)
    try:
        pool = eng._pool
        held = [await pool.acquire(), await pool.acquire()]
        waiters = [asyncio.create_task(eng.fetchval("SELECT 1")) for _ in range(20)]
        await asyncio.sleep(0)
        for task in waiters:
            task.cancel()
        for conn in held:
            await pool.release(conn)  # wakes waiters that were all cancelled
        results = await asyncio.gather(*waiters, return_exceptions=True)
        assert [type(r) for r in results] == [asyncio.CancelledError] * 20
        assert eng.pool_stats() == PoolStats(size=2, idle=2, in_use=0)
        assert await asyncio.wait_for(asyncio.gather(*(eng.fetchval("SELECT 2") for _ in range(4))), 5) == [2] * 4
    finally:
        await asyncio.wait_for(eng.disconnect(), 10)
