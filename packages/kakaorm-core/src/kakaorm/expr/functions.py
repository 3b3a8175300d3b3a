"""Functions, aggregates, window functions, ``CASE``, and the result names of
selected expressions."""

from __future__ import annotations

import decimal as _decimal
from collections.abc import Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, overload

from kakaorm.exc import QueryError
from kakaorm.expr.conditions import Condition, _condition
from kakaorm.expr.elements import Expression, Label, Ordering, Param, _as_expr, describe
from kakaorm.types import FLOAT, INTEGER, SQLType

__all__ = [
    "Aggregate",
    "Avg",
    "Case",
    "Count",
    "DenseRank",
    "Function",
    "Lag",
    "Lead",
    "Max",
    "Min",
    "Rank",
    "RowNumber",
    "Sum",
    "When",
    "Window",
    "WindowFunction",
    "result_key",
]

T = TypeVar("T")
V = TypeVar("V")


def _expression(value: object, call: str, example: str = "Post.views") -> Expression[Any]:
    """``value`` if it is an expression; else a TypeError giving the typed spelling
    (kakaorm 0.4 took column names and SQL as strings here)."""
    if isinstance(value, Expression):
        return value
    if isinstance(value, str):
        raise TypeError(
            f"{call} takes a column or expression such as {example}, not the string "
            f"{value!r}: SQL is never read from a string (kakaorm.raw('...') marks a "
            "fragment you wrote)"
        )
    raise TypeError(f"{call} takes a column or expression such as {example}, got {value!r}")


def result_key(expr: Expression[Any]) -> str:
    """The dict key of an expression in a ``select()`` result.

    A label's name, a column's name, ``count(*)``/``sum(views)`` for a bare
    aggregate; any other expression needs a ``.label()``.
    """
    if isinstance(expr, Label):
        return expr.name
    name = getattr(expr, "name", None)
    if isinstance(name, str) and not isinstance(expr, Function):
        return name
    if isinstance(expr, Aggregate):
        inner = "*" if expr.arg is None else result_key(expr.arg)
        return f"{expr.function.lower()}({inner})"
    raise QueryError(
        f"select() cannot name the expression {type(expr).__name__}: give it a name with "
        ".label('name'), e.g. (Post.views + 1).label('next_views')"
    )


class Function(Expression[Any]):
    """A SQL function call with a portable name; the compiler spells it."""

    __slots__ = ("args", "name", "type")

    def __init__(self, name: str, *args: Expression[Any], type: SQLType | None = None) -> None:
        self.name, self.args, self.type = name, args, type

    def _key(self, params: list[Param]) -> Hashable:
        return ("fn", self.name, tuple(a._key(params) for a in self.args))

    def _children(self) -> Iterable[Expression[Any]]:
        return self.args


class Aggregate(Expression[T]):
    """An aggregate function: usable in ``select()``, ``having()`` and ``aggregate()``.

    To a type checker it is an expression of its result's Python type: ``Count()`` is
    an ``Expression[int]``, ``Sum(Post.views)`` an ``Expression[int | None]`` (the sum
    of no rows is NULL).
    """

    __slots__ = ("arg", "distinct")
    function: str = ""
    is_aggregate = True

    def __init__(self, arg: Expression[Any] | None = None, *, distinct: bool = False) -> None:
        name = type(self).__name__
        if type(self) is Count and isinstance(arg, str) and arg == "*":
            arg = None  # COUNT(*), as kakaorm 0.4 spelled it
        if arg is None and type(self) is not Count:
            raise TypeError(f"{name}() needs a column, e.g. {name}(Post.views)")
        self.arg = None if arg is None else _expression(arg, f"{name}()")
        self.distinct = distinct

    def _key(self, params: list[Param]) -> Hashable:
        return (
            "agg",
            self.function,
            self.distinct,
            None if self.arg is None else self.arg._key(params),
        )

    def _children(self) -> Iterable[Expression[Any]]:
        return () if self.arg is None else (self.arg,)

    def over(
        self,
        partition_by: Sequence[Expression[Any]] | None = None,
        order_by: Sequence[Expression[Any] | Ordering] | None = None,
    ) -> Window:
        """Use this aggregate as a window function: ``SUM(x) OVER (...)``."""
        return Window(self, partition_by, order_by)


class Count(Aggregate[int]):
    """``COUNT(col)``, or ``COUNT(*)`` without an argument. Result: int."""

    __slots__ = ()
    function = "COUNT"
    type = INTEGER


class _SameType(Aggregate[T]):
    """An aggregate whose result has its argument's type."""

    __slots__ = ()

    @property
    def type(self) -> SQLType | None:  # type: ignore[override]
        assert self.arg is not None
        return self.arg.type


class Sum(_SameType[T]):
    """``SUM(col)``. Result: int for integer (and boolean) columns, Decimal for decimals,
    else float; None when no row is summed."""

    __slots__ = ()
    function = "SUM"

    if TYPE_CHECKING:
        @overload
        def __init__(
            self: Sum[int | None],
            arg: Expression[int] | Expression[int | None] | Expression[bool] | Expression[bool | None],
            *, distinct: bool = ...,
        ) -> None: ...
        @overload
        def __init__(
            self: Sum[_decimal.Decimal | None],
            arg: Expression[_decimal.Decimal] | Expression[_decimal.Decimal | None],
            *, distinct: bool = ...,
        ) -> None: ...
        @overload
        def __init__(
            self: Sum[float | None], arg: Expression[float] | Expression[float | None],
            *, distinct: bool = ...,
        ) -> None: ...
        @overload
        def __init__(self: Sum[Any], arg: Expression[Any], *, distinct: bool = ...) -> None: ...
        def __init__(self, arg: Any, *, distinct: bool = False) -> None: ...

    @property
    def type(self) -> SQLType | None:  # type: ignore[override]
        t = super().type
        # the sum of booleans counts the true ones
        return INTEGER if t is not None and t.kind == "bool" else t


class Avg(Aggregate[T]):
    """``AVG(col)``. Result: float; for a decimal column, a Decimal with 4 more
    decimal places than the column; None when no row is averaged."""

    __slots__ = ()
    function = "AVG"

    if TYPE_CHECKING:
        @overload
        def __init__(
            self: Avg[_decimal.Decimal | None],
            arg: Expression[_decimal.Decimal] | Expression[_decimal.Decimal | None],
            *, distinct: bool = ...,
        ) -> None: ...
        @overload
        def __init__(self: Avg[float | None], arg: Expression[Any], *, distinct: bool = ...) -> None: ...
        def __init__(self, arg: Any, *, distinct: bool = False) -> None: ...

    @property
    def type(self) -> SQLType | None:  # type: ignore[override]
        assert self.arg is not None
        t = self.arg.type
        if t is not None and t.kind == "decimal":
            # each database carries a different number of digits (PostgreSQL 16 or
            # more, MySQL scale + 4, SQLite a float's); scale + 4 makes them agree
            scale = None if t.scale is None else t.scale + 4
            return SQLType("decimal", precision=t.precision, scale=scale)
        return FLOAT


class Max(_SameType[T]):
    """``MAX(col)``; the result has the column's type (None when no row is read)."""

    __slots__ = ()
    function = "MAX"

    if TYPE_CHECKING:
        def __init__(self: Max[V | None], arg: Expression[V], *, distinct: bool = ...) -> None: ...


class Min(_SameType[T]):
    """``MIN(col)``; the result has the column's type (None when no row is read)."""

    __slots__ = ()
    function = "MIN"

    if TYPE_CHECKING:
        def __init__(self: Min[V | None], arg: Expression[V], *, distinct: bool = ...) -> None: ...


class WindowFunction(Expression[Any]):
    """A function that only exists with ``OVER (...)``: call ``.over()`` on it."""

    __slots__ = ("args",)
    function: str = ""

    def __init__(self, *args: Expression[Any]) -> None:
        self.args = args

    def _key(self, params: list[Param]) -> Hashable:
        return ("wfn", self.function, tuple(a._key(params) for a in self.args))

    def _children(self) -> Iterable[Expression[Any]]:
        return self.args

    def over(
        self,
        partition_by: Sequence[Expression[Any]] | None = None,
        order_by: Sequence[Expression[Any] | Ordering] | None = None,
    ) -> Window:
        """Attach the window: ``PARTITION BY`` and ``ORDER BY`` lists."""
        return Window(self, partition_by, order_by)


class _Ranking(WindowFunction):
    """A window function without arguments, numbering rows."""

    __slots__ = ()
    type = INTEGER

    def __init__(self) -> None:
        super().__init__()


class RowNumber(_Ranking):
    """``ROW_NUMBER()``: 1, 2, 3, ... within each partition."""

    __slots__ = ()
    function = "ROW_NUMBER"


class Rank(_Ranking):
    """``RANK()``: ties share a rank and leave a gap after them."""

    __slots__ = ()
    function = "RANK"


class DenseRank(_Ranking):
    """``DENSE_RANK()``: ties share a rank, no gap after them."""

    __slots__ = ()
    function = "DENSE_RANK"


class _Offset(WindowFunction):
    __slots__ = ()

    def __init__(self, expr: Expression[Any], offset: int = 1, default: Any = None) -> None:
        expr = _expression(expr, f"{type(self).__name__}()")
        args: list[Expression[Any]] = [expr, Param(int(offset), INTEGER)]
        if default is not None:
            args.append(_as_expr(default, expr))
        super().__init__(*args)

    @property
    def type(self) -> SQLType | None:  # type: ignore[override]
        return self.args[0].type


class Lag(_Offset):
    """``LAG(col, n, default)``: the value ``n`` rows before."""

    __slots__ = ()
    function = "LAG"


class Lead(_Offset):
    """``LEAD(col, n, default)``: the value ``n`` rows after."""

    __slots__ = ()
    function = "LEAD"


_OVER_ORDER = ("over(order_by=...)", "Post.views or Post.views.desc")


class Window(Expression[Any]):
    """``function OVER (PARTITION BY ... ORDER BY ...)``."""

    __slots__ = ("function", "order_by", "partition_by")
    is_window = True

    def __init__(
        self,
        function: Expression[Any],
        partition_by: Sequence[Expression[Any]] | None,
        order_by: Sequence[Expression[Any] | Ordering] | None,
    ) -> None:
        self.function = function
        self.partition_by = [_expression(p, "over(partition_by=...)") for p in partition_by or ()]
        self.order_by = [
            o if isinstance(o, Ordering) else Ordering(_expression(o, *_OVER_ORDER), False)
            for o in order_by or ()
        ]

    @property
    def type(self) -> SQLType | None:  # type: ignore[override]
        return self.function.type

    def _key(self, params: list[Param]) -> Hashable:
        return (
            "over",
            self.function._key(params),
            tuple(p._key(params) for p in self.partition_by),
            tuple(o._key(params) for o in self.order_by),
        )

    def _children(self) -> Iterable[Expression[Any]]:
        return (*self.partition_by, *(o.expr for o in self.order_by))


class When:
    """One branch of a :class:`Case`: ``WHEN condition THEN value``."""

    __slots__ = ("condition", "then")

    def __init__(self, condition: Condition, then: Any) -> None:
        self.condition = _condition(condition)
        self.then = _as_expr(then)

    def __repr__(self) -> str:
        return describe(self)


class Case(Expression[Any]):
    """``CASE WHEN ... THEN ... ELSE default END``."""

    __slots__ = ("default", "whens")

    def __init__(self, *whens: When, default: Any = None) -> None:
        if not whens:
            raise TypeError("Case() needs at least one When(condition, then=value)")
        self.whens = whens
        self.default = None if default is None else _as_expr(default)

    @property
    def type(self) -> SQLType | None:  # type: ignore[override]
        return self.whens[0].then.type

    def _key(self, params: list[Param]) -> Hashable:
        return (
            "case",
            tuple((w.condition._key(params), w.then._key(params)) for w in self.whens),
            None if self.default is None else self.default._key(params),
        )

    def _children(self) -> Iterable[Expression[Any]]:
        out: list[Expression[Any]] = []
        for w in self.whens:
            out += [w.condition, w.then]
        if self.default is not None:
            out.append(self.default)
        return out
