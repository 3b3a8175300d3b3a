"""The writes a query makes: ``update()`` of the rows it matches and
``insert_into()`` of the rows it computes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kakaorm import exc
from kakaorm.expr import Expression, Param, _as_expr
from kakaorm.orm import validation as _validation
from kakaorm.orm.columns import Column, coerce_value, utcnow
from kakaorm.orm.query_build import where_condition
from kakaorm.statements import Insert, Update

if TYPE_CHECKING:
    from kakaorm.orm.model import Model
    from kakaorm.orm.queryset import QuerySet

__all__ = ["check_bulk", "constant", "insert_into", "update"]


def check_bulk(qs: QuerySet[Any], action: str) -> None:
    """Refuse a bulk ``action`` (update, delete, restore, purge) on a query whose rows
    are not just its table's rows filtered by where()."""
    qs._need_model(action)
    if qs._sources.joins or qs._slice.is_set or qs._projection.group_by or qs._sources.compounds:
        raise exc.QueryError(
            f"{action}() applies where() filters only; remove join/limit/offset/group_by, "
            f"or select the keys first and {action} with .where(pk.in_(keys))"
        )


async def insert_into(qs: QuerySet[Any], model: type[Model], columns: dict[str, Any]) -> int:
    """Copy the rows ``qs`` computes into ``model`` (see :meth:`QuerySet.insert_into`)."""
    if not columns:
        raise TypeError("insert_into() needs at least one column=expression argument")
    meta = model._meta
    targets = [meta.column(name) for name in columns]
    constants: list[tuple[Column[Any], Any]] = []
    exprs = [
        _as_expr(v if isinstance(v, (Expression, type(qs))) else constant(col, v, constants), col)
        for col, v in zip(targets, columns.values())
    ]
    # as in update(): constants are checked, values computed from the rows are not
    _validation.check_values(constants)
    select = qs._build_select(columns=exprs)
    engine = qs._engine_or_default()
    return await engine._execute_stmt(Insert(model, targets, from_select=select))


async def update(qs: QuerySet[Any], values: dict[str, Any]) -> int:
    """UPDATE the rows ``qs`` matches (see :meth:`QuerySet.update`)."""
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
