"""Transactions: ``async with engine.transaction():`` blocks, their savepoints, and what
a cancelled statement leaves them able to do.

A transaction belongs to the task that opened it (the engine keeps its state in a
ContextVar checked against the current task). A statement cancelled while the
database ran it may or may not have taken effect, so the block it ran in can only
roll back; :class:`TransactionState` remembers which block that is.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeVar, cast, get_args

from kakaorm import exc
from kakaorm.dialect import DriverConnection
from kakaorm.engine.retry import check_retry, run_with_retries, track_open

if TYPE_CHECKING:
    from kakaorm.engine.engine import Engine

__all__ = [
    "ISOLATION_LEVELS",
    "IsolationLevel",
    "Transaction",
    "TransactionMethods",
    "TransactionState",
    "cancelled_statement_error",
]

P = ParamSpec("P")
T = TypeVar("T")

#: the isolation levels ``engine.transaction(isolation=...)`` takes
IsolationLevel = Literal["serializable", "repeatable read", "read committed", "read uncommitted"]
ISOLATION_LEVELS: tuple[str, ...] = get_args(IsolationLevel)


class TransactionState:
    """The connection of an open transaction and how far its blocks are nested."""

    __slots__ = ("__weakref__", "broken", "cancelled_at", "conn", "depth", "isolation", "task")

    def __init__(
        self, conn: DriverConnection, task: asyncio.Task[Any] | None, isolation: str | None = None
    ) -> None:
        self.conn = conn
        self.task = task
        #: the level the outermost block asked for (None: the database's default)
        self.isolation = isolation
        self.depth = 0
        #: a savepoint could not be rolled back: discard the connection at the end
        self.broken = False
        #: the depth of the block in which a statement was cancelled: whether it took
        #: effect is unknown, so that block can only roll back (None: no such statement)
        self.cancelled_at: int | None = None


def cancelled_statement_error(outcome: str) -> exc.OperationalError:
    """The error of a transaction that cannot commit because a statement was cancelled."""
    return exc.OperationalError(
        f"{outcome}: a statement of this transaction was cancelled (task.cancel() or a "
        "timeout) while the database ran it, so whether it took effect is unknown. Leave "
        "the `async with engine.transaction()` block (it rolls back) and retry the whole "
        "transaction"
    )


def check_isolation(isolation: str | None) -> None:
    """Refuse an isolation level that is not one of :data:`ISOLATION_LEVELS`."""
    if isolation is not None and isolation not in ISOLATION_LEVELS:
        raise ValueError(
            f"unknown isolation level {isolation!r}; choose one of "
            + ", ".join(repr(level) for level in ISOLATION_LEVELS)
        )


class Transaction:
    """A transaction block, ``async with engine.transaction():``, or a decorator,
    ``@engine.transaction(retry=3)``; see :meth:`Engine.transaction`."""

    def __init__(
        self,
        engine: Engine,
        isolation: str | None = None,
        retry: int = 0,
        backoff: float = 0.05,
        max_backoff: float = 2.0,
    ) -> None:
        if isolation is not None or retry:
            check_isolation(isolation)
            check_retry(retry, backoff, max_backoff)
        self._engine = engine
        self._isolation = isolation
        self._retry = retry
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._state: TransactionState | None = None
        self._savepoint: str | None = None
        self._token: Any = None

    def __call__(self, fn: Callable[P, Awaitable[T]]) -> Callable[P, Coroutine[Any, Any, T]]:
        """Decorate an async function: each call runs its body in a new transaction,
        run again on a :class:`~kakaorm.exc.TransactionConflictError` up to ``retry``
        more times (see :mod:`kakaorm.engine.retry`)."""

        @functools.wraps(fn)
        async def in_transaction(*args: P.args, **kwargs: P.kwargs) -> T:
            return await self.run(fn, *args, **kwargs)

        return in_transaction

    async def run(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(*args, **kwargs)`` in a fresh block of this kind, with its retries."""
        engine = self._engine

        async def attempt() -> T:
            async with Transaction(engine, self._isolation, 0):
                result = await fn(*args, **kwargs)
            return result

        state = engine._tx.get()
        return await run_with_retries(
            attempt,
            attempts=self._retry + 1,
            backoff=self._backoff,
            max_backoff=self._max_backoff,
            nested=state is not None and state.task is asyncio.current_task(),
        )

    async def __aenter__(self) -> Transaction:
        if self._retry:
            raise exc.QueryError(
                f"engine.transaction(retry={self._retry}) cannot be used as `async with`: a "
                "block cannot be run again. Decorate an async function with "
                f"@engine.transaction(retry={self._retry}), or call await "
                f"engine.run_in_transaction(fn, *args, retry={self._retry})"
            )
        engine = self._engine
        task = asyncio.current_task()
        state = engine._tx.get()
        if state is not None and state.task is task:
            if state.cancelled_at is not None:
                raise cancelled_statement_error("this transaction cannot go on")
            if self._isolation is not None and self._isolation != state.isolation:
                outer = "the database's default" if state.isolation is None else repr(state.isolation)
                raise exc.QueryError(
                    f"a nested engine.transaction(isolation={self._isolation!r}) block is a "
                    f"savepoint of the open transaction, which runs at {outer}: the isolation "
                    "level is the outermost block's. Pass it to the outermost "
                    "engine.transaction() instead"
                )
            state.depth += 1
            self._state = state
            self._savepoint = f"kakaorm_sp_{state.depth}"
            try:
                await self._exec(engine.dialect.compiler.savepoint(self._savepoint))
            except BaseException as err:
                state.depth -= 1
                if isinstance(err, asyncio.CancelledError):
                    # the savepoint may still be made: the enclosing block cannot go on
                    state.cancelled_at = state.depth
                raise
            return self
        if engine._closed:
            raise exc.InterfaceError("this engine is disconnected; call kakaorm.connect() again")
        isolation = self._isolation
        begin = () if isolation is None else engine.dialect.compiler.begin_isolated(isolation)
        conn = await engine._pool.acquire()
        try:
            if isolation is None:
                await engine._call(conn, lambda c: c.begin(), "BEGIN", ())
            else:
                for sql in begin:
                    await engine._call(conn, lambda c, s=sql: c.execute(s, ()), sql, ())  # type: ignore[misc]
        except BaseException:
            await engine._pool.release(conn, discard=True)
            raise
        self._state = TransactionState(conn, task, isolation)
        self._token = engine._tx.set(self._state)
        track_open(self._state, True)
        return self

    async def _exec(self, sql: str) -> None:
        assert self._state is not None
        await self._engine._call(self._state.conn, lambda c: c.execute(sql, ()), sql, ())

    async def __aexit__(self, exc_type: type[BaseException] | None, exc_value: object, tb: object) -> bool:
        engine = self._engine
        state = self._state
        assert state is not None
        compiler = engine.dialect.compiler
        # a block left normally after one of its statements was cancelled rolls back
        # (and says why) rather than keep a change that may or may not have been made
        cancelled = exc_type is None and state.cancelled_at is not None
        if self._savepoint is not None:
            state.depth -= 1
            if exc_type is None and not cancelled:
                await self._exec(compiler.release_savepoint(self._savepoint))
                return False
            try:
                await self._exec(compiler.rollback_to_savepoint(self._savepoint))
                await self._exec(compiler.release_savepoint(self._savepoint))
            except asyncio.CancelledError:
                # the task was cancelled while rolling back: the cancel wins over the
                # error that ended the block (swallowing it would let the task go on as
                # if never cancelled); whether the rollback ran is unknown, so the outer
                # block cannot commit and discards the connection
                state.broken = True
                state.cancelled_at = state.depth
                raise
            except BaseException:  # noqa: BLE001 - the block's own error is the one to surface
                # the error that ended the block is what the caller must see; the
                # connection's state is unknown now, so the outer block discards it
                state.broken = True
                if cancelled:
                    raise cancelled_statement_error("this transaction cannot go on") from None
            else:
                if state.cancelled_at is not None and state.cancelled_at > state.depth:
                    state.cancelled_at = None  # the cancelled statement is undone
                if cancelled:
                    raise cancelled_statement_error("the nested block was rolled back to its savepoint")
            return False
        conn = state.conn
        discard = state.broken
        track_open(state, False)
        try:
            with contextlib.suppress(ValueError):
                # ValueError: the block is being closed from another context (an async
                # generator finalised elsewhere); the connection must still be released
                engine._tx.reset(self._token)
            if exc_type is None and not cancelled:
                try:
                    await engine._call(conn, lambda c: c.commit(), "COMMIT", ())
                except BaseException:
                    discard = True
                    raise
            else:
                try:
                    await engine._call(conn, lambda c: c.rollback(), "ROLLBACK", ())
                except asyncio.CancelledError:
                    discard = True
                    raise
                except BaseException:  # noqa: BLE001 - the block's own error wins
                    # the original error matters more; a connection that cannot roll
                    # back is closed rather than reused
                    discard = True
                if cancelled:
                    raise cancelled_statement_error("the transaction was rolled back, not committed")
        finally:
            await engine._pool.release(conn, discard=discard)
        return False


class TransactionMethods:
    """The transaction entry points of :class:`~kakaorm.Engine` (a base class of it)."""

    def transaction(
        self,
        *,
        isolation: IsolationLevel | None = None,
        retry: int = 0,
        backoff: float = 0.05,
        max_backoff: float = 2.0,
    ) -> Transaction:
        """``async with engine.transaction():`` commits on success, rolls back on error.

        Nested blocks are savepoints. The transaction belongs to the task that opened
        it: statements of other tasks never run inside it.

        Args:
            isolation: ``"serializable"``, ``"repeatable read"``, ``"read committed"``
                or ``"read uncommitted"`` for this transaction only (None: the
                database's default). SQLite accepts only ``"serializable"``. A nested
                block may repeat the outer level, not change it.
            retry: as a decorator, ``@engine.transaction(retry=3)``: re-run the
                function on a serialization failure or deadlock up to this many more
                times (see :mod:`kakaorm.engine.retry`). An ``async with`` block
                cannot be re-run, so ``retry`` there is a QueryError.
            backoff: the first backoff ceiling in seconds, doubled on each retry.
            max_backoff: the highest backoff ceiling, in seconds.

        Raises:
            ValueError: an unknown isolation level (the message lists the choices), or
                a negative ``retry``/backoff.

        Example::

            @engine.transaction(retry=3, isolation="serializable")
            async def book(seat_id: int) -> None:
                ...
        """
        return Transaction(cast("Engine", self), isolation, retry, backoff, max_backoff)

    async def run_in_transaction(
        self,
        fn: Callable[..., Awaitable[T]],
        /,
        *args: Any,
        retry: int = 0,
        isolation: IsolationLevel | None = None,
        backoff: float = 0.05,
        max_backoff: float = 2.0,
        **kwargs: Any,
    ) -> T:
        """Await ``fn(*args, **kwargs)`` in a transaction and return its result, running
        it again on a serialization failure or deadlock up to ``retry`` more times.

        The arguments are those of :meth:`transaction`. Inside a transaction the task
        already has open, it runs once as a nested block and a conflict propagates.
        """
        tx = Transaction(cast("Engine", self), isolation, retry, backoff, max_backoff)
        return await tx.run(fn, *args, **kwargs)
