"""SQLite's one connection, lent to one task at a time: the tasks waiting for it get
it in the order they came, and a waiter that gives up (a timeout, a cancel) never
keeps it, even when it was handed over at that very moment."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import kakaorm
from kakaorm_sqlite.driver import SQLitePool

pytestmark = pytest.mark.backends("sqlite")


@pytest.fixture
async def pool(backend, tmp_path: Path) -> AsyncIterator[SQLitePool]:
    engine = await kakaorm.connect(f"sqlite+aiosqlite:///{tmp_path / 'pool.db'}", pool_timeout=5)
    try:
        assert isinstance(engine._pool, SQLitePool)
        yield engine._pool
    finally:
        await engine.disconnect()


async def settle() -> None:
    """Let every task that can run go as far as it can."""
    for _ in range(5):
        await asyncio.sleep(0)


def usage(pool: SQLitePool) -> tuple[int, int]:
    stats = pool.stats()
    return stats.in_use, stats.idle


async def borrow(pool: SQLitePool, got: list[str], name: str) -> None:
    """Take the connection, note ``name`` in ``got``, let others run, give it back."""
    conn = await pool.acquire()
    got.append(name)
    await asyncio.sleep(0)
    await pool.release(conn)


async def test_waiting_tasks_get_the_connection_in_the_order_they_came(pool):
    order: list[str] = []
    held = await pool.acquire()
    waiting = [asyncio.create_task(borrow(pool, order, f"w{i}")) for i in range(3)]
    await settle()
    assert order == [] and len(pool._waiters) == 3
    await pool.release(held)
    # released with tasks waiting: the first of them has it, a newcomer queues behind
    late = asyncio.create_task(borrow(pool, order, "late"))
    async with asyncio.timeout(5):  # a connection nobody passes on would hang here
        await asyncio.gather(*waiting, late)
    assert order == ["w0", "w1", "w2", "late"]
    assert usage(pool) == (0, 1) and not pool._waiters


async def two_waiters(pool: SQLitePool) -> tuple[list[str], Any, asyncio.Task[None], asyncio.Task[None]]:
    """The connection held by this task, and two tasks queued for it: (what the
    waiters got, the held connection, the first waiter, the second)."""
    got: list[str] = []
    held = await pool.acquire()
    first = asyncio.create_task(borrow(pool, got, "first"))
    second = asyncio.create_task(borrow(pool, got, "second"))
    await settle()
    assert len(pool._waiters) == 2
    return got, held, first, second


async def test_a_waiter_cancelled_before_its_turn_leaves_it_to_the_next(pool):
    got, held, first, second = await two_waiters(pool)
    first.cancel()
    await settle()
    assert first.cancelled() and len(pool._waiters) == 1
    await pool.release(held)
    async with asyncio.timeout(5):
        await second
    assert got == ["second"]
    assert usage(pool) == (0, 1) and not pool._waiters


async def test_a_waiter_cancelled_just_after_it_was_handed_the_connection_passes_it_on(pool):
    got, held, first, second = await two_waiters(pool)
    await pool.release(held)  # the first waiter's turn: it has not run yet
    first.cancel()  # ... and is cancelled before it does
    async with asyncio.timeout(5):
        await asyncio.gather(first, second, return_exceptions=True)
    assert first.cancelled() and got == ["second"]
    assert usage(pool) == (0, 1) and not pool._waiters
    # and it is free for whoever asks next, at once
    conn = await pool.acquire()
    assert usage(pool) == (1, 0)
    await pool.release(conn)


async def test_a_waiter_that_times_out_is_a_pool_timeout_error_and_leaves_the_queue(pool):
    pool._timeout = 0.05
    held = await pool.acquire()
    with pytest.raises(kakaorm.PoolTimeoutError, match=r"waited 0\.05 s for the SQLite connection"):
        await asyncio.create_task(pool.acquire())  # another task than the holder
    assert not pool._waiters and usage(pool) == (1, 0)
    await pool.release(held)
    assert usage(pool) == (0, 1)


async def test_asking_again_for_the_connection_the_task_holds_says_it_would_wait_for_itself(pool):
    held = await pool.acquire()
    with pytest.raises(kakaorm.QueryError, match="this task already holds SQLite's one connection"):
        await pool.acquire()
    assert not pool._waiters
    await pool.release(held)


async def test_releasing_the_connection_twice_is_an_error_that_hands_it_to_nobody(pool):
    held = await pool.acquire()
    await pool.release(held)
    with pytest.raises(RuntimeError, match="release\\(\\) of SQLite's connection, which is not lent out"):
        await pool.release(held)
    assert usage(pool) == (0, 1)
