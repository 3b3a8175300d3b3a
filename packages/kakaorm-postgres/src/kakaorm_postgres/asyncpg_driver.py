"""The asyncpg adapter: asyncpg's own pool, connections in autocommit outside BEGIN."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime
from collections.abc import AsyncIterator, Coroutine, Sequence
from typing import Any, TypeVar

import asyncpg  # type: ignore[import-untyped]

from kakaorm.dialect import PoolStats, limit_reads
from kakaorm.exc import PoolTimeoutError

from .driver import ConnectionSettings, commit_refused, connect_failure
from .errors import UnreadableValueError

__all__ = ["AsyncpgConnection", "AsyncpgPool", "open_pool"]

T = TypeVar("T")


#: seconds a discarded connection may take to close gracefully (its cancelled
#: statement acknowledged by the server) before it is terminated
_CLOSE_TIMEOUT = 5.0


def _rowcount(status: str) -> int:
    # "UPDATE 3", "INSERT 0 1", "DELETE 0"; DDL statuses carry no count
    count = status.rpartition(" ")[2]
    return int(count) if count.isdigit() else -1


class AsyncpgConnection:
    """A DriverConnection over one pooled asyncpg connection.

    Attributes:
        raw: the connection as asyncpg's pool lent it (a proxy), which goes back to it.
        con: the connection under the proxy, which statements run on. The proxy checks
            on every call that it was not given back; KakaORM gives a connection back
            only closed (or when the pool closes), and a closed connection refuses
            statements by itself, so the check would guard nothing.
    """

    __slots__ = ("con", "raw")

    def __init__(self, raw: asyncpg.Connection) -> None:
        self.raw = raw
        # asyncpg has no public way to the proxied connection: without one, the proxy
        self.con: asyncpg.Connection = getattr(raw, "_con", None) or raw

    async def execute(self, sql: str, params: Sequence[Any]) -> int:
        """Run a statement; return the rows it matched (-1 for DDL)."""
        return _rowcount(await self.con.execute(sql, *params))

    async def execute_insert(self, sql: str, params: Sequence[Any]) -> Any:
        """Run an INSERT; keys come back through RETURNING on PostgreSQL, so None."""
        await self.con.execute(sql, *params)
        return None

    def fetch(self, sql: str, params: Sequence[Any]) -> Coroutine[Any, Any, Sequence[Sequence[Any]]]:
        """Run a query; return asyncpg Records (they index by position).

        asyncpg's own coroutine is handed over as it is: awaited through no wrapper.
        """
        return self.con.fetch(sql, *params)  # type: ignore[no-any-return]

    async def fetch_described(
        self, sql: str, params: Sequence[Any]
    ) -> tuple[list[str], Sequence[Sequence[Any]]]:
        """Run a query; return its column names and rows."""
        rows = await self.con.fetch(sql, *params)
        if rows:
            return list(rows[0].keys()), rows
        # no row to read the names from: ask the server to describe the statement
        prepared = await self.con.prepare(sql)
        return [attr.name for attr in prepared.get_attributes()], rows

    async def iterate(
        self, sql: str, params: Sequence[Any], *, chunk_size: int = 500
    ) -> AsyncIterator[Sequence[Any]]:
        """Stream rows through a server-side cursor, ``chunk_size`` rows per fetch.

        A cursor lives in a transaction: the caller's, or a read transaction opened
        here and ended when the iteration ends (or is closed early).
        """
        raw = self.con
        block: contextlib.AbstractAsyncContextManager[Any] = (
            contextlib.nullcontext() if raw.is_in_transaction() else raw.transaction()
        )
        async with block:
            # explicit FETCHes of chunk_size: asyncpg's record-by-record cursor
            # iterator costs an await per row
            cursor = await raw.cursor(sql, *params)
            while True:
                records = await cursor.fetch(chunk_size)
                if not records:
                    break
                for record in records:
                    yield record

    async def begin(self) -> None:
        """Start a transaction."""
        await self.con.execute("BEGIN")

    async def commit(self) -> None:
        """Commit the current transaction (an error if PostgreSQL rolled it back instead)."""
        if await self.con.execute("COMMIT") == "ROLLBACK":
            raise commit_refused()

    async def rollback(self) -> None:
        """Roll the current transaction back."""
        await self.con.execute("ROLLBACK")


async def _no_reset(conn: asyncpg.Connection) -> None:
    # AsyncpgPool.release() already rolled back an open transaction; KakaORM changes
    # no other session state, so asyncpg's default reset (a round trip per release
    # running RESET ALL, UNLISTEN *, ...) would be pure cost.
    return None


def _is_closed(raw: asyncpg.Connection) -> bool:
    try:
        return bool(raw.is_closed())
    except asyncpg.InterfaceError:
        return True  # terminated: asyncpg already took it back from the proxy


class AsyncpgPool:
    """A DriverPool over ``asyncpg.create_pool``, with an acquire timeout.

    asyncpg's pool opens, configures and closes the connections. A connection
    KakaORM releases clean stays checked out of it, in a stack of idle connections
    that the next acquire takes first: handing it back to asyncpg and borrowing it
    again would cost a task and a timer per statement (asyncpg shields every
    release), about as much as a short query on a local server.
    """

    def __init__(self, pool: asyncpg.Pool, settings: ConnectionSettings) -> None:
        self._pool = pool
        self._settings = settings
        self._max = settings.pool_max_size
        self._timeout = settings.pool_timeout
        #: clean connections checked out of asyncpg's pool, ready to lend
        self._idle: list[AsyncpgConnection] = []
        #: connections lent to the engine
        self._lent = 0
        #: asyncpg acquisitions and releases under way (slots neither free nor idle)
        self._moving = 0
        #: tasks waiting for a connection, first come first served; woken one at a
        #: time when one frees up. Whoever takes a waiter out of it (the waker, or the
        #: waiter itself when it gives up) pops it, so it leaves exactly once.
        self._waiters: collections.OrderedDict[asyncio.Future[None], None] = collections.OrderedDict()
        #: woken waiters that have not run yet
        self._woken = 0
        #: connections being opened or closed apart from the task that asked (see
        #: _take and _give_back)
        self._background: set[asyncio.Task[Any]] = set()
        self._closed = False

    async def acquire(self) -> AsyncpgConnection:
        """Lend a connection; PoolTimeoutError when none frees up within pool_timeout."""
        # the usual case, inline: an idle connection and nobody queued before us
        idle = self._idle
        while idle and not (self._waiters or self._woken):
            conn = idle.pop()
            if not conn.con.is_closed():
                self._lent += 1
                return conn
            await self._give_back(conn.raw)
        return await self._acquire_queued()

    async def _acquire_queued(self) -> AsyncpgConnection:
        deadline: float | None = None
        while True:
            # a newcomer queues behind tasks already waiting or just woken
            if deadline is not None or not (self._waiters or self._woken):
                conn = await self._take()
                if conn is not None:
                    self._lent += 1
                    return conn
            if deadline is None:
                deadline = asyncio.get_running_loop().time() + self._timeout
            await self._wait(deadline)

    async def _take(self) -> AsyncpgConnection | None:
        """An idle connection, else a new one from a free slot, else None."""
        idle = self._idle
        while idle:
            conn = idle.pop()
            if not conn.con.is_closed():
                return conn
            await self._give_back(conn.raw)
        if self._lent + len(idle) + self._moving >= self._max:
            return None
        # a slot is free, so asyncpg lends at once (opening a connection is bounded
        # by connect_timeout). The open runs in a task of its own: cancelling asyncpg
        # half-way through its connection handshake leaves a future nobody reads
        # ("Future exception was never retrieved"), so a cancelled caller leaves the
        # open to finish and the connection goes to the next waiter.
        self._moving += 1
        opening = self._in_background(self._borrow())
        try:
            conn = await asyncio.shield(opening)
        except asyncio.CancelledError:
            opening.add_done_callback(self._adopt)
            raise
        except Exception as err:
            self._moving -= 1
            self._wake_one()  # the slot is free for a waiter
            raise connect_failure(err, self._settings) from err
        self._moving -= 1
        return conn

    async def _borrow(self) -> AsyncpgConnection:
        return AsyncpgConnection(await self._pool.acquire())

    def _adopt(self, opening: asyncio.Task[AsyncpgConnection]) -> None:
        """Keep the connection an abandoned open brought, idle for the next waiter."""
        self._moving -= 1
        if not opening.cancelled() and opening.exception() is None:
            self._idle.append(opening.result())
        self._wake_one()

    def _in_background(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run ``work`` in a task that close() waits for."""
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def _wait(self, deadline: float) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters[waiter] = None
        try:
            async with asyncio.timeout_at(deadline):
                await waiter
        except BaseException as err:
            # Cancelling the task cancels the waiter future at once, but this code
            # runs only later: meanwhile _wake_one may have popped the cancelled
            # waiter (and woken the next one instead). Leave the queue only if still in it.
            self._waiters.pop(waiter, None)
            if waiter.done() and not waiter.cancelled():
                # woken, but leaving (timeout or cancellation): pass the wake-up on
                self._woken -= 1
                self._wake_one()
            else:
                waiter.cancel()
            if isinstance(err, TimeoutError):
                raise PoolTimeoutError(
                    f"no PostgreSQL connection became free within pool_timeout={self._timeout:g} s: "
                    f"all {self._max} connections (pool_max_size) stayed in use. Keep transactions "
                    "short, raise pool_max_size, or raise pool_timeout"
                ) from None
            raise
        self._woken -= 1

    def _wake_one(self) -> None:
        while self._waiters:
            waiter, _ = self._waiters.popitem(last=False)
            if not waiter.done():  # a cancelled one is skipped: the next waiter gets the turn
                waiter.set_result(None)
                self._woken += 1
                return

    async def _give_back(self, raw: Any) -> None:
        """Close a connection and return its slot to asyncpg.

        The caller is often a task being cancelled mid-statement. asyncpg has then
        sent the server a cancel request from a task of its own; closing gracefully
        waits for it, so the server stops the statement (rather than running it to
        the end with its locks held) and no asyncpg future is left unretrieved.
        Terminating at once would cancel that task half-way. The close runs in a
        task the caller waits for through a shield: a second cancel of the caller
        stops the wait, not the close.
        """
        self._moving += 1
        await asyncio.shield(self._in_background(self._close_and_return(raw)))

    async def _close_and_return(self, raw: Any) -> None:
        try:
            if not _is_closed(raw):
                # a close that fails has asyncpg terminate the connection instead
                with contextlib.suppress(Exception):
                    await raw.close(timeout=_CLOSE_TIMEOUT)
            await self._pool.release(raw)
        finally:
            self._moving -= 1
            self._wake_one()

    async def release(self, conn: Any, *, discard: bool = False) -> None:
        """Take a connection back: rolled back if a transaction is open, closed if
        ``discard`` or if it cannot be cleaned."""
        con = conn.con
        self._lent -= 1
        if not (discard or self._closed or con.is_closed() or con.is_in_transaction()):
            # the usual case, inline: clean, so idle again at once
            self._idle.append(conn)
            if self._waiters:
                self._wake_one()
            return
        raw: asyncpg.Connection = conn.raw
        self._moving += 1  # until it is idle again or given back
        closed = _is_closed(raw)
        try:
            if not discard and not closed and raw.is_in_transaction():
                try:
                    await raw.execute("ROLLBACK")
                except BaseException:
                    discard = True
                    raise
        finally:
            self._moving -= 1
            if discard or closed or self._closed or _is_closed(raw):
                await self._give_back(raw)
            else:
                self._idle.append(conn)
                self._wake_one()

    async def close(self) -> None:
        """Close every connection."""
        self._closed = True
        if self._background:
            # opens are bounded by connect_timeout, closes by _CLOSE_TIMEOUT
            bound = max(self._settings.connect_timeout, _CLOSE_TIMEOUT) + 1
            await asyncio.wait(list(self._background), timeout=bound)
        idle, self._idle = self._idle, []
        for conn in idle:
            await self._pool.release(conn.raw)
        try:
            # a connection still lent out would make asyncpg wait for it forever
            await asyncio.wait_for(self._pool.close(), self._timeout)
        except TimeoutError:
            self._pool.terminate()

    async def forget_statements(self) -> None:
        """Drop the prepared statements every connection keeps: after DDL they may
        describe columns as they were (asyncpg caches them by SQL text)."""
        if self._idle:
            # on a pooled connection this resets the caches of the whole asyncpg pool
            await self._idle[-1].raw.reload_schema_state()

    def stats(self) -> PoolStats:
        """Connections open, idle and lent out."""
        idle = len(self._idle) + self._pool.get_idle_size()
        return PoolStats(size=idle + self._lent, idle=idle, in_use=self._lent)


# -- dates and times --------------------------------------------------------------
#
# asyncpg's own codecs send datetime.min/max (and date.min/max) as PostgreSQL's
# -infinity/infinity, and read those back as naive datetimes: year 1 and
# 9999-12-31 23:59:59.999999 were stored as something else and came back without a
# time zone. These codecs work on asyncpg's "tuple" form (microseconds or days
# since 2000-01-01, PostgreSQL's epoch) and convert every value exactly.

_UTC = datetime.UTC
_PG_EPOCH = datetime.datetime(2000, 1, 1)
_PG_EPOCH_UTC = _PG_EPOCH.replace(tzinfo=_UTC)
_PG_EPOCH_DAY = _PG_EPOCH.toordinal()
#: how PostgreSQL writes infinity and -infinity in the binary form of timestamps
_TIMESTAMP_INFINITY = {2**63 - 1: "'infinity'", -(2**63): "'-infinity'"}
#: ... and of dates
_DATE_INFINITY = {2**31 - 1: "'infinity'", -(2**31): "'-infinity'"}


def _unreadable(kind: str, raw: int, python_type: str) -> UnreadableValueError:
    infinity = _DATE_INFINITY if kind == "date" else _TIMESTAMP_INFINITY
    what = infinity.get(raw) or ("a year after 9999" if raw > 0 else "a year before 1")
    return UnreadableValueError(
        f"PostgreSQL sent a {kind} value that Python's {python_type} cannot hold ({what}). "
        "Store NULL or a value from year 1 to 9999 instead, or select the column as text "
        "(column::text)"
    )


def _microseconds(delta: datetime.timedelta) -> tuple[int]:
    return ((delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds,)


def _encode_timestamptz(value: Any) -> tuple[int]:
    # a naive datetime is UTC, as everywhere in KakaORM (asyncpg would take local time)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_UTC)
        return _microseconds(value - _PG_EPOCH_UTC)
    if isinstance(value, datetime.date):
        return _microseconds(datetime.datetime(value.year, value.month, value.day, tzinfo=_UTC) - _PG_EPOCH_UTC)
    raise TypeError(f"expected a datetime.datetime, got {type(value).__name__}")


def _decode_timestamptz(value: tuple[int]) -> datetime.datetime:
    raw = value[0]
    try:
        if raw not in _TIMESTAMP_INFINITY:
            return _PG_EPOCH_UTC + datetime.timedelta(microseconds=raw)
    except OverflowError:
        pass
    raise _unreadable("timestamptz", raw, "datetime")


def _encode_timestamp(value: Any) -> tuple[int]:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            raise TypeError("a timestamp without time zone takes a naive datetime; got an aware one")
        return _microseconds(value - _PG_EPOCH)
    if isinstance(value, datetime.date):
        return _microseconds(datetime.datetime(value.year, value.month, value.day) - _PG_EPOCH)
    raise TypeError(f"expected a datetime.datetime, got {type(value).__name__}")


def _decode_timestamp(value: tuple[int]) -> datetime.datetime:
    raw = value[0]
    try:
        if raw not in _TIMESTAMP_INFINITY:
            return _PG_EPOCH + datetime.timedelta(microseconds=raw)
    except OverflowError:
        pass
    raise _unreadable("timestamp", raw, "datetime")


def _encode_date(value: Any) -> tuple[int]:
    if isinstance(value, datetime.date):  # a datetime too: its date, as asyncpg does
        return (value.toordinal() - _PG_EPOCH_DAY,)
    raise TypeError(f"expected a datetime.date, got {type(value).__name__}")


def _decode_date(value: tuple[int]) -> datetime.date:
    raw = value[0]
    if raw not in _DATE_INFINITY:
        try:
            return datetime.date.fromordinal(raw + _PG_EPOCH_DAY)
        except (ValueError, OverflowError):
            pass
    raise _unreadable("date", raw, "date")


async def _set_codecs(conn: asyncpg.Connection) -> None:
    """Run on every new connection: KakaORM's exact date and time codecs, and reads of
    at most :data:`kakaorm.dialect.READ_SIZE` bytes from its socket."""
    limit_reads(getattr(conn, "_transport", None))
    for name, encoder, decoder in (
        ("timestamptz", _encode_timestamptz, _decode_timestamptz),
        ("timestamp", _encode_timestamp, _decode_timestamp),
        ("date", _encode_date, _decode_date),
    ):
        await conn.set_type_codec(name, schema="pg_catalog", encoder=encoder, decoder=decoder, format="tuple")


async def open_pool(settings: ConnectionSettings) -> AsyncpgPool:
    """Open the pool; at least one connection is opened to check the settings."""
    # bulk_create's multi-row INSERTs are long texts of one repeated shape; asyncpg
    # would re-prepare any statement over 15 KiB on every run
    kwargs: dict[str, Any] = {"max_cacheable_statement_size": 256 * 1024}
    if settings.statement_cache_size is not None:
        kwargs["statement_cache_size"] = settings.statement_cache_size
    pool: asyncpg.Pool | None = None
    try:
        pool = await asyncpg.create_pool(
            host=settings.host,
            port=settings.port,
            user=settings.user,
            password=settings.password,
            database=settings.database,
            timeout=settings.connect_timeout,
            min_size=settings.pool_min_size,
            max_size=settings.pool_max_size,
            reset=_no_reset,
            init=_set_codecs,
            server_settings={"TimeZone": "UTC"},
            **kwargs,
        )
        if settings.pool_min_size == 0:
            probe = await pool.acquire()
            await pool.release(probe)
    except Exception as err:
        if pool is not None:
            pool.terminate()
        raise connect_failure(err, settings) from err
    return AsyncpgPool(pool, settings)
