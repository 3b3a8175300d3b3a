"""``QuerySet.update()``: writing values to the rows a query matches."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kakaorm.expr import Expression, Param, _as_expr
from kakaorm.orm import validation as _validation
from kakaorm.orm.columns import Column, coerce_value, utcnow
from kakaorm.orm.query_build import where_condition
from kakaorm.statements import Update

if TYPE_CHECKING:
    from kakaorm.orm.queryset import QuerySet

__all__ = ["constant", "update"]


async def update(qs: QuerySet[Any], values: dict[str, Any]) -> int:
    """See :meth:`QuerySet.update`."""
    model = qs._model
    model._meta.deletion.check_update(qs)
    if not values:
        raise TypeError("update() needs at least one column=value argument")
    meta = model._meta
    assignments: list[tuple[Column[Any], Expression[Any]]] = []
    constants: list[tuple[Column[Any], Any]] = []
    for name, value in values.items():
        col = meta.column(name)
        if not isinstance(value, Expression):
            value = constant(col, value, constants)
        assignments.append((col, _as_expr(value, col)))
    # constants are checked like an instance's values; an expression is computed
    # by the database, so its result cannot be checked here
    _validation.check_values(constants)
    now = None
    for col in meta.auto_now:
        if col.name not in values:
            now = now or utcnow()
            assignments.append((col, Param(now, col.type)))
    return await qs._engine_or_default()._execute_stmt(Update(model, assignments, where_condition(qs)))


def constant(col: Column[Any], value: Any, constants: list[tuple[Column[Any], Any]]) -> Param:
    """A constant written to ``col`` by update()/insert_into(): type-checked, bound, and
    added to ``constants`` for the column validators."""
    value = coerce_value(col, value)
    constants.append((col, value))
    return Param(value, col.type)
