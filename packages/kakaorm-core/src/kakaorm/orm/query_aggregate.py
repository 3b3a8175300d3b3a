"""Reading numbers out of a query: ``count()``, ``exists()`` and aggregates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kakaorm import exc
from kakaorm.expr import Count, Expression, Label, Param, Raw
from kakaorm.orm.locking import check_lock
from kakaorm.statements import Select
from kakaorm.types import INTEGER

if TYPE_CHECKING:
    from kakaorm.orm.queryset import QuerySet

__all__ = ["aggregate", "count_rows", "has_rows"]


async def count_rows(qs: QuerySet[Any]) -> int:
    """The number of rows ``qs`` matches (see :meth:`QuerySet.count`)."""
    engine = qs._engine_or_default()
    if qs._lock is not None and qs._lock.strict:
        check_lock(qs, engine, "count")
    projection, sources = qs._projection, qs._sources
    if (
        qs._slice.is_set or projection.distinct or projection.group_by
        or sources.compounds or sources.cte is not None
    ):
        inner = qs._build_select()
        stmt = Select(qs._model, [Count()], from_select=inner)
    else:
        stmt = qs._build_select([Count()])
        stmt.order_by = ()
    _entry, rows = await engine._select(stmt)
    return int(rows[0][0])


async def has_rows(qs: QuerySet[Any]) -> bool:
    """True if ``qs`` matches a row (see :meth:`QuerySet.exists`)."""
    if qs._slice.limit == 0:
        return False
    engine = qs._engine_or_default()
    if qs._lock is not None and qs._lock.strict:
        check_lock(qs, engine, "exists")
    probe = [Label(Raw("1"), "one")]
    if qs._sources.compounds or qs._projection.distinct:
        # the rows a union or DISTINCT yields depend on every selected column
        stmt = Select(qs._model, probe, from_select=qs._build_select(), limit=Param(1, INTEGER))
    else:
        # the same query reduced to "is there a row at position offset": order is irrelevant
        stmt = qs._build_select(probe)
        stmt.order_by = ()
        stmt.limit = Param(1, INTEGER)
    _, rows = await engine._select(stmt)
    return len(rows) > 0


async def aggregate(qs: QuerySet[Any], aggregates: dict[str, Expression[Any]]) -> dict[str, Any]:
    """Several aggregates of ``qs`` in one query (see :meth:`QuerySet.aggregate`)."""
    if not aggregates:
        raise TypeError("aggregate() needs at least one name=Aggregate(...) argument")
    if (
        qs._slice.is_set or qs._projection.group_by
        or qs._sources.compounds or qs._projection.distinct
    ):
        raise exc.QueryError(
            "aggregate(), sum(), avg(), max() and min() apply where() filters only, and "
            "this query also has limit/offset/group_by/union/distinct, which they would "
            "ignore. Remove them, or for per-group values use "
            ".select(col, Sum(...).label('name')).group_by(col)"
        )
    for name, agg in aggregates.items():
        if not (isinstance(agg, Expression) and agg.is_aggregate):
            raise TypeError(
                f"aggregate({name}=...) takes an aggregate such as Sum(Post.views), got {agg!r}"
            )
    engine = qs._engine_or_default()
    if qs._lock is not None and qs._lock.strict:
        check_lock(qs, engine, "aggregate")
    columns = [Label(agg, name) for name, agg in aggregates.items()]
    stmt = qs._build_select(columns)
    stmt.order_by = ()
    entry, rows = await engine._select(stmt)
    return entry.hydrate_dicts(rows)[0]
