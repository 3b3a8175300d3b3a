"""asyncpg pool: a waiter is served when the connection open it queued behind fails."""

from __future__ import annotations

import asyncio

import pytest

import kakaorm


@pytest.mark.backends("postgres-asyncpg")
async def test_a_cancelled_connection_open_hands_its_slot_to_a_waiter(engine, connect_url):
    eng = await kakaorm.connect(connect_url(), pool_max_size=1, pool_min_size=0, pool_timeout=5)
    try:
        pool = eng._pool
        first = await pool.acquire()
        await pool.release(first, discard=True)  # the next acquire must open a connection
        opener = asyncio.create_task(pool.acquire())
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        waiter = asyncio.create_task(eng.fetchval("SELECT 1"))
        await asyncio.sleep(0)
        opener.cancel()
        with pytest.raises(asyncio.CancelledError):
            await opener
        # without a wake-up the waiter would get PoolTimeoutError after pool_timeout
        assert await waiter == 1
        assert eng.pool_stats().in_use == 0
    finally:
        await asyncio.wait_for(eng.disconnect(), 10)


@pytest.mark.backends("postgres-asyncpg")
async def test_disconnect_does_not_wait_forever_for_a_connection_still_lent(engine, connect_url):
    eng = await kakaorm.connect(connect_url(), pool_max_size=2, pool_timeout=1)
    await eng._pool.acquire()  # never given back
    # without a bound this would wait forever (wait_for turns that into a failure)
    await asyncio.wait_for(eng.disconnect(), 10)
    assert eng._closed
