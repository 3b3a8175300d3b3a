"""Streaming a SELECT: its rows in chunks, read through the driver adapter's
``iterate()`` (a server-side cursor, an unbuffered result, ``fetchmany``), so that no
more than about one chunk is held in memory.

Outside a transaction the stream takes a connection from the pool for its whole
life and gives it back when it ends, is closed early (``aclose()``, or the event
loop finalising an abandoned iterator), fails or is cancelled. Inside
``engine.transaction()`` it reads through the transaction's connection.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from kakaorm import exc
from kakaorm.dialect import DriverConnection, DriverPool
from kakaorm.engine.cache import CompiledEntry
from kakaorm.engine.events import emit_after, emit_before
from kakaorm.engine.transaction import cancelled_statement_error
from kakaorm.statements import Select

if TYPE_CHECKING:
    from kakaorm.engine.engine import Engine

__all__ = ["check_chunk_size", "in_transaction", "stream_select"]

log = logging.getLogger("kakaorm.sql")


def check_chunk_size(chunk_size: object) -> int:
    """``chunk_size`` as a positive int.

    Raises:
        ValueError: it is not an int of at least 1.
    """
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(
            f"chunk_size must be an int of at least 1 (the rows read per round trip), "
            f"got {chunk_size!r}"
        )
    return chunk_size


def in_transaction(engine: Engine) -> bool:
    """True when the current task runs inside one of ``engine``'s transactions."""
    state = engine._tx.get()
    return state is not None and state.task is asyncio.current_task()


def _driver_rows(
    conn: DriverConnection, sql: str, values: Sequence[Any], chunk_size: int
) -> AsyncIterator[Sequence[Any]]:
    try:
        return conn.iterate(sql, values, chunk_size=chunk_size)
    except TypeError:
        # a third-party adapter written before chunk_size: it picks its own
        return conn.iterate(sql, values)


async def stream_select(
    engine: Engine, stmt: Select, chunk_size: int
) -> AsyncGenerator[tuple[CompiledEntry, list[Sequence[Any]]], None]:
    """Run ``stmt`` and yield its raw rows in lists of ``chunk_size`` (the last may be
    shorter), each with the statement's cache entry (result names, conversions).

    Close it with ``aclose()`` (or ``contextlib.aclosing``) when leaving early, to
    give the connection back at once.
    """
    entry, values = engine._prepare(stmt)
    sql = entry.sql
    state = engine._tx.get()
    owned = state is None or state.task is not asyncio.current_task()
    if not owned:
        assert state is not None
        if state.cancelled_at is not None:
            raise cancelled_statement_error("this transaction cannot go on")
        conn = state.conn
    else:
        if engine._closed:
            raise exc.InterfaceError("this engine is disconnected; call kakaorm.connect() again")
        pool: DriverPool
        picked = None
        if engine._router is not None:
            picked = await engine._router.acquire_read(engine, stmt.lock is not None)
        if picked is not None:
            pool, conn = picked
        else:
            pool = engine._pool
            conn = await pool.acquire()
    discard = False
    listeners = engine._listeners
    before = (
        emit_before(listeners, engine.dialect.name, engine.dialect.driver, sql, values) if listeners else None
    )
    error: exc.DatabaseError | None = None
    cancelled = False
    start = time.perf_counter()
    count = 0
    try:
        rows = _driver_rows(conn, sql, values, chunk_size)
        try:
            chunk: list[Sequence[Any]] = []
            append = chunk.append
            async for row in rows:
                append(row)
                if len(chunk) >= chunk_size:
                    count += len(chunk)
                    yield entry, chunk
                    chunk = []
                    append = chunk.append
            if chunk:
                count += len(chunk)
                yield entry, chunk
        except engine.dialect.error_types as err:
            error = engine.dialect.translate_error(err, sql, values)
            raise error from err
        finally:
            # the adapter's cleanup (closing its cursor, reading the rest of an
            # unbuffered result, ending its read transaction) runs now, not whenever
            # the event loop finalises it
            aclose = getattr(rows, "aclose", None)
            if aclose is not None:
                await aclose()
    except (asyncio.CancelledError, exc.InterfaceError) as err:
        cancelled = isinstance(err, asyncio.CancelledError)
        if owned:
            discard = True  # the connection may be mid-statement: nobody else gets it
        elif state is not None and isinstance(err, asyncio.CancelledError):
            # as Engine._run: whether the read finished is unknown, and the
            # transaction's connection may be mid-statement
            state.cancelled_at = state.depth
        raise
    finally:
        if before is not None:
            # one event pair per streamed query; rows: how many were yielded
            emit_after(
                listeners, before, time.perf_counter() - start,
                None if error is not None or cancelled else count, error, cancelled,
            )
        if owned:
            await pool.release(conn, discard=discard)
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s  %r  (streamed %d rows in chunks of %d, %.2f ms)",
                sql, list(values), count, chunk_size, (time.perf_counter() - start) * 1000,
            )
