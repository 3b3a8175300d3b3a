"""The driver adapter: one ``sqlite3`` connection that lives in one worker thread.

Every call on the connection is a job for that thread, run in the order the jobs
were queued, so the event loop never blocks on SQLite and the connection is never
used from two threads.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from kakaorm.dialect import PoolStats
from kakaorm.exc import OperationalError, PoolTimeoutError, QueryError

T = TypeVar("T")

Row = tuple[Any, ...]


def _unicode_lower(text: str | bytes | int | float | None) -> str | bytes | int | float | None:
    # ilike() calls kakaorm_lower(): Python folds every script, SQLite's LOWER() only ASCII
    if isinstance(text, str):
        return text.lower()
    return text


class StdlibConnection:
    """A :class:`~kakaorm.dialect.DriverConnection` over a ``sqlite3`` connection."""

    def __init__(self, worker: ThreadPoolExecutor, raw: sqlite3.Connection) -> None:
        self._worker = worker
        self.raw = raw

    async def _call(self, job: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._worker, job)

    def _run(self, sql: str, params: Sequence[Any]) -> sqlite3.Cursor:
        return self.raw.execute(sql, tuple(params))

    async def execute(self, sql: str, params: Sequence[Any]) -> int:
        return await self._call(lambda: self._run(sql, params).rowcount)

    async def execute_insert(self, sql: str, params: Sequence[Any]) -> Any:
        return await self._call(lambda: self._run(sql, params).lastrowid)

    async def fetch(self, sql: str, params: Sequence[Any]) -> Sequence[Sequence[Any]]:
        return await self._call(lambda: self._run(sql, params).fetchall())

    async def fetch_described(self, sql: str, params: Sequence[Any]) -> tuple[list[str], Sequence[Sequence[Any]]]:
        def job() -> tuple[list[str], list[Row]]:
            cursor = self._run(sql, params)
            return [column[0] for column in cursor.description or ()], cursor.fetchall()

        return await self._call(job)

    async def iterate(
        self, sql: str, params: Sequence[Any], *, chunk_size: int = 500
    ) -> AsyncIterator[Sequence[Any]]:
        """Rows ``chunk_size`` at a time from one cursor, closed however the loop ends."""
        cursor = await self._call(lambda: self._run(sql, params))
        try:
            while chunk := await self._call(lambda: cursor.fetchmany(chunk_size)):
                for row in chunk:
                    yield row
        finally:
            await self._call(cursor.close)

    async def begin(self) -> None:
        await self._call(lambda: self.raw.execute("BEGIN"))

    async def commit(self) -> None:
        await self._call(lambda: self.raw.execute("COMMIT"))

    async def rollback(self) -> None:
        # asked in the worker thread, after every queued job: the state is current
        await self._call(self._rollback_if_open)

    def _rollback_if_open(self) -> None:
        if self.raw.in_transaction:
            self.raw.execute("ROLLBACK")


class StdlibPool:
    """The one connection, lent to one task at a time (others wait up to the timeout)."""

    def __init__(self, conn: StdlibConnection, acquire_timeout: float) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self._timeout = acquire_timeout
        self._holder: asyncio.Task[Any] | None = None
        self._closed = False

    async def acquire(self) -> StdlibConnection:
        if self._lock.locked() and self._holder is asyncio.current_task():
            raise QueryError(
                "this task already holds the SQLite connection (an open QuerySet.iterator() "
                "loop) and would wait for itself: run the loop inside "
                "`async with engine.transaction():`, or load the rows first with `await qs`"
            )
        try:
            async with asyncio.timeout(self._timeout):
                await self._lock.acquire()
        except TimeoutError:
            raise PoolTimeoutError(
                f"waited {self._timeout:g} s for the SQLite connection, which another task "
                "held the whole time: keep transactions short, or raise pool_timeout"
            ) from None
        self._holder = asyncio.current_task()
        return self._conn

    async def release(self, conn: Any, *, discard: bool = False) -> None:
        """Take the connection back; ``discard`` (a failed or cancelled task) rolls back
        whatever that task left open. The rollback is queued behind the task's jobs that
        are still running in the worker thread, so it sees their outcome."""
        try:
            if discard and not self._closed:
                await self._conn.rollback()
        except sqlite3.Error:
            pass  # a closed or broken connection has nothing left to roll back
        finally:
            self._holder = None
            self._lock.release()

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await self._conn._call(self._conn.raw.close)
            self._conn._worker.shutdown(wait=False)

    def stats(self) -> PoolStats:
        if self._closed:
            return PoolStats(size=0, idle=0, in_use=0)
        busy = int(self._lock.locked())
        return PoolStats(size=1, idle=1 - busy, in_use=busy)


def _connect(path: str, busy_timeout: float) -> sqlite3.Connection:
    # autocommit outside BEGIN (isolation_level=None): the engine issues BEGIN itself
    raw = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
    raw.execute("PRAGMA foreign_keys = ON")
    raw.execute("PRAGMA case_sensitive_like = ON")
    raw.create_function("kakaorm_lower", 1, _unicode_lower, deterministic=True)
    return raw


async def open_pool(path: str, acquire_timeout: float, busy_timeout: float) -> StdlibPool:
    """Start the worker thread and open the database (a file, or ``:memory:``) in it."""
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kakaorm-sqlite-stdlib")
    try:
        raw = await asyncio.get_running_loop().run_in_executor(worker, _connect, path, busy_timeout)
    except sqlite3.Error as err:
        worker.shutdown(wait=False)
        raise OperationalError(
            f"cannot open the SQLite database {path!r}: {err}. Check that the directory exists and is writable",
            orig=err,
        ) from err
    return StdlibPool(StdlibConnection(worker, raw), acquire_timeout)
