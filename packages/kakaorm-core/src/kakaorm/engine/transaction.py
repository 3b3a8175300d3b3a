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
from typing import TYPE_CHECKING, Any

from kakaorm import exc
from kakaorm.dialect import DriverConnection

if TYPE_CHECKING:
    from kakaorm.engine.engine import Engine

__all__ = ["Transaction", "TransactionState", "cancelled_statement_error"]


class TransactionState:
    """The connection of an open transaction and how far its blocks are nested."""

    __slots__ = ("broken", "cancelled_at", "conn", "depth", "task")

    def __init__(self, conn: DriverConnection, task: asyncio.Task[Any] | None) -> None:
        self.conn = conn
        self.task = task
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


class Transaction:
    """An ``async with`` transaction block; see :meth:`Engine.transaction`."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._state: TransactionState | None = None
        self._savepoint: str | None = None
        self._token: Any = None

    async def __aenter__(self) -> Transaction:
        engine = self._engine
        task = asyncio.current_task()
        state = engine._tx.get()
        if state is not None and state.task is task:
            if state.cancelled_at is not None:
                raise cancelled_statement_error("this transaction cannot go on")
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
        conn = await engine._pool.acquire()
        try:
            await engine._call(conn, lambda c: c.begin(), "BEGIN", ())
        except BaseException:
            await engine._pool.release(conn, discard=True)
            raise
        self._state = TransactionState(conn, task)
        self._token = engine._tx.set(self._state)
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
