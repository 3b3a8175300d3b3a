"""Re-running a transaction that a concurrent one made the database abort.

A serialization failure (PostgreSQL SQLSTATE 40001) or a deadlock (PostgreSQL 40P01,
MySQL/MariaDB error 1213) rolls the whole transaction back; running the whole
transaction body again is the fix. Three entry points share :func:`run_with_retries`:
``@engine.transaction(retry=N)``, ``await engine.run_in_transaction(fn, retry=N)`` and
``@kakaorm.retry_on_conflict(attempts=N)``.

Backoff between attempts is exponential with full jitter: before attempt ``k + 1``
(``k`` counting the failed ones from 0) the task sleeps a random time between 0 and
``min(max_backoff, backoff * 2**k)`` seconds, so that the transactions that collided do
not collide again in lock step.

Only the outermost transaction of a task is retried. When the function runs inside a
transaction the task already has open, its block is a savepoint of that transaction,
and the conflict aborted the whole outer transaction (on PostgreSQL nothing but a
rollback is possible afterwards): the error is re-raised at once, with a note saying
which transaction to retry.
"""

from __future__ import annotations

import asyncio
import functools
import random
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from kakaorm import exc

__all__ = ["NESTED_CONFLICT_NOTE", "retry_on_conflict", "run_with_retries", "task_in_transaction", "track_open"]

P = ParamSpec("P")
T = TypeVar("T")

#: the note added to a conflict that was not retried because the task was inside an
#: outer transaction
NESTED_CONFLICT_NOTE = (
    "not retried: this ran inside a transaction the task had already opened, and the "
    "conflict aborted that whole outer transaction; retry the outermost transaction "
    "(engine.transaction(retry=N) or @kakaorm.retry_on_conflict around it)"
)

#: the open outermost transactions of every engine, by their state objects (each has a
#: ``task``); weak, so a block never closed (an abandoned generator) is not kept
_open: weakref.WeakSet[Any] = weakref.WeakSet()


def track_open(state: Any, is_open: bool) -> None:
    """Record that an outermost transaction (its state, with a ``task``) opened or ended."""
    if is_open:
        _open.add(state)
    else:
        _open.discard(state)


def task_in_transaction() -> bool:
    """Whether the current task has a transaction open on any engine."""
    task = asyncio.current_task()
    return any(state.task is task for state in list(_open))


def _check(attempts: int, backoff: float, max_backoff: float) -> None:
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        raise ValueError(f"the number of attempts must be an int of at least 1, got {attempts!r}")
    if backoff < 0 or max_backoff < 0:
        raise ValueError(f"backoff and max_backoff are seconds, 0 or more; got {backoff!r} and {max_backoff!r}")


async def run_with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    attempts: int,
    backoff: float,
    max_backoff: float,
    nested: bool,
) -> T:
    """Await ``call()``; on a :class:`~kakaorm.exc.TransactionConflictError` sleep (see the
    module's backoff) and call it again, ``attempts`` times in all.

    ``nested``: the call runs inside a transaction already open, so a conflict is
    re-raised at once with :data:`NESTED_CONFLICT_NOTE`. After the last attempt the last
    error propagates as it was raised. Other errors are never retried.
    """
    if nested:
        try:
            return await call()
        except exc.TransactionConflictError as err:
            err.add_note(NESTED_CONFLICT_NOTE)
            raise
    failed = 0
    while True:
        try:
            return await call()
        except exc.TransactionConflictError:
            failed += 1
            if failed >= attempts:
                raise
        await asyncio.sleep(random.uniform(0.0, min(max_backoff, backoff * 2 ** (failed - 1))))


def retry_on_conflict(
    attempts: int = 3, backoff: float = 0.05, max_backoff: float = 2.0
) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Coroutine[Any, Any, T]]]:
    """Decorate an async function that opens its own transaction so that a serialization
    failure or deadlock runs the whole function again.

    Args:
        attempts: how many times the function may run in all (3: two retries).
        backoff: the first backoff ceiling in seconds; each retry doubles it. The sleep
            is a random time between 0 and the ceiling (full jitter).
        max_backoff: the highest ceiling, in seconds.

    Only :class:`~kakaorm.exc.TransactionConflictError` (``SerializationError``,
    ``DeadlockError``) is retried; after the last attempt it propagates unchanged. Called
    while the task is already inside a transaction, the function runs once and a
    conflict propagates at once (see :mod:`kakaorm.engine.retry`).

    Raises:
        ValueError: ``attempts`` is not an int of at least 1, or a backoff is negative.

    Example::

        @kakaorm.retry_on_conflict(attempts=5)
        async def transfer(src: int, dst: int, amount: int) -> None:
            async with engine.transaction(isolation="serializable"):
                ...
    """
    _check(attempts, backoff, max_backoff)

    def decorate(fn: Callable[P, Awaitable[T]]) -> Callable[P, Coroutine[Any, Any, T]]:
        @functools.wraps(fn)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            return await run_with_retries(
                lambda: fn(*args, **kwargs),
                attempts=attempts,
                backoff=backoff,
                max_backoff=max_backoff,
                nested=task_in_transaction(),
            )

        return wrapper

    return decorate


def check_retry(retry: int, backoff: float, max_backoff: float) -> None:
    """Check ``engine.transaction(retry=...)``'s arguments (``retry``: extra attempts, 0 or more)."""
    if isinstance(retry, bool) or not isinstance(retry, int) or retry < 0:
        raise ValueError(f"retry is how many times to re-run the transaction, an int of 0 or more; got {retry!r}")
    _check(retry + 1, backoff, max_backoff)
