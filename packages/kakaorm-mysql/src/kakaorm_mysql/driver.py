"""The aiomysql adapter: connections, and a pool that lends them with a timeout.

Statements run through ``Connection.query`` rather than a Cursor: a Cursor sends an
extra ``SHOW WARNINGS`` after any statement with warnings (and turns them into
Python warnings), which costs a round trip; strict SQL mode already turns the
warnings that matter into errors.

The pool is ours rather than ``aiomysql.Pool``: that one has no acquire timeout,
does not wake a waiting task when a connection is closed instead of returned, and
schedules a task on every release. This one is a LIFO stack (the most recently
used connection is lent first) with FIFO waiters and a deadline.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import aiomysql  # type: ignore[import-untyped]
from pymysql.constants import CLIENT  # type: ignore[import-untyped]

from kakaorm.dialect import PoolStats, limit_reads
from kakaorm.exc import InterfaceError, PoolTimeoutError, QueryError

from .errors import connect_error

#: strict mode: an out-of-range number or an over-long string is an error, never
#: silently clipped; zero dates are refused
SQL_MODE = (
    "STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
    "NO_ENGINE_SUBSTITUTION"
)

#: run on every new connection: UTC for NOW() and friends, no notes (e.g. "table
#: already exists" after CREATE TABLE IF NOT EXISTS), and READ COMMITTED as on
#: PostgreSQL (InnoDB's default REPEATABLE READ keeps one snapshot per transaction)
SESSION_SETUP = (
    f"SET SESSION sql_mode = '{SQL_MODE}', time_zone = '+00:00', sql_notes = 0",
    "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
)


@dataclass(frozen=True)
class ConnectSettings:
    """Where and how to connect; ``password`` never appears in ``repr``."""

    host: str
    port: int
    user: str | None
    password: str
    database: str | None
    connect_timeout: float

    def __repr__(self) -> str:
        return f"ConnectSettings({self.location()})"

    def location(self) -> str:
        """``host:port (database 'x', user 'y')`` for error messages."""
        return f"{self.host}:{self.port} (database {self.database!r}, user {self.user!r})"


@dataclass(frozen=True)
class ServerInfo:
    """What KakaORM needs to know about the server it talks to."""

    version: str
    mariadb: bool
    version_tuple: tuple[int, ...]
    autoinc_lock_mode: int | None
    auto_increment_increment: int
    max_allowed_packet: int


class MySQLConnection:
    """A DriverConnection over one aiomysql connection (autocommit outside BEGIN)."""

    __slots__ = ("_escape", "busy", "raw", "streaming")

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self._escape = raw.escape
        #: a statement was sent and its result not fully read (stays True when the
        #: task is cancelled meanwhile: the server may still be running it)
        self.busy = False
        #: iterate() is reading an unbuffered result: no other statement can run
        #: on the connection until it is read to the end or closed
        self.streaming = False

    def _sql(self, sql: str, params: Sequence[Any]) -> str:
        # always interpolated, even without parameters, so "%%" is one "%" everywhere
        if not params:
            return sql % ()
        escape = self._escape
        # text through the connection's escape_string, which follows the session's
        # NO_BACKSLASH_ESCAPES; the common exact types skip aiomysql's type dispatch
        escape_string = self.raw.escape_string
        out: list[str] = []
        append = out.append
        for v in params:
            t = type(v)
            if t is str:
                append("'" + escape_string(v) + "'")
            elif t is int:
                append(str(v))
            elif v is None:
                append("NULL")
            elif t is bytes:
                # a hex literal: aiomysql's own bytes escaping fails with some PyMySQL
                # versions, and hex needs no charset or escaping mode
                append("X'" + v.hex() + "'")
            else:
                append(escape(v))
        return sql % tuple(out)

    async def _query(self, sql: str, params: Sequence[Any]) -> Any:
        raw = self.raw
        if self.busy and self.streaming:
            raise _streaming_error()
        text = self._sql(sql, params)
        if raw.closed:
            # aiomysql raises its InterfaceError here; busy keeps telling whether an
            # earlier statement was left running on the server
            await raw.query(text)
        self.busy = True
        try:
            await raw.query(text)
            result = raw._result
            while raw._result.has_next:
                # a CALL ends with a status result; read it so the connection stays in sync
                await raw.next_result()
        except Exception:
            if not raw.closed:
                self.busy = False  # the server answered, with an error
            raise
        self.busy = False
        return result

    async def execute(self, sql: str, params: Sequence[Any]) -> int:
        """Run a statement; return the rows it matched (FOUND_ROWS) or affected."""
        result = await self._query(sql, params)
        return int(result.affected_rows or 0)

    async def execute_insert(self, sql: str, params: Sequence[Any]) -> Any:
        """Run an INSERT; return the generated key of its first row."""
        result = await self._query(sql, params)
        return result.insert_id

    async def fetch(self, sql: str, params: Sequence[Any]) -> Sequence[Sequence[Any]]:
        """Run a query; return its rows as tuples."""
        result = await self._query(sql, params)
        return result.rows or ()

    async def fetch_described(
        self, sql: str, params: Sequence[Any]
    ) -> tuple[list[str], Sequence[Sequence[Any]]]:
        """Run a query; return its column names and its rows."""
        result = await self._query(sql, params)
        names = [d[0] for d in result.description or ()]
        return names, result.rows or ()

    async def iterate(
        self, sql: str, params: Sequence[Any], *, chunk_size: int = 500
    ) -> AsyncIterator[Sequence[Any]]:
        """Stream a query's rows through an unbuffered cursor, ``chunk_size`` rows
        read from the socket at a time.

        Until the result is read to the end the connection can run nothing else
        (another statement raises :class:`~kakaorm.exc.QueryError`). Closed early,
        the rest of the result is read and dropped, so the connection stays usable;
        a failed or cancelled read leaves ``busy`` set and the pool discards it.
        """
        if self.busy and self.streaming:
            raise _streaming_error()
        raw = self.raw
        cursor = aiomysql.SSCursor(raw)
        self.busy = True
        self.streaming = True
        try:
            try:
                await cursor.execute(sql, tuple(params))
            except Exception:
                if not raw.closed:
                    self.busy = False  # the server answered, with an error
                raise
            while True:
                rows = await cursor.fetchmany(chunk_size)
                if not rows:
                    break
                for row in rows:
                    yield row
            self.busy = False
        except GeneratorExit:
            # closed early: read and drop the rest of the result. An iterator dropped
            # without aclose() is closed by the event loop in another task; the
            # owner's statements meanwhile get the QueryError above
            if not raw.closed:
                await cursor.close()
                self.busy = False
            raise
        finally:
            self.streaming = False
    async def begin(self) -> None:
        """Start a transaction."""
        await self.execute("BEGIN", ())

    async def commit(self) -> None:
        """Commit the current transaction."""
        await self.execute("COMMIT", ())

    async def rollback(self) -> None:
        """Roll the current transaction back."""
        await self.execute("ROLLBACK", ())

    def usable(self) -> bool:
        """False when the socket is closed, or the server has closed its end."""
        reader = self.raw._reader
        return reader is not None and not reader.at_eof()


def _streaming_error() -> QueryError:
    return QueryError(
        "MariaDB/MySQL cannot run another statement on this connection while "
        "iterator() streams a result on it (an unbuffered result is read from the "
        "connection as the loop consumes it). Inside engine.transaction(), finish the "
        "loop, or close the iterator before the next query (async with "
        "contextlib.aclosing(qs.iterator()) as rows: ...); or load the rows with "
        "`await qs`; or stream outside the transaction, where the loop body's queries "
        "use other pooled connections"
    )


async def open_connection(settings: ConnectSettings) -> MySQLConnection:
    """Open and prepare one connection, within ``connect_timeout`` for the whole of it.

    The deadline is ``asyncio.timeout``, never ``asyncio.wait_for``: on Python 3.11
    wait_for returns the result and drops a cancellation that lands in the step the
    awaited work finishes, and the cancelled task then runs its statement anyway.
    aiomysql waits for its socket with wait_for when given a connect_timeout, so it
    is given none.

    Raises:
        OperationalError: the server cannot be reached or refuses the login.
    """
    raw = aiomysql.Connection(
        host=settings.host,
        port=settings.port,
        user=settings.user,
        password=settings.password,
        db=settings.database,
        charset="utf8mb4",
        autocommit=True,
        # UPDATE reports the rows it matched, not only those it changed
        client_flag=CLIENT.FOUND_ROWS,
        connect_timeout=None,
    )
    # aiomysql always asks for multi-statement support; one statement per call keeps
    # results in sync and a raw statement from smuggling in a second one
    raw.client_flag &= ~CLIENT.MULTI_STATEMENTS
    try:
        async with asyncio.timeout(settings.connect_timeout):
            await raw._connect()
            # aiomysql reads through an asyncio stream; see kakaorm.dialect.READ_SIZE
            limit_reads(getattr(raw._writer, "transport", None))
            for sql in SESSION_SETUP:
                await raw.query(sql)
    except (Exception, asyncio.CancelledError) as err:
        raw.close()
        if isinstance(err, asyncio.CancelledError):
            raise
        raise connect_error(err, settings.location()) from None
    return MySQLConnection(raw)


async def probe_server(conn: MySQLConnection) -> ServerInfo:
    """Read the server's flavour, version and the settings bulk inserts depend on."""
    version: str = conn.raw.get_server_info()
    # MariaDB before 11 reports "5.5.5-10.11.6-MariaDB..." for old replication clients
    if version.startswith("5.5.5-"):
        version = version[len("5.5.5-"):]
    numbers: list[int] = []
    for part in version.split("-")[0].split("."):
        if not part.isdigit():
            break
        numbers.append(int(part))
    lock_mode: int | None
    try:
        rows = await conn.fetch("SELECT @@innodb_autoinc_lock_mode", ())
        lock_mode = int(rows[0][0])
    except Exception:  # noqa: BLE001 - a server without InnoDB settings: assume the worst
        lock_mode = None
    rows = await conn.fetch("SELECT @@auto_increment_increment, @@max_allowed_packet", ())
    return ServerInfo(
        version=version,
        mariadb="mariadb" in version.lower(),
        version_tuple=tuple(numbers),
        autoinc_lock_mode=lock_mode,
        auto_increment_increment=int(rows[0][0]),
        max_allowed_packet=int(rows[0][1]),
    )


class MySQLPool:
    """Lends connections; opens new ones up to ``max_size``; waits at most ``timeout``."""

    def __init__(self, settings: ConnectSettings, min_size: int, max_size: int, timeout: float) -> None:
        self._settings = settings
        self._min_size = min_size
        self._max_size = max_size
        self._timeout = timeout
        self._idle: list[MySQLConnection] = []
        self._waiters: collections.deque[asyncio.Future[MySQLConnection | None]] = collections.deque()
        self._size = 0  # open or opening
        self._in_use = 0
        self._closed = False
        self._killers: set[asyncio.Task[None]] = set()
        #: connections being opened (close() waits for them)
        self._opening: set[asyncio.Task[MySQLConnection]] = set()

    async def start(self) -> ServerInfo:
        """Open ``min_size`` connections (at least one, to check the settings) and probe the server."""
        conn = await self._open()
        try:
            info = await probe_server(conn)
        finally:
            self._in_use -= 1
            self._idle.append(conn)
        while self._size < self._min_size:
            extra = await self._open()
            self._in_use -= 1
            self._idle.append(extra)
        return info

    async def acquire(self) -> MySQLConnection:
        """Lend a connection; PoolTimeoutError when none is free within the timeout."""
        if self._closed:
            raise InterfaceError("this engine's connection pool is closed; call kakaorm.connect() again")
        conn = self._take_idle()
        if conn is not None:
            return conn
        if self._size < self._max_size:
            return await self._open()
        return await self._wait()

    def _take_idle(self) -> MySQLConnection | None:
        idle = self._idle
        while idle:
            conn = idle.pop()
            if conn.usable():
                self._in_use += 1
                return conn
            # closed by the server while idle (wait_timeout, restart): drop it
            conn.raw.close()
            self._size -= 1
        return None

    async def _open(self) -> MySQLConnection:
        """Open a connection for the caller, in a task of its own.

        A caller cancelled meanwhile sees CancelledError at once, whatever stage the
        open is at, and the open goes on: its connection goes to the next waiter or
        stays idle (see _adopt), rather than being thrown away half-opened.
        """
        self._size += 1
        opening = asyncio.get_running_loop().create_task(open_connection(self._settings))
        self._opening.add(opening)
        opening.add_done_callback(self._opening.discard)
        try:
            conn = await asyncio.shield(opening)
        except asyncio.CancelledError:
            opening.add_done_callback(self._adopt)
            raise
        except BaseException:
            self._size -= 1
            self._wake_one()
            raise
        self._in_use += 1
        if self._closed:
            await self.release(conn, discard=True)
            raise InterfaceError("this engine's connection pool was closed while connecting")
        return conn

    def _adopt(self, opening: asyncio.Task[MySQLConnection]) -> None:
        """Keep the connection an open brought after its caller was cancelled."""
        if opening.cancelled() or opening.exception() is not None:
            self._size -= 1
            self._wake_one()
            return
        conn = opening.result()
        if self._closed:
            conn.raw.close()
            self._size -= 1
            return
        self._in_use += 1  # lent to nobody yet: _hand_over lends it or puts it back
        self._hand_over(conn)

    async def _wait(self) -> MySQLConnection:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        while True:
            fut: asyncio.Future[MySQLConnection | None] = loop.create_future()
            self._waiters.append(fut)
            try:
                async with asyncio.timeout_at(deadline):
                    handed = await fut
            except BaseException as err:
                self._abandon(fut)
                if isinstance(err, TimeoutError):
                    raise PoolTimeoutError(
                        f"no connection to {self._settings.location()} became free within "
                        f"pool_timeout={self._timeout:g} s: all {self._max_size} connections "
                        "(pool_max_size) stayed in use. Keep transactions short, raise "
                        "pool_max_size, or raise pool_timeout"
                    ) from None
                raise
            if handed is not None:
                return handed
            # a connection was closed: its slot is free
            if self._closed:
                raise InterfaceError("this engine's connection pool was closed while waiting")
            conn = self._take_idle()
            if conn is not None:
                return conn
            if self._size < self._max_size:
                return await self._open()

    def _abandon(self, fut: asyncio.Future[MySQLConnection | None]) -> None:
        """A waiter gave up (timeout or cancellation): pass on what it may have been given."""
        if fut.cancelled() or not fut.done():
            fut.cancel()
            with contextlib.suppress(ValueError):
                self._waiters.remove(fut)
            return
        handed = fut.result()
        if handed is None:
            self._wake_one()
        else:
            self._hand_over(handed)

    def _wake_one(self) -> None:
        """Tell the first waiter that a slot is free (it may open a connection)."""
        while self._waiters:
            fut = self._waiters.popleft()
            if not fut.done():
                fut.set_result(None)
                return

    def _hand_over(self, conn: MySQLConnection) -> None:
        """Give a healthy connection to the first waiter, or put it back on the stack."""
        while self._waiters:
            fut = self._waiters.popleft()
            if not fut.done():
                fut.set_result(conn)  # stays lent: in_use is unchanged
                return
        self._in_use -= 1
        self._idle.append(conn)

    async def release(self, conn: Any, *, discard: bool = False) -> None:
        """Take a connection back: rolled back if inside a transaction, closed if discarded.

        A connection whose statement was sent and not answered (its task was
        cancelled) is always closed: the server may still be running it, and the
        transaction status it last reported may be out of date.
        """
        raw = conn.raw
        if conn.busy:
            discard = True
        try:
            if not discard and not self._closed and raw.get_transaction_status():
                # returned inside a transaction (e.g. a raw BEGIN): never lend it so
                try:
                    await conn.rollback()
                except asyncio.CancelledError:
                    discard = True
                    raise
                except Exception:  # noqa: BLE001 - closing the connection rolls back too
                    discard = True
        finally:
            if discard or self._closed or not conn.usable():
                raw.close()
                self._in_use -= 1
                self._size -= 1
                if conn.busy:
                    self._kill_server_side(raw.thread_id())
                self._wake_one()
            else:
                self._hand_over(conn)

    def _kill_server_side(self, thread_id: int) -> None:
        """End the server thread of a connection dropped mid-statement.

        Closing the socket is not enough: the server finishes the statement first
        (a long query or a lock wait), holding the transaction's row locks until
        then. ``KILL`` stops it now and rolls the transaction back.
        """

        async def kill() -> None:
            try:
                conn = await open_connection(self._settings)
            except Exception:  # noqa: BLE001 - the server ends the thread when the statement ends
                return
            try:
                await conn.execute(f"KILL CONNECTION {int(thread_id)}", ())
            except Exception:  # noqa: BLE001 - it may have ended by itself meanwhile
                pass
            finally:
                conn.raw.close()

        task = asyncio.get_running_loop().create_task(kill())
        self._killers.add(task)
        task.add_done_callback(self._killers.discard)

    async def close(self) -> None:
        """Close idle connections now and lent ones when they come back."""
        if self._closed:
            return
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            self._size -= 1
            try:
                async with asyncio.timeout(2.0):
                    await conn.raw.ensure_closed()
            except Exception:  # noqa: BLE001 - closing anyway (TimeoutError included)
                conn.raw.close()
        while self._waiters:
            fut = self._waiters.popleft()
            if not fut.done():
                fut.set_result(None)
        # opens and kills are bounded by connect_timeout; an open that ends now finds
        # the pool closed and closes its connection
        pending = self._opening | self._killers
        if pending:
            await asyncio.wait(pending, timeout=self._settings.connect_timeout + 1)

    def stats(self) -> PoolStats:
        """Connections open, idle and lent out."""
        return PoolStats(size=self._size, idle=len(self._idle), in_use=self._in_use)


async def open_pool(
    settings: ConnectSettings, min_size: int, max_size: int, timeout: float
) -> tuple[MySQLPool, ServerInfo]:
    """Open the pool's first connections and describe the server."""
    pool = MySQLPool(settings, min_size, max_size, timeout)
    try:
        info = await pool.start()
    except BaseException:
        await pool.close()
        raise
    return pool, info
