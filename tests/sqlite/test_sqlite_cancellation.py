"""A task cancelled at any point of a SQLite transaction leaves it rolled back and the
connection clean, although aiosqlite's worker thread finishes whatever it was handed.

Each test sees the database through a second, plain sqlite3 connection as well: what
it reads is what was committed, and it can take the write lock only when KakaORM's
connection holds no transaction. Another process holding a lock makes the worker
thread wait exactly as long as the test wants, so every interleaving is exact.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

import kakaorm
from kakaorm import IntColumn, Model, OperationalError

pytestmark = pytest.mark.backends("sqlite")

COUNT_TO = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < %s) SELECT count(*) FROM c"


class SqlcItem(Model):
    tag = IntColumn(nullable=False)
    part = IntColumn(nullable=False, default=0)


@pytest.fixture
async def file_engine(backend, tmp_path: Path) -> AsyncIterator[kakaorm.Engine]:
    engine = await kakaorm.connect(f"sqlite+aiosqlite:///{tmp_path / 'cancel.db'}")
    await engine.create_table(SqlcItem)
    try:
        yield engine
    finally:
        await engine.disconnect()


@pytest.fixture
def other(tmp_path: Path, file_engine: kakaorm.Engine) -> Iterator[sqlite3.Connection]:
    """Another connection to the same file (as another process would have)."""
    conn = sqlite3.connect(tmp_path / "cancel.db", isolation_level=None, timeout=0)
    yield conn
    conn.close()


def committed(other: sqlite3.Connection) -> list[tuple[int, int]]:
    return sorted(other.execute("SELECT tag, part FROM sqlc_item").fetchall())


def assert_no_transaction_left(other: sqlite3.Connection) -> None:
    """KakaORM's connection holds no transaction: the other one can take the write lock."""
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")


async def cancelled(task: asyncio.Task[object]) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def until_waiting(seconds: float = 0.05) -> None:
    """Long enough for a task to hand its statement to the worker thread."""
    await asyncio.sleep(seconds)


def later(action: str, other: sqlite3.Connection, seconds: float = 0.1) -> None:
    """Run ``action`` on the other connection soon, while the test awaits a task."""
    asyncio.get_running_loop().call_later(seconds, other.execute, action)


async def test_a_transaction_cancelled_before_its_begin_ran_leaves_no_transaction_open(file_engine, other):
    other.execute("BEGIN IMMEDIATE")  # the worker thread will wait on this lock
    blocked = asyncio.create_task(file_engine.execute("DELETE FROM sqlc_item WHERE 1 = 0"))
    await until_waiting()
    blocked.cancel()
    await until_waiting(0.01)
    # cancelled again while cleaning up: the connection is handed on with the DELETE
    # still waiting in the worker thread
    await cancelled(blocked)

    async def tx() -> None:
        async with file_engine.transaction():  # BEGIN queues behind the DELETE
            await SqlcItem.create(tag=1)

    task = asyncio.create_task(tx())
    await until_waiting()
    later("ROLLBACK", other)  # then the worker runs the DELETE and the BEGIN
    await cancelled(task)
    async with file_engine.transaction():
        await SqlcItem.create(tag=2)
    await SqlcItem.create(tag=3)
    assert committed(other) == [(2, 0), (3, 0)]
    assert_no_transaction_left(other)


async def test_a_transaction_cancelled_again_while_rolling_back_ends_rolled_back(file_engine, other):
    other.execute("BEGIN IMMEDIATE")

    async def tx() -> None:
        async with file_engine.transaction():
            await SqlcItem.create(tag=1)  # waits on the other connection's lock

    task = asyncio.create_task(tx())
    await until_waiting()
    task.cancel()  # the block now rolls back: ROLLBACK queues behind the INSERT
    await until_waiting()
    later("ROLLBACK", other)
    await cancelled(task)  # and that is cancelled too
    async with file_engine.transaction():
        await SqlcItem.create(tag=2)
    assert committed(other) == [(2, 0)]
    assert [i.tag for i in await SqlcItem.all()] == [2]
    assert_no_transaction_left(other)


async def test_a_cancel_landing_during_commit_leaves_the_transaction_committed_and_the_connection_clean(
    file_engine, other
):
    inside = asyncio.Event()
    leave = asyncio.Event()

    async def tx() -> None:
        async with file_engine.transaction():
            await SqlcItem.create(tag=1, part=1)
            await SqlcItem.create(tag=1, part=2)
            inside.set()
            await leave.wait()

    task = asyncio.create_task(tx())
    await inside.wait()
    other.execute("BEGIN")
    other.execute("SELECT count(*) FROM sqlc_item").fetchall()  # a reader: COMMIT must wait for it
    leave.set()
    await until_waiting()
    later("COMMIT", other)
    await cancelled(task)  # COMMIT was already handed to the worker thread
    async with file_engine.transaction():
        await SqlcItem.create(tag=2)
    # the whole transaction, never a part of it
    assert committed(other) == [(1, 1), (1, 2), (2, 0)]
    assert_no_transaction_left(other)


async def test_a_cancel_inside_a_nested_block_rolls_the_whole_transaction_back(file_engine, other):
    inside = asyncio.Event()

    async def tx() -> None:
        async with file_engine.transaction():
            await SqlcItem.create(tag=1, part=1)
            async with file_engine.transaction():
                await SqlcItem.create(tag=1, part=2)
                async with file_engine.transaction():
                    await SqlcItem.create(tag=1, part=3)
                    inside.set()
                    await file_engine.fetchval(COUNT_TO, [500_000])  # about half a second

    task = asyncio.create_task(tx())
    await inside.wait()
    await until_waiting(0.02)
    await cancelled(task)
    async with file_engine.transaction():
        await SqlcItem.create(tag=2)
    assert committed(other) == [(2, 0)]
    assert_no_transaction_left(other)


async def test_after_a_storm_of_random_cancels_every_transaction_is_whole_or_absent(file_engine, other):
    rng = random.Random(13)
    finished: set[int] = set()
    errors: list[str] = []

    async def tx(tag: int) -> None:
        async with file_engine.transaction():
            await SqlcItem.create(tag=tag, part=1)
            async with file_engine.transaction():
                await SqlcItem.create(tag=tag, part=2)
                await file_engine.fetchval(COUNT_TO, [rng.randint(1, 2000)])
            await SqlcItem.create(tag=tag, part=3)
        finished.add(tag)

    for tag in range(300):
        task = asyncio.create_task(tx(tag))
        await asyncio.sleep(rng.random() * 0.004)
        task.cancel()
        if rng.random() < 0.3:
            await asyncio.sleep(0)
            task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        except Exception as err:  # noqa: BLE001 - collected and asserted below
            errors.append(f"{tag}: {type(err).__name__}: {err}")
        try:
            async with file_engine.transaction():
                await SqlcItem.create(tag=-1, part=tag)
        except OperationalError as err:
            errors.append(f"after {tag}: {err}")
    assert errors == []
    parts = Counter(tag for tag, _ in committed(other) if tag >= 0)
    assert {tag: n for tag, n in parts.items() if n != 3} == {}  # no partial commit
    assert finished <= set(parts)
    assert [part for tag, part in committed(other) if tag == -1] == list(range(300))
    assert file_engine.pool_stats().in_use == 0
    assert_no_transaction_left(other)
