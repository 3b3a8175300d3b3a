"""Row locks: the checks behind :meth:`QuerySet.select_for_update`.

The lock itself is a :class:`~kakaorm.statements.RowLock` on the query's SELECT,
spelled by the dialect's ``lock_clause()`` hook. What is checked here is what no
database would say clearly: a lock outside a transaction (it would end with its
own statement), and the queries PostgreSQL refuses to lock (DISTINCT, GROUP BY,
UNION, aggregates), refused alike on every backend so code stays portable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kakaorm import exc
from kakaorm.orm.options import is_model_class
from kakaorm.statements import RowLock

if TYPE_CHECKING:
    from kakaorm.engine.engine import Engine
    from kakaorm.orm.model import Model
    from kakaorm.orm.queryset import QuerySet

__all__ = ["check_lock", "row_lock"]


def row_lock(nowait: bool, skip_locked: bool, of: Sequence[type[Model]]) -> RowLock:
    """The lock ``select_for_update(nowait=, skip_locked=, of=)`` asks for.

    Raises:
        ValueError: both ``nowait`` and ``skip_locked``.
        TypeError: ``of`` holds something other than model classes.
    """
    if nowait and skip_locked:
        raise ValueError(
            "select_for_update() takes nowait=True or skip_locked=True, not both: nowait fails "
            "on a locked row, skip_locked leaves it out"
        )
    if isinstance(of, type) or not isinstance(of, Sequence):
        raise TypeError(f"select_for_update(of=...) takes a sequence of model classes, got {of!r}")
    for model in of:
        if not is_model_class(model) or model._meta.abstract:
            raise TypeError(f"select_for_update(of=...) takes model classes, got {model!r}")
    return RowLock(nowait=bool(nowait), skip_locked=bool(skip_locked), of=tuple(m._meta for m in of))


def check_lock(qs: QuerySet[Any], engine: Engine, action: str) -> None:
    """Refuse to run a locking query that cannot lock what it reads.

    Raises:
        QueryError: the query groups, is DISTINCT or a UNION; ``action`` aggregates;
            ``of=`` names a table the query does not read; the dialect cannot lock
            rows (SQLite); or no transaction of this task is open.
    """
    lock = qs._lock
    assert lock is not None
    projection = qs._projection
    refused = (
        "distinct()" if projection.distinct
        else "group_by()/having()" if projection.group_by or qs._filters.having
        else "union()" if qs._sources.compounds
        else f"{action}()" if action in ("count", "aggregate")
        else None
    )
    if refused is not None:
        raise exc.QueryError(
            f"select_for_update() cannot lock the rows of a query with {refused}: its result rows "
            "do not stand for single table rows. Lock the rows with a plain query first, then "
            f"run the {refused} query in the same transaction"
        )
    read = {qs._model._meta, *(j.table for j in qs._sources.joins if j.table is not None)}
    for table in lock.of:
        if table not in read:
            raise exc.QueryError(
                f"select_for_update(of=...) names {table.display_name}, which this query does not "
                f"read; name the query's model or a joined model"
            )
    # the dialect refuses what it cannot spell (SQLite: no row locks at all)
    engine.dialect.compiler.lock_clause(lock, qs._build_select())
    state = engine._tx.get()
    if state is None or state.task is not asyncio.current_task():
        raise exc.QueryError(
            "select_for_update() outside a transaction: the lock would end with its own "
            "statement. Run the query inside `async with engine.transaction():` and the rows "
            "stay locked until the block ends"
        )
