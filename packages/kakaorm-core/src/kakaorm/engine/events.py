"""Statement events: hooks called before and after every statement an engine runs.

``engine.add_listener(before_execute=fn, after_execute=fn)`` registers plain (sync)
functions; each is called with a frozen event object in the task that runs the
statement, so ``contextvars`` (a tracing span, a request id) are those of the caller.

Every statement the engine sends fires both events: ORM queries and writes, raw SQL
(``engine.fetch``/``execute``/``fetchval``), DDL, and the transaction statements
themselves: ``BEGIN`` (or the dialect's statements that start a transaction at an
isolation level), ``COMMIT``, ``ROLLBACK`` and the ``SAVEPOINT`` statements of nested
blocks. ``after_execute`` fires once per ``before_execute``, also when the statement
failed (``error`` is set) or the task was cancelled while it ran (``cancelled``).

A listener that raises does not break the statement: the exception is logged on the
``kakaorm.events`` logger (with its traceback) and the other listeners and the
statement go on. With no listener registered the engine does no event work at all.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from kakaorm.exc import DatabaseError

__all__ = [
    "AfterExecute",
    "BeforeExecute",
    "EventSource",
    "InsertedKey",
    "Listener",
    "emit_after",
    "emit_before",
    "rows_of",
]

log = logging.getLogger("kakaorm.events")

_ids = itertools.count(1)


@dataclass(frozen=True, slots=True)
class BeforeExecute:
    """A statement about to be sent.

    Attributes:
        statement_id: a number unique in the process, shared with the statement's
            :class:`AfterExecute` (to pair them, e.g. to end a tracing span).
        sql: the SQL as sent, with the dialect's placeholders.
        params: the bound values, as sent to the driver.
        dialect: the backend's name (``"sqlite"``, ``"postgresql"``, ``"mysql"``).
        driver: the driver's name (``"aiosqlite"``, ``"asyncpg"``, ``"psycopg3"``, ``"aiomysql"``).
    """

    statement_id: int
    sql: str
    params: Sequence[Any]
    dialect: str
    driver: str


@dataclass(frozen=True, slots=True)
class AfterExecute:
    """A statement that finished, failed or was cancelled.

    Attributes:
        statement_id: the number of its :class:`BeforeExecute`.
        sql: the SQL as sent.
        params: the bound values.
        dialect: the backend's name.
        driver: the driver's name.
        duration: seconds from sending it to its result (or error), a float.
        rows: the rows it returned (queries) or affected (writes); None when the
            database does not say (DDL, BEGIN/COMMIT, a failed or cancelled statement).
        error: the :mod:`kakaorm.exc` error it raised, or None.
        cancelled: the task was cancelled while the statement ran (``error`` is None).
    """

    statement_id: int
    sql: str
    params: Sequence[Any]
    dialect: str
    driver: str
    duration: float
    rows: int | None
    error: DatabaseError | None
    cancelled: bool = False


class Listener:
    """A registered pair of hooks; ``listener.remove()`` unregisters it."""

    __slots__ = ("_remove", "after_execute", "before_execute")

    def __init__(
        self,
        before_execute: Callable[[BeforeExecute], object] | None,
        after_execute: Callable[[AfterExecute], object] | None,
        remove: Callable[[Listener], None],
    ) -> None:
        if before_execute is None and after_execute is None:
            raise TypeError("add_listener() needs before_execute=, after_execute= or both")
        for name, fn in (("before_execute", before_execute), ("after_execute", after_execute)):
            if fn is not None and not callable(fn):
                raise TypeError(f"{name} must be a function taking the event, got {fn!r}")
        self.before_execute = before_execute
        self.after_execute = after_execute
        self._remove = remove

    def remove(self) -> None:
        """Stop calling these hooks (removing twice is no error)."""
        self._remove(self)


def _call(fn: Callable[[Any], object], event: BeforeExecute | AfterExecute) -> None:
    try:
        fn(event)
    except Exception:  # a listener never breaks the statement it observes
        log.exception("a %s listener %r raised; the statement goes on", type(event).__name__, fn)


def emit_before(
    listeners: Sequence[Listener], dialect: str, driver: str, sql: str, params: Sequence[Any]
) -> BeforeExecute:
    """Call every ``before_execute`` hook; return the event (its id pairs the after event)."""
    event = BeforeExecute(next(_ids), sql, params, dialect, driver)
    for listener in listeners:
        if listener.before_execute is not None:
            _call(listener.before_execute, event)
    return event


def emit_after(
    listeners: Sequence[Listener],
    before: BeforeExecute,
    duration: float,
    rows: int | None,
    error: DatabaseError | None = None,
    cancelled: bool = False,
) -> None:
    """Call every ``after_execute`` hook with the outcome of ``before``'s statement."""
    event = AfterExecute(
        before.statement_id, before.sql, before.params, before.dialect, before.driver,
        duration, rows, error, cancelled,
    )
    for listener in listeners:
        if listener.after_execute is not None:
            _call(listener.after_execute, event)


class InsertedKey:
    """The generated key an INSERT without RETURNING reports, with the number of rows
    the INSERT wrote (the key alone would read as a row count)."""

    __slots__ = ("rows", "value")

    def __init__(self, value: Any, rows: int) -> None:
        self.value = value
        self.rows = rows

    @classmethod
    async def of(cls, key: Awaitable[Any], rows: int) -> InsertedKey:
        """Await the driver's ``execute_insert`` and wrap its key."""
        return cls(await key, rows)


def rows_of(result: Any) -> int | None:
    """The row count a driver call's result shows: a fetch's rows, ``(names, rows)`` of
    a described fetch, an execute's count (negative: unknown), an :class:`InsertedKey`'s
    rows; None for anything else (BEGIN, COMMIT)."""
    if isinstance(result, bool) or result is None:
        return None
    if isinstance(result, int):
        return result if result >= 0 else None
    if isinstance(result, InsertedKey):
        return result.rows
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], list):
        return len(result[1])
    try:
        return len(result)
    except TypeError:
        return None


class EventSource:
    """The listener methods of :class:`~kakaorm.Engine` (a base class of it)."""

    _listeners: tuple[Listener, ...] = ()

    def add_listener(
        self,
        *,
        before_execute: Callable[[BeforeExecute], object] | None = None,
        after_execute: Callable[[AfterExecute], object] | None = None,
    ) -> Listener:
        """Call these sync functions before and after every statement this engine runs
        (see :mod:`kakaorm.engine.events`); ``listener.remove()`` stops them."""
        listener = Listener(before_execute, after_execute, self.remove_listener)
        self._listeners = (*self._listeners, listener)
        return listener

    def remove_listener(self, listener: Listener) -> None:
        """Stop calling a listener's hooks (an unknown or removed listener is no error)."""
        self._listeners = tuple(known for known in self._listeners if known is not listener)

    @contextlib.contextmanager
    def listening(
        self,
        *,
        before_execute: Callable[[BeforeExecute], object] | None = None,
        after_execute: Callable[[AfterExecute], object] | None = None,
    ) -> Iterator[Listener]:
        """``with engine.listening(after_execute=fn):`` the hooks run inside the block only."""
        listener = self.add_listener(before_execute=before_execute, after_execute=after_execute)
        try:
            yield listener
        finally:
            listener.remove()
