"""Statement objects: what a compiler turns into ``(sql, params)``.

QuerySets and models build these; dialect compilers read them. Each statement has
``_key(params)``, the hashable shape used as the compile-cache key (see
:mod:`kakaorm.expr`).

A statement names its table by a :class:`~kakaorm.expr.tables.TableRef`; anything
with ``__table_ref__()`` (a model class) may be given instead and is resolved once,
when the statement is built. The SQL layer never sees a model.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

from kakaorm.expr.columns import CTEColumn
from kakaorm.expr.functions import result_key
from kakaorm.expr.tables import table_ref

if TYPE_CHECKING:
    from kakaorm.expr.columns import ColumnElement
    from kakaorm.expr.conditions import Condition
    from kakaorm.expr.elements import Expression, Ordering, Param
    from kakaorm.expr.tables import TableRef, TableSource

__all__ = [
    "CTE", "FOR_UPDATE", "Delete", "Insert", "Join", "OnConflict", "RowLock", "Select", "Statement", "Update",
    "plain_select_key",
]


class RowLock:
    """A SELECT's row lock request: ``FOR UPDATE [OF t, ...] [NOWAIT | SKIP LOCKED]``.

    Attributes:
        nowait: fail at once when a row is locked by another transaction.
        skip_locked: leave out rows another transaction has locked.
        of: the tables whose rows are locked; () locks the rows of every table read.
        strict: the user asked for the lock (``select_for_update()``), so a dialect
            without row locks refuses it; False for the ORM's own best-effort locks,
            which such a dialect leaves out.
    """

    __slots__ = ("key", "nowait", "of", "skip_locked", "strict")

    def __init__(
        self, *, nowait: bool = False, skip_locked: bool = False, of: tuple[TableRef, ...] = (), strict: bool = True
    ) -> None:
        self.nowait, self.skip_locked, self.of, self.strict = nowait, skip_locked, of, strict
        #: the lock's part of the compile-cache key
        self.key: Hashable = ("lock", nowait, skip_locked, of, strict)


#: the ORM's internal, best-effort lock (get_or_create and friends)
FOR_UPDATE = RowLock(strict=False)


class Statement:
    """Base class of compilable statements."""

    __slots__ = ()

    def _key(self, params: list[Param]) -> Hashable:
        raise NotImplementedError


def _key_of(items: Sequence[Any], params: list[Param]) -> tuple[Hashable, ...]:
    if not items:
        return ()
    return tuple([item._key(params) for item in items])


def plain_select_key(
    table: TableRef | None,
    distinct: bool,
    columns_key: Hashable,
    where: Condition | None,
    order_by: Sequence[Ordering],
    limit: Param | None,
    offset: Param | None,
    lock: RowLock | None,
    params: list[Param],
) -> Hashable:
    """The compile-cache key of a SELECT over one table and nothing else (no join,
    CTE, derived table, group, HAVING or UNION), collecting its parameters into
    ``params``. :meth:`Select._key` gives this for such a statement; the ORM computes
    it from a query's clauses without building the statement first (see
    :func:`kakaorm.orm.query_build.model_query_key`)."""
    return (
        "plain-select",
        table,
        distinct,
        columns_key,
        None if where is None else where._key(params),
        _key_of(order_by, params),
        None if limit is None else limit._key(params),
        None if offset is None else offset._key(params),
        None if lock is None else lock.key,
    )


class Join:
    """``[INNER|LEFT|RIGHT] JOIN target ON condition``; the target is a table or a CTE.

    Attributes:
        table: the joined table, or None when the target is a CTE.
        cte: the joined CTE, or None when the target is a table.
    """

    __slots__ = ("cte", "kind", "on", "table")

    def __init__(self, kind: str, target: TableRef | TableSource | CTE, on: Condition) -> None:
        self.kind, self.on = kind, on
        if isinstance(target, CTE):
            self.table: TableRef | None = None
            self.cte: CTE | None = target
        else:
            self.table, self.cte = table_ref(target), None

    @property
    def cte_name(self) -> str | None:
        """The CTE's name when the target is a CTE, else None."""
        return None if self.cte is None else self.cte.name

    def _key(self, params: list[Param]) -> Hashable:
        target = self.table if self.cte is None else ("cte", self.cte.name)
        return ("join", self.kind, target, self.on._key(params))


class CTE:
    """``WITH name[(columns)] AS (select)``; ``recursive`` marks ``WITH RECURSIVE``.

    Attributes:
        columns: the names written after the CTE's name (a recursive CTE's), or ().
        column_names: the names of the CTE's result columns.
    """

    __slots__ = ("column_names", "columns", "name", "recursive", "select")

    def __init__(
        self, name: str, select: Select, recursive: bool = False, columns: tuple[str, ...] = ()
    ) -> None:
        self.name, self.select, self.recursive, self.columns = name, select, recursive, columns
        self.column_names: tuple[str, ...] = columns or tuple(result_key(c) for c in select.columns)

    def column(self, name: str) -> CTEColumn:
        """The CTE's column ``name`` as an expression (``tree.c.depth``)."""
        index = self.column_names.index(name)
        return CTEColumn(self.name, name, self.select.columns[index].type)

    def _key(self, params: list[Param]) -> Hashable:
        return ("cte", self.name, self.recursive, self.columns, self.select._key(params))


class Select(Statement):
    """``SELECT columns FROM table [JOIN ...] [WHERE] [GROUP BY] [HAVING] [ORDER BY] [LIMIT]``.

    Attributes:
        table: the table in ``FROM`` (None for a query over a CTE).
        columns: the selected expressions (a table's ``column_list`` for model queries).
        from_select: a derived table to select from instead of the table.
        limit, offset: bound as parameters.
        lock: a :class:`RowLock` to lock the matched rows (``FOR UPDATE``); None for
            a plain read.
    """

    __slots__ = (
        "columns",
        "compounds",
        "ctes",
        "distinct",
        "from_alias",
        "from_cte",
        "from_select",
        "group_by",
        "having",
        "joins",
        "limit",
        "lock",
        "offset",
        "order_by",
        "table",
        "where",
    )

    def __init__(
        self,
        table: TableRef | TableSource | None,
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
        lock: RowLock | None = None,
    ) -> None:
        # table_ref() inlined: a Select is built for every query
        hook = getattr(table, "__table_ref__", None)
        self.table: TableRef | None = table if hook is None else hook()  # type: ignore[assignment]
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
        table = self.table
        columns = self.columns
        if table is not None and columns is table.column_list:
            columns_key: Hashable = table.columns_key
        else:
            columns_key = _key_of(columns, params)
        if not (
            self.ctes or self.from_select is not None or self.from_cte is not None
            or self.from_alias is not None or self.joins or self.group_by
            or self.having is not None or self.compounds
        ):
            # a plain query over one table (most queries): its own, shorter shape
            return plain_select_key(
                table, self.distinct, columns_key, self.where, self.order_by,
                self.limit, self.offset, self.lock, params,
            )
        return (
            "select",
            table,
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
            None if self.lock is None else self.lock.key,
        )

    def __subquery__(self) -> Select:
        """A Select nests as itself (see :class:`~kakaorm.expr.tables.SubquerySource`)."""
        return self


class OnConflict:
    """What an INSERT does with a row that collides with a stored one: update the
    ``update`` columns to the new row's values, or (``update`` empty) keep the stored
    row. ``target`` names the unique columns the collision is on (PostgreSQL and SQLite
    spell it; MySQL reacts to any unique key)."""

    __slots__ = ("key", "target", "update")

    def __init__(self, target: Sequence[ColumnElement[Any]], update: Sequence[ColumnElement[Any]]) -> None:
        self.target, self.update = tuple(target), tuple(update)
        #: the clause's part of the compile-cache key
        self.key: Hashable = ("on-conflict", tuple(c.name for c in self.target), tuple(c.name for c in self.update))


class Insert(Statement):
    """``INSERT INTO table (columns) VALUES (...), (...) [RETURNING ...]``.

    Attributes:
        rows: one list of plain Python values per row, in ``columns`` order (bound
            as parameters; the dialect's bind conversions apply per column).
        returning: columns to return (only when the dialect supports RETURNING).
        from_select: ``INSERT INTO table (columns) SELECT ...`` instead of VALUES.
        on_conflict: an :class:`OnConflict` (upsert), or None for a plain INSERT.
        columns_key: ``columns``' part of the compile-cache key when the caller has it
            made already (a model's own column lists); None computes it.
    """

    __slots__ = ("columns", "columns_key", "from_select", "on_conflict", "returning", "rows", "table")

    def __init__(
        self,
        table: TableRef | TableSource,
        columns: Sequence[ColumnElement[Any]],
        rows: Sequence[Sequence[Any]] = (),
        returning: Sequence[ColumnElement[Any]] = (),
        from_select: Select | None = None,
        on_conflict: OnConflict | None = None,
        columns_key: Hashable | None = None,
    ) -> None:
        self.table, self.columns, self.rows = table_ref(table), columns, rows
        self.returning, self.from_select, self.on_conflict = returning, from_select, on_conflict
        self.columns_key = columns_key

    def _key(self, params: list[Param]) -> Hashable:
        columns_key = self.columns_key
        return (
            "insert",
            self.table,
            # a column's key collects no parameter, so a key made beforehand is the same
            _key_of(self.columns, params) if columns_key is None else columns_key,
            len(self.rows),
            _key_of(self.returning, params),
            None if self.from_select is None else self.from_select._key(params),
            None if self.on_conflict is None else self.on_conflict.key,
        )


class Update(Statement):
    """``UPDATE table SET col = expr, ... [WHERE condition]``."""

    __slots__ = ("table", "values", "where")

    def __init__(
        self,
        table: TableRef | TableSource,
        values: Sequence[tuple[ColumnElement[Any], Expression[Any]]],
        where: Condition | None = None,
    ) -> None:
        self.table, self.values, self.where = table_ref(table), values, where

    def _key(self, params: list[Param]) -> Hashable:
        return (
            "update",
            self.table,
            tuple((col._key(params), expr._key(params)) for col, expr in self.values),
            None if self.where is None else self.where._key(params),
        )


class Delete(Statement):
    """``DELETE FROM table [WHERE condition]``."""

    __slots__ = ("table", "where")

    def __init__(self, table: TableRef | TableSource, where: Condition | None = None) -> None:
        self.table, self.where = table_ref(table), where

    def _key(self, params: list[Param]) -> Hashable:
        return ("delete", self.table, None if self.where is None else self.where._key(params))
