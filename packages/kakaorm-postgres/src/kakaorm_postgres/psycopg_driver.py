"""The psycopg 3 adapter: psycopg_pool's AsyncConnectionPool, autocommit connections
with explicit BEGIN/COMMIT/ROLLBACK, session time zone UTC."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import select
import time
from collections.abc import AsyncIterator, Coroutine, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg import AsyncRawCursor
from psycopg.pq import TransactionStatus
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from kakaorm.dialect import PoolStats
from kakaorm.exc import PoolTimeoutError

from .driver import ConnectionSettings, commit_refused, connect_failure

__all__ = ["PsycopgConnection", "PsycopgPool", "open_pool"]

T = TypeVar("T")

#: libpq's transaction statuses as the ints ``pgconn.transaction_status`` gives:
#: ``connection.info.transaction_status`` builds an info object and an enum member on
#: every read (about 1.1 us, against 0.06), and the pool reads it for every statement
_IDLE = int(TransactionStatus.IDLE)
_ACTIVE = int(TransactionStatus.ACTIVE)
_IN_TRANSACTION = (int(TransactionStatus.INTRANS), int(TransactionStatus.INERROR))
#: select.poll where the platform has it (not on Windows)
_POLL = getattr(select, "poll", None)

#: seconds a connection may stay checked out of psycopg_pool (lent, or idle in
#: PsycopgPool's own stack) before a release hands it back to psycopg_pool
_HOLD_SECONDS = 30.0

#: numbers the server-side cursors of iterate(), whose names must differ per connection
_cursor_numbers = itertools.count(1)


#: statements in PostgreSQL's own ``$n`` form, by their ``%s`` form (None: one psycopg
#: must read itself, to refuse a stray ``%``); oldest dropped first
_numbered: dict[str, str | None] = {}
_NUMBERED_MAX = 512


def _number_placeholders(sql: str) -> str | None:
    """``sql`` with ``%s`` written ``$1``, ``$2``, ... and ``%%`` written ``%``; None
    when it holds any other ``%`` sequence."""
    if "%" not in sql:
        return sql
    pieces = sql.split("%")
    out = [pieces[0]]
    n = 0
    i = 1
    last = len(pieces) - 1
    while i <= last:
        piece = pieces[i]
        if not piece and i < last:  # %%
            out.append("%")
            out.append(pieces[i + 1])
            i += 2
        elif piece[:1] == "s":
            n += 1
            out.append(f"${n}")
            out.append(piece[1:])
            i += 1
        else:
            return None
    return "".join(out)


def _numbered_form(sql: str) -> str | None:
    try:
        return _numbered[sql]
    except KeyError:
        pass
    text = _number_placeholders(sql)
    if len(_numbered) >= _NUMBERED_MAX:
        _numbered.pop(next(iter(_numbered)), None)
    _numbered[sql] = text
    return text


class PsycopgConnection:
    """A DriverConnection over one pooled psycopg AsyncConnection (autocommit).

    Statements run through psycopg's raw cursor, in PostgreSQL's ``$n`` form made once
    per statement text here: psycopg's own cursor reads the ``%s`` form again on every
    call for a statement longer than its cache takes (4 KB), which for a multi-row
    INSERT of bulk_create() cost more than the round trip.
    """

    __slots__ = ("raw",)

    def __init__(self, raw: psycopg.AsyncConnection[Any]) -> None:
        self.raw = raw

    async def _cursor(self, sql: str, params: Sequence[Any]) -> psycopg.AsyncCursor[Any]:
        # The parameters are always passed, even when empty, so that ``%%`` always
        # means one percent sign, as the compiler wrote it.
        text = _numbered_form(sql)
        if text is None:
            return await self.raw.execute(sql, params)  # psycopg explains the stray %
        cur = AsyncRawCursor(self.raw)
        await cur.execute(text, params)
        return cur

    async def execute(self, sql: str, params: Sequence[Any]) -> int:
        """Run a statement; return the rows it matched (-1 for DDL)."""
        cur = await self._cursor(sql, params)
        return cur.rowcount

    async def execute_insert(self, sql: str, params: Sequence[Any]) -> Any:
        """Run an INSERT; keys come back through RETURNING on PostgreSQL, so None."""
        await self._cursor(sql, params)
        return None

    async def fetch(self, sql: str, params: Sequence[Any]) -> Sequence[Sequence[Any]]:
        """Run a query; return its rows as tuples."""
        cur = await self._cursor(sql, params)
        return await cur.fetchall()

    async def fetch_described(
        self, sql: str, params: Sequence[Any]
    ) -> tuple[list[str], Sequence[Sequence[Any]]]:
        """Run a query; return its column names and rows."""
        cur = await self._cursor(sql, params)
        names = [column.name for column in cur.description or ()]
        return names, await cur.fetchall()

    async def iterate(
        self, sql: str, params: Sequence[Any], *, chunk_size: int = 500
    ) -> AsyncIterator[Sequence[Any]]:
        """Stream rows through a named (server-side) cursor, ``chunk_size`` per FETCH.

        The cursor lives in a transaction: the caller's, or a read transaction opened
        here and ended when the iteration ends. Unlike libpq's single-row mode, a
        server-side cursor lets other statements run on the connection between
        fetches (the loop body's queries inside ``engine.transaction()``).
        """
        raw = self.raw
        owner = asyncio.current_task()
        outside = raw.pgconn.transaction_status == _IDLE
        block: contextlib.AbstractAsyncContextManager[Any] = (
            raw.transaction() if outside else contextlib.nullcontext()
        )
        async with block:
            cur = raw.cursor(name=f"kakaorm_stream_{next(_cursor_numbers)}")
            try:
                await cur.execute(sql, params)
                while True:
                    rows = await cur.fetchmany(chunk_size)
                    if not rows:
                        break
                    for row in rows:
                        yield row
                await cur.close()
            except GeneratorExit:
                # closed early. Inside the caller's transaction, an iterator dropped
                # without aclose() is closed by the event loop in another task, maybe
                # after that transaction ended and the connection went to someone
                # else: there the cursor is left to the transaction's end
                if (outside or asyncio.current_task() is owner) and not raw.closed:
                    await cur.close()
                raise
            finally:
                # a cursor not closed above (a failed or cancelled FETCH, one left to
                # the transaction's end) is gone on the server with its transaction;
                # marked closed here so that psycopg does not warn when it is collected
                cur._closed = True

    async def begin(self) -> None:
        """Start a transaction."""
        await self.raw.execute("BEGIN")

    async def commit(self) -> None:
        """Commit the current transaction (an error if PostgreSQL rolled it back instead)."""
        cur = await self.raw.execute("COMMIT")
        if cur.statusmessage == "ROLLBACK":
            raise commit_refused()

    async def rollback(self) -> None:
        """Roll the current transaction back."""
        await self.raw.execute("ROLLBACK")


async def _cancel(raw: psycopg.AsyncConnection[Any]) -> None:
    cancel_safe = getattr(raw, "cancel_safe", None)  # psycopg >= 3.2
    if cancel_safe is not None:
        await cancel_safe(timeout=5.0)
    else:
        raw.cancel()


def _has_input(fd: int) -> bool:
    """True when something can be read from ``fd`` (data, or the peer's close)."""
    if _POLL is not None:
        poller = _POLL()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(0))
    readable, _, _ = select.select([fd], [], [], 0)  # Windows
    return bool(readable)


async def _alive(raw: psycopg.AsyncConnection[Any]) -> bool:
    """False for a connection the server closed while it sat idle in the pool.

    The server sends nothing to an idle session, except when it ends it: then the
    FATAL message (57P01 for pg_terminate_backend) and the close wait on the socket.
    So the common case costs a poll of the socket, no round trip; only when
    something arrived does an empty query tell a live connection from a dead one.
    """
    if raw.closed:
        return False
    try:
        if not _has_input(raw.pgconn.socket):
            return True
        await raw.execute("")
    except psycopg.Error:
        return False
    return True


class PsycopgPool:
    """A DriverPool over ``psycopg_pool.AsyncConnectionPool``.

    Every call into psycopg_pool that takes or gives back a connection runs in a
    task of its own, which the caller waits for through a shield. psycopg_pool is
    not safe against cancellation there: it waits for a free connection with
    ``asyncio.wait_for``, which on Python 3.11 swallows a cancellation that arrives
    with the connection (or drops the connection when a second one follows), and
    ``putconn`` hands a connection to the next waiter under locks that a
    cancellation interrupts half-way, losing the connection for good. A cancelled
    caller gets ``CancelledError`` at once; the task finishes the hand-over, and a
    connection it obtained for nobody goes straight back to psycopg_pool.

    Those tasks cost about as much as a short query on a local server, so a
    connection released clean stays checked out of psycopg_pool, in a stack of idle
    connections the next acquire takes first, with no task and no await. It goes
    back to psycopg_pool instead when someone waits there for a connection (so a
    waiter is never starved by the stack), and when it has been out for
    ``_HOLD_SECONDS``: at its own release, or, left unused at the bottom of the stack,
    at the next release of another one (so psycopg_pool's max_lifetime and idle
    shrinking still see it).
    """

    def __init__(self, pool: AsyncConnectionPool[Any], settings: ConnectionSettings) -> None:
        self._pool = pool
        self._target = settings.target()
        self._max = settings.pool_max_size
        self._timeout = settings.pool_timeout
        self._in_use = 0
        #: getconn and putconn calls under way in tasks of their own (close() waits for them)
        self._background: set[asyncio.Task[Any]] = set()
        #: clean connections checked out of psycopg_pool, ready to lend, with the
        #: monotonic time each one left psycopg_pool
        self._idle: list[tuple[psycopg.AsyncConnection[Any], float]] = []
        #: when each lent connection left psycopg_pool, by id()
        self._taken_at: dict[int, float] = {}
        #: acquires waiting in psycopg_pool's getconn
        self._getting = 0
        self._closed = False

    async def acquire(self) -> PsycopgConnection:
        """Lend a live connection; PoolTimeoutError when none frees up within pool_timeout.

        A connection the server closed while it sat in the pool (restart,
        ``pg_terminate_backend``, idle timeouts) is dropped here and the next one
        taken, so the caller's statement never meets it. psycopg-pool's own
        ``check=`` would cost a round trip per checkout, and sleeps a second or more
        before checking a second dead connection in a row.
        """
        idle = self._idle
        while idle:
            raw, taken_at = idle.pop()
            try:
                alive = await _alive(raw)
            except BaseException:
                await self._give_back(raw, close=True)  # cancelled mid-check: its state is unknown
                raise
            if alive:
                self._in_use += 1
                self._taken_at[id(raw)] = taken_at
                return PsycopgConnection(raw)
            await self._give_back(raw, close=True)
        deadline = time.monotonic() + self._timeout
        while True:
            getting = self._in_background(self._pool.getconn(max(deadline - time.monotonic(), 0.001)))
            self._getting += 1
            try:
                raw = await asyncio.shield(getting)
            except asyncio.CancelledError:
                # stop waiting in psycopg_pool's queue (cancelled once, which it
                # handles), and give back whatever connection it still hands over
                getting.cancel()
                getting.add_done_callback(self._put_back_unclaimed)
                raise
            except PoolTimeout:
                raise PoolTimeoutError(
                    f"no PostgreSQL connection became free within pool_timeout={self._timeout:g} s: "
                    f"all {self._max} connections (pool_max_size) stayed in use, or no new one could "
                    f"be opened to {self._target}. Keep transactions short, raise pool_max_size or "
                    "pool_timeout, and check that the server accepts connections"
                ) from None
            finally:
                self._getting -= 1
            try:
                alive = await _alive(raw)
            except BaseException:
                await self._give_back(raw, close=True)  # cancelled mid-check: its state is unknown
                raise
            if alive:
                self._in_use += 1
                self._taken_at[id(raw)] = time.monotonic()
                return PsycopgConnection(raw)
            await self._give_back(raw, close=True)

    def _in_background(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run ``work`` in a task that close() waits for."""
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    def _put_back_unclaimed(self, getting: asyncio.Task[psycopg.AsyncConnection[Any]]) -> None:
        """Give back the connection a getconn obtained after its caller was cancelled."""
        if not getting.cancelled() and getting.exception() is None:
            returning = self._in_background(self._return(getting.result(), close=False))
            # nobody awaits it: retrieve its outcome, as asyncio asks of every task
            returning.add_done_callback(lambda done: done.cancelled() or done.exception())

    async def _give_back(self, raw: psycopg.AsyncConnection[Any], *, close: bool) -> None:
        """Hand a connection back to psycopg_pool, closed first if ``close`` (the pool
        then opens a new one in its place). A cancellation of the caller stops the
        wait, not the hand-over."""
        await asyncio.shield(self._in_background(self._return(raw, close=close)))

    async def _return(self, raw: psycopg.AsyncConnection[Any], *, close: bool) -> None:
        try:
            if close and not raw.closed:
                if raw.pgconn.transaction_status == _ACTIVE:
                    # stop the statement on the server too: closing the socket
                    # alone leaves it running (and its locks held) until it ends
                    with contextlib.suppress(Exception):
                        await _cancel(raw)
                await raw.close()
        finally:
            await self._pool.putconn(raw)

    async def release(self, conn: Any, *, discard: bool = False) -> None:
        """Take a connection back: rolled back if a transaction is open, closed if
        ``discard``, if a statement is still running on it, or if it cannot be cleaned."""
        raw: psycopg.AsyncConnection[Any] = conn.raw
        self._in_use -= 1
        taken_at = self._taken_at.pop(id(raw), 0.0)
        try:
            if not discard and not raw.closed:
                status = raw.pgconn.transaction_status
                if status in _IN_TRANSACTION:
                    try:
                        await raw.execute("ROLLBACK")
                    except BaseException:
                        discard = True
                        raise
                elif status != _IDLE:
                    discard = True  # a statement is still running, or the link is lost
        finally:
            now = time.monotonic()
            idle = self._idle
            if (
                not discard
                and not self._closed
                and not self._getting
                and not raw.closed
                and now - taken_at < _HOLD_SECONDS
            ):
                idle.append((raw, taken_at))
                if now - idle[0][1] >= _HOLD_SECONDS:
                    # the bottom of the stack, unused for a while: psycopg_pool
                    # decides whether to keep it (max_idle, max_lifetime)
                    await self._give_back(idle.pop(0)[0], close=False)
            else:
                await self._give_back(raw, close=discard)

    async def close(self) -> None:
        """Close every connection."""
        self._closed = True
        idle, self._idle = self._idle, []
        for raw, _ in idle:
            await self._pool.putconn(raw)
        await self._pool.close()
        if self._background:
            # a getconn still waiting ends with PoolClosed, a connection handed back
            # now is closed; a cancel sent to the server takes up to 5 s
            await asyncio.wait(list(self._background), timeout=10)

    def stats(self) -> PoolStats:
        """Connections open, idle and lent out."""
        idle = int(self._pool.get_stats().get("pool_available", 0)) + len(self._idle)
        return PoolStats(size=idle + self._in_use, idle=idle, in_use=self._in_use)


def _connect_kwargs(settings: ConnectionSettings) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "user": settings.user,
        "dbname": settings.database,
        "connect_timeout": settings.connect_timeout_seconds,
        "autocommit": True,
    }
    if not settings.pgbouncer:
        # timestamptz values come back in UTC (as datetime.timezone.utc); PgBouncer
        # refuses the `options` startup parameter, so there configure() sets it
        kwargs["options"] = "-c TimeZone=UTC"
    if settings.password is not None:
        kwargs["password"] = settings.password
    if settings.statement_cache_size == 0:
        kwargs["prepare_threshold"] = None
    return kwargs


async def open_pool(settings: ConnectionSettings) -> PsycopgPool:
    """Check that the server accepts a connection, then open the pool."""
    kwargs = _connect_kwargs(settings)
    try:
        probe = await asyncio.wait_for(
            psycopg.AsyncConnection.connect(**kwargs), settings.connect_timeout
        )
    except Exception as err:
        raise connect_failure(err, settings) from err
    await probe.close()

    cache_size = settings.statement_cache_size
    pgbouncer = settings.pgbouncer

    async def configure(conn: psycopg.AsyncConnection[Any]) -> None:
        if cache_size:
            conn.prepared_max = cache_size
        if pgbouncer:
            # TimeZone is one of the parameters PgBouncer tracks per client and sets on
            # whichever server connection runs the next transaction
            await conn.execute("SET TimeZone TO 'UTC'")

    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
        "",
        kwargs=kwargs,
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        timeout=settings.pool_timeout,
        configure=configure,
        open=False,
        name="kakaorm",
    )
    try:
        await pool.open(wait=True, timeout=settings.connect_timeout + 5)
    except Exception as err:
        await pool.close()
        raise connect_failure(err, settings) from err
    return PsycopgPool(pool, settings)
