"""The aiosqlite adapter: one connection per engine, lent to one task at a time."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections import deque
from collections.abc import AsyncIterator, Sequence
from typing import Any

import aiosqlite

from kakaorm.dialect import PoolStats
from kakaorm.exc import ConfigurationError, OperationalError, PoolTimeoutError, QueryError


class SQLiteConnection:
    """A DriverConnection over one aiosqlite connection (autocommit outside BEGIN)."""

    __slots__ = ("raw",)

    def __init__(self, raw: aiosqlite.Connection) -> None:
        self.raw = raw

    # A statement that returns no rows (no description) runs to its end within
    # execute(), and sqlite3 resets it there: its cursor holds nothing, so it is dropped
    # without the second trip to aiosqlite's thread that close() is. A statement with
    # rows (raw SQL may send a SELECT here) may still be reading, holding SQLite's
    # shared lock against other connections' writes until it is closed.

    async def execute(self, sql: str, params: Sequence[Any]) -> int:
        cur = await self.raw.execute(sql, params)
        if cur.description is not None:
            await cur.close()
        return cur.rowcount

    async def execute_insert(self, sql: str, params: Sequence[Any]) -> Any:
        cur = await self.raw.execute(sql, params)
        if cur.description is not None:
            await cur.close()
        return cur.lastrowid

    async def fetch(self, sql: str, params: Sequence[Any]) -> Sequence[Sequence[Any]]:
        return await self.raw.execute_fetchall(sql, params)  # type: ignore[return-value]

    async def fetch_described(
        self, sql: str, params: Sequence[Any]
    ) -> tuple[list[str], Sequence[Sequence[Any]]]:
        async with self.raw.execute(sql, params) as cur:
            rows = await cur.fetchall()
            names = [d[0] for d in cur.description or ()]
        return names, rows  # type: ignore[return-value]

    async def iterate(
        self, sql: str, params: Sequence[Any], *, chunk_size: int = 500
    ) -> AsyncIterator[Sequence[Any]]:
        """Stream rows, ``chunk_size`` at a time from SQLite's cursor."""
        async with self.raw.execute(sql, params) as cur:
            while True:
                rows = await cur.fetchmany(chunk_size)
                if not rows:
                    break
                for row in rows:
                    yield row

    async def begin(self) -> None:
        await self.raw.execute("BEGIN")

    async def commit(self) -> None:
        await self.raw.execute("COMMIT")

    async def rollback(self) -> None:
        # sqlite3's rollback() runs ROLLBACK only if a transaction is open when the
        # worker thread gets to it: SQLite itself may have ended the transaction
        # (an interrupt, a full disk), and that is no reason to fail the rollback
        await self.raw.rollback()


class SQLitePool:
    """The single connection, lent to one task at a time; the others wait their turn
    (first come, first served) with a timeout.

    Free, it is taken at once, with no lock object to go through (this runs before
    every statement). Released while tasks wait, it passes straight to the first of
    them, so a task arriving meanwhile cannot take it out of turn.
    """

    def __init__(self, conn: SQLiteConnection, acquire_timeout: float) -> None:
        self._conn = conn
        self._busy = False
        #: the waiting tasks' futures, in arrival order; release() completes the first
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._timeout = acquire_timeout
        self._closed = False
        #: the task holding the connection (to tell it that it waits on itself)
        self._holder: asyncio.Task[Any] | None = None

    async def acquire(self) -> SQLiteConnection:
        if not self._busy:
            self._busy = True
            self._holder = asyncio.current_task()
            return self._conn
        if self._holder is not None and self._holder is asyncio.current_task():
            raise QueryError(
                "this task already holds SQLite's one connection (an open "
                "QuerySet.iterator() loop), so a query in the loop body would wait for "
                "itself. Run the loop inside `async with engine.transaction():` (the "
                "body's queries then share the connection), or load the rows first "
                "with `await qs`"
            )
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            # asyncio.timeout, not wait_for: wait_for would wait in a task of its own,
            # which a cancel could end just after it was handed the connection
            async with asyncio.timeout(self._timeout):
                await waiter
        except BaseException as err:
            if waiter.done() and not waiter.cancelled():
                # handed the connection just as the timeout or a cancel came: not
                # taken, so it goes on to the next task
                self._hand_over()
            elif waiter in self._waiters:  # release() may have dropped it, cancelled
                self._waiters.remove(waiter)
            if isinstance(err, TimeoutError):
                raise PoolTimeoutError(
                    f"waited {self._timeout:g} s for the SQLite connection: SQLite has one "
                    "connection per engine and another task held it (usually inside a "
                    "transaction) the whole time. Keep transactions short, do not await "
                    "other tasks' queries inside one, or raise pool_timeout"
                ) from None
            raise
        self._holder = asyncio.current_task()
        return self._conn

    def _hand_over(self) -> None:
        """Give the connection to the first task still waiting, or make it free."""
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # still busy: it is that task's now
                return
        self._busy = False

    async def release(self, conn: Any, *, discard: bool = False) -> None:
        """Hand the connection back; ``discard`` (a cancelled or failed task) cleans it.

        The one connection cannot be replaced (``:memory:`` would lose the database), so
        it is cleaned instead. A cancelled task's BEGIN, statement or COMMIT still runs in
        aiosqlite's worker thread: cancelling the await does not stop it, and asking
        ``in_transaction`` now would read the state from before it ran. The rollback is
        queued behind that work instead, so it runs after it and before anything of the
        next task, and does nothing when no transaction is open by then (a COMMIT that
        went through). It is awaited; cancelled again, it still runs, in its turn.
        """
        if not self._busy:
            # a second release would hand a waiting task the connection another still uses
            raise RuntimeError("release() of SQLite's connection, which is not lent out")
        try:
            if discard:
                await self._conn.raw.rollback()
        except (sqlite3.Error, ValueError):
            # the connection is closed or broken: nothing is left to roll back
            pass
        finally:
            self._holder = None
            self._hand_over()

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await self._conn.raw.close()

    def stats(self) -> PoolStats:
        busy = 1 if self._busy else 0
        return PoolStats(size=0 if self._closed else 1, idle=0 if self._closed else 1 - busy, in_use=busy)


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


async def open_pool(
    path: str, acquire_timeout: float, busy_timeout: float, journal_mode: str | None = None
) -> SQLitePool:
    """Open the database file (or ``:memory:``) and prepare the connection; with a
    ``journal_mode`` (one of SQLite's, checked by the dialect), switch the file to it."""
    pending = aiosqlite.connect(path, isolation_level=None, timeout=busy_timeout)
    # aiosqlite's worker thread is not a daemon: a program that ends without
    # engine.disconnect() (an exception, a forgotten call) would wait for it forever.
    # The thread starts when the connection is awaited, so mark it before that.
    worker = pending if isinstance(pending, threading.Thread) else getattr(pending, "_thread", None)
    if isinstance(worker, threading.Thread):
        worker.daemon = True
    try:
        raw = await pending
    except Exception as err:  # sqlite3.OperationalError: unable to open database file
        raise OperationalError(
            f"cannot open the SQLite database {path!r}: {err}. Check that the directory "
            "exists and is writable",
            orig=err,
        ) from err
    if journal_mode is not None:
        await _set_journal_mode(raw, path, journal_mode)
    await raw.execute("PRAGMA foreign_keys = ON")
    await raw.execute("PRAGMA case_sensitive_like = ON")
    # SQLite's LOWER() folds ASCII only; ilike() uses Python's Unicode lower case
    await raw.create_function("kakaorm_lower", 1, _lower, deterministic=True)
    return SQLitePool(SQLiteConnection(raw), acquire_timeout)


async def _set_journal_mode(raw: aiosqlite.Connection, path: str, mode: str) -> None:
    """``PRAGMA journal_mode``, checked: SQLite answers with the mode it kept, which for
    an in-memory database is always ``memory``. ``mode`` is one of the dialect's fixed
    names, never user text."""
    try:
        cursor = await raw.execute(f"PRAGMA journal_mode = {mode}")
        row = await cursor.fetchone()
        await cursor.close()
    except sqlite3.Error as err:  # the file is locked by another process's writer
        await raw.close()
        raise OperationalError(
            f"cannot set journal_mode={mode} on the SQLite database {path!r}: {err}", orig=err
        ) from err
    kept = str(row[0]).lower() if row else ""
    if kept != mode:
        await raw.close()
        why = (
            "an in-memory database has no journal file of its own (its mode is always memory); "
            "give a file path, or leave journal_mode out"
            if kept == "memory"
            else "choose a mode this file and its file system support, or leave journal_mode out"
        )
        raise ConfigurationError(f"SQLite kept journal_mode={kept} for {path!r} instead of {mode}: {why}")
