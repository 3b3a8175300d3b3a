"""Statement objects: what a compiler turns into ``(sql, params)``.

QuerySets and models build these; dialect compilers read them. Each statement has
``_key(params)``, the hashable shape used as the compile-cache key (see
:mod:`kakaorm.expr`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Hashable, Sequence

from kakaorm.expr import Condition, Expression, Ordering, Param

if TYPE_CHECKING:
    from kakaorm.orm.columns import Column
    from kakaorm.orm.model import Model

__all__ = ["CTE", "Delete", "Insert", "Join", "Select", "Statement", "Update"]


class Statement:
    """Base class of compilable statements."""

    __slots__ = ()

    def _key(self, params: list[Param]) -> Hashable:
        raise NotImplementedError


def _key_of(items: Sequence[Any], params: list[Param]) -> tuple[Hashable, ...]:
    if not items:
        return ()
    return tuple([item._key(params) for item in items])


class Join:
    """``[INNER|LEFT|RIGHT] JOIN target ON condition``; the target is a model or a CTE."""

    __slots__ = ("kind", "model", "on")

    def __init__(self, kind: str, model: Any, on: Condition) -> None:
        self.kind, self.model, self.on = kind, model, on

    @property
    def cte_name(self) -> str | None:
        """The CTE's name when the target is a CTE, else None."""
        name = getattr(self.model, "name", None)
        return name if isinstance(name, str) and not hasattr(self.model, "_meta") else None

    def _key(self, params: list[Param]) -> Hashable:
        target = ("cte", self.cte_name) if self.cte_name else self.model
        return ("join", self.kind, target, self.on._key(params))


class CTE:
    """``WITH name[(columns)] AS (select)``; ``recursive`` marks ``WITH RECURSIVE``."""

    __slots__ = ("name", "select", "recursive", "columns")

    def __init__(
        self, name: str, select: Select, recursive: bool = False, columns: tuple[str, ...] = ()
    ) -> None:
        self.name, self.select, self.recursive, self.columns = name, select, recursive, columns

    def _key(self, params: list[Param]) -> Hashable:
        return ("cte", self.name, self.recursive, self.columns, self.select._key(params))


class Select(Statement):
    """``SELECT columns FROM model [JOIN ...] [WHERE] [GROUP BY] [HAVING] [ORDER BY] [LIMIT]``.

    Attributes:
        model: the model whose table is in ``FROM``.
        columns: the selected expressions (a model's columns for model queries).
        from_select: a derived table to select from instead of the model's table.
        limit, offset: bound as parameters.
        lock: ``"update"`` to lock the matched rows (``FOR UPDATE``) where the dialect
            has row locks; None for a plain read.
    """

    __slots__ = (
        "model",
        "columns",
        "where",
        "joins",
        "group_by",
        "having",
        "order_by",
        "limit",
        "offset",
        "distinct",
        "ctes",
        "from_select",
        "from_cte",
        "from_alias",
        "compounds",
        "lock",
    )

    def __init__(
        self,
        model: type[Model],
        columns: Sequence[Expression[Any]],
        *,
        where: Condition | None = None,
        joins: Sequence[Join] = (),
        group_by: Sequence[Expression[Any]] = (),
        having: Condition | None = None,
        order_by: Sequence[Ordering] = (),
        limit: Param | None = None,
        offset: Param | None = None,
        distinct: bool = False,
        ctes: Sequence[CTE] = (),
        from_select: Select | None = None,
        from_cte: str | None = None,
        compounds: Sequence[tuple[str, Select]] = (),
        from_alias: str | None = None,
        lock: str | None = None,
    ) -> None:
        self.model = model
        self.columns = columns
        self.where = where
        self.joins = joins
        self.group_by = group_by
        self.having = having
        self.order_by = order_by
        self.limit = limit
        self.offset = offset
        self.distinct = distinct
        self.ctes = ctes
        self.from_select = from_select
        self.from_cte = from_cte
        self.from_alias = from_alias
        self.compounds = compounds
        self.lock = lock

    def _key(self, params: list[Param]) -> Hashable:
        model = self.model
        columns = self.columns
        if model is not None and columns is model._meta.column_list:
            columns_key: Hashable = model._meta.columns_key
        else:
            columns_key = _key_of(columns, params)
        return (
            "select",
            model,
            _key_of(self.ctes, params),
            self.distinct,
            columns_key,
            None if self.from_select is None else self.from_select._key(params),
            self.from_cte,
            self.from_alias,
            _key_of(self.joins, params),
            None if self.where is None else self.where._key(params),
            _key_of(self.group_by, params),
            None if self.having is None else self.having._key(params),
            tuple((op, sel._key(params)) for op, sel in self.compounds),
            _key_of(self.order_by, params),
            None if self.limit is None else self.limit._key(params),
            None if self.offset is None else self.offset._key(params),
            self.lock,
        )


class Insert(Statement):
    """``INSERT INTO model (columns) VALUES (...), (...) [RETURNING ...]``.

    Attributes:
        rows: one list of plain Python values per row, in ``columns`` order (bound
            as parameters; the dialect's bind conversions apply per column).
        returning: columns to return (only when the dialect supports RETURNING).
        from_select: ``INSERT INTO model (columns) SELECT ...`` instead of VALUES.
    """

    __slots__ = ("model", "columns", "rows", "returning", "from_select")

    def __init__(
        self,
        model: type[Model],
        columns: Sequence[Column[Any]],
        rows: Sequence[Sequence[Any]] = (),
        returning: Sequence[Column[Any]] = (),
        from_select: Select | None = None,
    ) -> None:
        self.model, self.columns, self.rows = model, columns, rows
        self.returning, self.from_select = returning, from_select

    def _key(self, params: list[Param]) -> Hashable:
        return (
            "insert",
            self.model,
            _key_of(self.columns, params),
            len(self.rows),
            _key_of(self.returning, params),
            None if self.from_select is None else self.from_select._key(params),
        )


class Update(Statement):
    """``UPDATE model SET col = expr, ... [WHERE condition]``."""

    __slots__ = ("model", "values", "where")

    def __init__(
        self,
        model: type[Model],
        values: Sequence[tuple[Column[Any], Expression[Any]]],
        where: Condition | None = None,
    ) -> None:
        self.model, self.values, self.where = model, values, where

    def _key(self, params: list[Param]) -> Hashable:
        return (
            "update",
            self.model,
            tuple((col._key(params), expr._key(params)) for col, expr in self.values),
            None if self.where is None else self.where._key(params),
        )


class Delete(Statement):
    """``DELETE FROM model [WHERE condition]``."""

    __slots__ = ("model", "where")

    def __init__(self, model: type[Model], where: Condition | None = None) -> None:
        self.model, self.where = model, where

    def _key(self, params: list[Param]) -> Hashable:
        return ("delete", self.model, None if self.where is None else self.where._key(params))
