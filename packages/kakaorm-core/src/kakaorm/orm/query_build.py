"""From a QuerySet's clauses to a SQL-layer ``Select``, checking what SQL would refuse."""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

from kakaorm import exc
from kakaorm.expr import BoolOp, Comparison, Condition, Expression, Function, InList, Label, Ordering, Param
from kakaorm.orm.columns import Column
from kakaorm.orm.query_clauses import MODEL_ROWS, TABLE_ONLY
from kakaorm.statements import CTE, Select, plain_select_key
from kakaorm.types import INTEGER

if TYPE_CHECKING:
    from kakaorm.orm.query_chain import QueryChain
    from kakaorm.orm.queryset import QuerySet

__all__ = [
    "build_select",
    "check_compound",
    "check_condition",
    "check_same_cte",
    "columns_is_model",
    "model_query_key",
    "ordering",
    "where_condition",
]

_ORDER_TEXT = re.compile(r"^\s*(-)?\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+(asc|desc))?\s*$", re.I)


def check_condition(cond: object, clause: str) -> Condition:
    """``cond`` if it may stand in ``clause`` (where, having, join); else TypeError or
    QueryError saying why (a window or aggregate where SQL does not allow one)."""
    if not isinstance(cond, Condition):
        raise TypeError(
            f"{clause}() takes conditions such as Post.views > 10, got {cond!r}"
        )
    if not _is_simple(cond):
        for node in cond.walk():
            if node.is_window:
                # SQL computes windows after WHERE, GROUP BY and HAVING
                raise exc.QueryError(
                    f"a window function cannot be used in {clause}(): SQL allows it only in "
                    "select() and order_by(). Select it with .label('name') in a query, wrap "
                    "that query in kakaorm.CTE(name, query) and filter cte.query() instead"
                )
            if node.is_aggregate and clause != "having":
                raise exc.QueryError(
                    f"an aggregate cannot be used in {clause}(): it is computed per group, "
                    "after the rows are filtered; filter groups with "
                    ".group_by(...).having(condition) instead"
                )
    return cond


def where_conditions(conditions: Sequence[object]) -> tuple[Condition, ...]:
    """``where(*conditions)``'s arguments, each checked by :func:`check_condition`."""
    if len(conditions) == 1:  # the usual call, without a generator
        return (check_condition(conditions[0], "where"),)
    return tuple(check_condition(c, "where") for c in conditions)


def check_compound(left: QueryChain[Any], right: QueryChain[Any]) -> None:
    """``left`` and ``right`` can be combined by UNION: neither is ordered or sliced
    (those apply to the whole), and they select as many columns."""
    for side in (left, right):
        if side._order or side._slice.is_set:
            raise exc.QueryError(
                "order_by/limit/offset apply to the combined query: call them after "
                "union()/union_all(), not on its parts"
            )
    mine, theirs = len(left._effective_columns()), len(right._effective_columns())
    if mine != theirs:
        raise exc.QueryError(
            f"union of queries with {mine} and {theirs} columns: select the same "
            "number of columns, in the same order, on both sides"
        )


def check_same_cte(ctes: Sequence[CTE], clause: CTE) -> None:
    """Two CTEs of one query may share a name only when they are the same CTE."""
    for c in ctes:
        if c.name == clause.name and c is not clause:
            raise exc.QueryError(
                f"this query uses two different CTEs named {clause.name!r}; a WITH clause "
                "holds one query per name: give one of them another name"
            )


def columns_is_model(selected: Sequence[Expression[Any]], model: Any) -> bool:
    """True when ``selected`` is the model's own column list (the usual model query)."""
    return model is not None and selected is model._meta.column_list


def _is_simple(cond: Condition) -> bool:
    """``column <op> value`` or ``column IN (values)``: the common cases, which cannot
    hide an aggregate or a window."""
    return _filtered_column(cond) is not None


def _filtered_column(cond: Condition) -> Column[Any] | None:
    """The column of ``column <op> value`` or of ``column [NOT] IN (v1, v2, ...)``
    (plain values of one type, e.g. a prefetch's keys); None for any other condition."""
    kind = type(cond)
    if kind is Comparison:
        left = cond.left  # type: ignore[attr-defined]
        if type(cond.right) is Param and isinstance(left, Column):  # type: ignore[attr-defined]
            return left
    elif kind is InList:
        expr = cond.expr  # type: ignore[attr-defined]
        if cond.values_type is not None and isinstance(expr, Column):  # type: ignore[attr-defined]
            return expr
    return None


def _own_filters_and_order(qs: QueryChain[Any], model: Any) -> bool:
    """Every condition is ``own column <op> value`` or ``own column IN (values)``, and
    the query is ordered by its own columns only (the usual model query)."""
    for cond in qs._filters.where:
        column = _filtered_column(cond)
        if column is None or column.model is not model:
            return False
    for item in qs._order:
        expr = item.expr
        if not isinstance(expr, Column) or expr.model is not model:
            return False
    return True


def where_condition(qs: QuerySet[Any]) -> Condition | None:
    """The query's WHERE condition, with its deletion scope's condition."""
    conds = qs._filters.where
    model = qs._model
    if model is not None and model._meta.deletion.scoped:
        extra = model._meta.deletion.scope_where(model, qs._scope)
        if extra is not None:
            conds = (*conds, extra)
    if not conds:
        return None
    if len(conds) == 1:
        return conds[0]
    return BoolOp("AND", conds)


def build_select(qs: QuerySet[Any], columns: Sequence[Expression[Any]] | None = None) -> Select:
    """The query's SELECT statement (selecting ``columns`` when given)."""
    model = qs._model
    if (
        columns is None
        and qs._sources is TABLE_ONLY
        and qs._projection is MODEL_ROWS
        and model is not None
        and not model._meta.deletion.scoped
        and not qs._filters.having
    ):
        # the usual model query (no join, CTE, union, group or deletion scope): the
        # clauses below that would all come out empty are not looked at
        own = model._meta.column_list
        _check_sources(qs, own)
        where, page = qs._filters.where, qs._slice
        return Select(
            model,
            own,
            where=None if not where else where[0] if len(where) == 1 else BoolOp("AND", where),
            order_by=qs._order,
            limit=None if page.limit is None else Param(page.limit, INTEGER),
            offset=None if page.offset is None else Param(page.offset, INTEGER),
            lock=qs._lock,
        )
    filters, sources, projection, page = qs._filters, qs._sources, qs._projection, qs._slice
    having = None
    if filters.having:
        having = filters.having[0] if len(filters.having) == 1 else BoolOp("AND", filters.having)
    selected = columns if columns is not None else qs._effective_columns()
    _check_sources(qs, selected)
    source = None
    if model is not None and model._meta.deletion.scoped:
        source = model._meta.deletion.scope_source(model, qs._scope)
    ctes = sources.ctes
    compounds = tuple((op, part_qs._build_select()) for op, part_qs in sources.compounds)
    for _, part in compounds:
        # WITH may only open the whole statement, not a part after UNION
        for clause in part.ctes:
            if any(c.name == clause.name for c in ctes):
                check_same_cte(ctes, clause)
            else:
                ctes = (*ctes, clause)
        part.ctes = ()
    return Select(
        model,
        selected,
        where=where_condition(qs),
        joins=sources.joins,
        group_by=projection.group_by,
        having=having,
        order_by=qs._order,
        limit=None if page.limit is None else Param(page.limit, INTEGER),
        offset=None if page.offset is None else Param(page.offset, INTEGER),
        distinct=projection.distinct,
        ctes=ctes,
        from_cte=None if sources.cte is None else sources.cte.name,
        compounds=compounds,
        from_select=source,
        from_alias=None if source is None else model._meta.table_name,
        lock=qs._lock,
    )


def model_query_key(qs: QuerySet[Any], params: list[Param]) -> Hashable | None:
    """The compile-cache key of the query's SELECT, computed without building it, for
    the usual model query whose statement needs no check: the model's own rows, where
    every condition is ``own column <op> value`` or ``own column IN (values)`` and the
    order is by its own columns (no join, projection, group, deletion scope or row
    filter of another kind).
    Collects the parameters into ``params`` as :meth:`Select._key` would; None for
    any other query, which is built and checked as usual.

    For such a query :func:`build_select` takes its first branch and
    :func:`_check_sources` returns at once, so a statement the engine has already
    compiled for this key is the one the query would build.
    """
    model = qs._model
    if model is None or qs._sources is not TABLE_ONLY or qs._projection is not MODEL_ROWS:
        return None
    meta = model._meta
    filters = qs._filters
    if filters.having or meta.deletion.scoped:
        return None
    if not _own_filters_and_order(qs, model):
        return None
    where = filters.where
    page = qs._slice
    limit, offset = page.limit, page.offset
    return plain_select_key(
        meta,
        False,
        meta.columns_key,
        None if not where else where[0] if len(where) == 1 else BoolOp("AND", where),
        qs._order,
        None if limit is None else Param(limit, INTEGER),
        None if offset is None else Param(offset, INTEGER),
        qs._lock,
        params,
    )


def _check_sources(qs: QuerySet[Any], selected: Sequence[Expression[Any]]) -> None:
    """Every column used must belong to a table (or CTE) of the query."""
    model = qs._model
    filters, sources = qs._filters, qs._sources
    projection = qs._projection
    if (
        not sources.joins
        and projection.columns is None
        and not projection.group_by
        and not filters.having
        and columns_is_model(selected, model)
        and _own_filters_and_order(qs, model)  # ordered by its own columns (top-N) too
    ):
        return
    tables = {j.table for j in sources.joins if j.table is not None}
    if model is not None:
        tables.add(model._meta)
    ctes = {j.cte_name for j in sources.joins if j.cte_name}
    if sources.cte is not None:
        ctes.add(sources.cte.name)
    exprs: list[Any] = [*selected, *filters.where, *qs._projection.group_by, *filters.having]
    exprs += [o.expr for o in qs._order]
    for expr in exprs:
        for node in expr.walk():
            if isinstance(node, Column) and node.table not in tables:
                raise exc.QueryError(
                    f"{node.model.__name__}.{node.name} is used, but {node.model.__name__} is "
                    f"not in this query: add .join({node.model.__name__}, on=...) or use a "
                    "subquery"
                )
            cte_name = getattr(node, "cte_name", None)
            if isinstance(cte_name, str) and cte_name not in ctes:
                raise exc.QueryError(
                    f"the CTE {cte_name!r} is used but not joined: add .join(cte, on=...)"
                )


def ordering(qs: QueryChain[Any], item: Ordering | Expression[Any] | str) -> Ordering:
    """An ``order_by()`` item as an Ordering; a string names a column of the query."""
    if isinstance(item, Ordering):
        return item
    if isinstance(item, Expression):
        return Ordering(item, descending=False)
    if isinstance(item, str):
        m = _ORDER_TEXT.match(item)
        names = _orderable_names(qs)
        if m is None or m.group(2) not in names:
            raise ValueError(
                f"order_by({item!r}): not a column of this query. Pass a column "
                "(e.g. Post.views.desc) or one of "
                + ", ".join(repr(n) for n in names)
                + ", optionally prefixed with '-' or followed by ASC/DESC"
            )
        descending = bool(m.group(1)) or (m.group(3) or "").lower() == "desc"
        if m.group(1) and m.group(3):
            raise ValueError(f"order_by({item!r}): use either '-name' or 'name DESC', not both")
        return Ordering(names[m.group(2)], descending)
    raise TypeError(f"order_by() takes columns, orderings or column names, got {item!r}")

def _orderable_names(qs: QueryChain[Any]) -> dict[str, Expression[Any]]:
    """The columns a string in ``order_by()`` may name, by name."""
    names: dict[str, Expression[Any]] = {}
    if qs._model is not None:
        names.update(qs._model._meta.columns)
    for join in qs._sources.joins:
        if join.cte is not None:
            for name in join.cte.column_names:
                names.setdefault(name, join.cte.column(name))
        elif join.table is not None:
            for col in join.table.column_list:
                names.setdefault(col.name, col)
    for item in qs._projection.columns or ():
        if isinstance(item, Label):
            names[item.name] = item
        elif isinstance(getattr(item, "name", None), str) and not isinstance(item, Function):
            names.setdefault(item.name, item)  # type: ignore[attr-defined]
    return names
