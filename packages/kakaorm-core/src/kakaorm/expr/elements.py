"""The base of the expression tree: expressions, bound values, labels, orderings,
arithmetic and columns.

Every node can do two things, and nothing else:

* ``_key(params)`` returns a hashable *shape* of the node and appends every bound
  :class:`Param` it contains to ``params``. Two trees with the same shape compile to
  the same SQL, so the shape is the compile-cache key.
* be read by a dialect's compiler (``kakaorm.compiler``), which turns it into SQL.

No node ever produces SQL text itself.

:class:`Expression`'s operators build the conditions of :mod:`kakaorm.expr.conditions`,
whose classes are expressions in turn: the two modules refer to each other. This
module reaches the conditions through the module object imported at its end, so
either module may be imported first.
"""

from __future__ import annotations

import builtins
import datetime as _dt
import decimal as _decimal
import uuid as _uuid
from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from kakaorm.types import (
    BOOLEAN,
    BYTES,
    DATE,
    DATETIME,
    FLOAT,
    INTEGER,
    TEXT,
    TIME,
    UUID,
    SQLType,
    check_value,
)

if TYPE_CHECKING:
    from kakaorm.expr.conditions import Condition, Subquery
    from kakaorm.expr.tables import SubquerySource

__all__ = ["Arithmetic", "Expression", "Label", "Ordering", "Param", "Raw", "coerce_value", "set_describer", "value"]

T = TypeVar("T")


#: how reprs render a node; kakaorm.compiler.describe installs the SQL-like rendering
_describer: Callable[[object], str] = lambda node: f"<{type(node).__name__}>"  # noqa: E731


def set_describer(describer: Callable[[object], str]) -> None:
    """Install the function that renders ``repr()`` of expressions, orderings and
    When branches. The compiler layer installs its SQL-like rendering when it is
    imported (it sits above this layer, so this layer cannot call it directly)."""
    global _describer
    _describer = describer


def describe(node: object) -> str:
    """``repr()`` text of a node, by the installed describer."""
    return _describer(node)


#: types of values that are never subqueries: the common case of _as_expr stays fast
_PLAIN_VALUES = frozenset(
    {int, str, float, bool, type(None), _decimal.Decimal, _dt.datetime, _dt.date, _dt.time}
)


def _as_expr(value: Any, like: Expression[Any] | None = None) -> Expression[Any]:
    """Wrap a Python value as a bound parameter typed like ``like``.

    A value compared with (or assigned to) ``like`` is checked against its type by the
    rule ``create()`` applies (:func:`coerce_value`): a TypeError before any SQL is
    built, so no database converts ``'abc'`` to 0 behind our back. A query (anything
    with ``__subquery__()``) becomes a scalar :class:`Subquery`.
    """
    if like is not None and type(value) is like.exact_type:
        return Param(value, like.type)
    if isinstance(value, Expression):
        return value
    if type(value) not in _PLAIN_VALUES and hasattr(value, "__subquery__"):
        return _conditions.Subquery(value)
    if like is None:
        return Param(value)
    if value is not None:
        value = like._check_value(value)
    return Param(value, like.type)


def _null_ordering(expr: Expression[Any], op: str) -> TypeError:
    name = _shown(expr)
    return TypeError(
        f"{name} {op} None is never true (NULL is not ordered): to find the rows where "
        f"{name} is NULL write {name} == None or {name}.is_null()"
    )


def _shown(expr: Expression[Any]) -> str:
    """How an error message names an expression: ``Post.views`` for a table's column."""
    return expr._column_name() or repr(expr)


class _Unchecked:
    """The ``exact_type`` of an expression that checks every value: nothing is one."""


class Expression(Generic[T]):
    """Base of every node that has a value in SQL.

    Comparison operators build conditions (``Post.views >= 100``); arithmetic
    operators build arithmetic (``Post.views + 1``); ``&``, ``|`` and ``~`` combine
    conditions.
    """

    __slots__ = ()
    #: the value type, used to choose bind and result conversions; None if unknown.
    type: SQLType | None = None
    #: the Python type whose values need no check against this expression's type (a
    #: column's: int for an integer column); for the others, a type no value has
    exact_type: builtins.type = _Unchecked
    #: True for aggregates (allowed in SELECT and HAVING, not in WHERE).
    is_aggregate: bool = False
    #: True for window functions (allowed in SELECT only).
    is_window: bool = False

    def _key(self, params: list[Param]) -> Hashable:
        raise NotImplementedError

    def _children(self) -> Iterable[Expression[Any]]:
        return ()

    def __repr__(self) -> str:
        # a generic SQL-like rendering, e.g. <Comparison post.views >= 100>
        return describe(self)

    def walk(self) -> Iterable[Expression[Any]]:
        """Yield this node and every node below it, depth first."""
        yield self
        for child in self._children():
            yield from child.walk()

    # comparisons -----------------------------------------------------------------
    def __eq__(self, other: object) -> Condition:  # type: ignore[override]
        if other is None:
            return _conditions.IsNull(self, negate=False)
        return _conditions.Comparison(self, "=", _as_expr(other, self))

    def __ne__(self, other: object) -> Condition:  # type: ignore[override]
        if other is None:
            return _conditions.IsNull(self, negate=True)
        return _conditions.Comparison(self, "!=", _as_expr(other, self))

    def __lt__(self, other: Any) -> Condition:
        if other is None:
            raise _null_ordering(self, "<")
        return _conditions.Comparison(self, "<", _as_expr(other, self))

    def __le__(self, other: Any) -> Condition:
        if other is None:
            raise _null_ordering(self, "<=")
        return _conditions.Comparison(self, "<=", _as_expr(other, self))

    def __gt__(self, other: Any) -> Condition:
        if other is None:
            raise _null_ordering(self, ">")
        return _conditions.Comparison(self, ">", _as_expr(other, self))

    def __ge__(self, other: Any) -> Condition:
        if other is None:
            raise _null_ordering(self, ">=")
        return _conditions.Comparison(self, ">=", _as_expr(other, self))

    def _check_value(self, value: Any) -> Any:
        """``value`` (not None, not an expression) checked against this expression's
        type, converted where lossless; a TypeError when the type cannot hold it."""
        if self.type is None:
            return value
        return coerce_value(self, value, exact=True)

    def value_type(self) -> SQLType | None:
        """The type values compared with this expression are checked against."""
        return self.type

    def _value_subject(self, misfit: bool) -> str:
        """What a value was checked against, to start an error message."""
        kind = self.type.kind if self.type is not None else "?"
        return f"{self!r} is of type {kind}"

    def _column_name(self) -> str | None:
        """``Post.views`` for a table's column, which messages name so; else None."""
        return None

    __hash__ = object.__hash__

    # arithmetic -------------------------------------------------------------------
    # A constant in arithmetic keeps its own type (unlike in a comparison): typed as
    # the column, 0.5 added to an int column would be bound as an integer.
    def __add__(self, other: Any) -> Arithmetic:
        return Arithmetic(self, "+", _as_expr(other))

    def __radd__(self, other: Any) -> Arithmetic:
        return Arithmetic(_as_expr(other), "+", self)

    def __sub__(self, other: Any) -> Arithmetic:
        return Arithmetic(self, "-", _as_expr(other))

    def __rsub__(self, other: Any) -> Arithmetic:
        return Arithmetic(_as_expr(other), "-", self)

    def __mul__(self, other: Any) -> Arithmetic:
        return Arithmetic(self, "*", _as_expr(other))

    def __rmul__(self, other: Any) -> Arithmetic:
        return Arithmetic(_as_expr(other), "*", self)

    def __truediv__(self, other: Any) -> Arithmetic:
        return Arithmetic(self, "/", _as_expr(other))

    def __rtruediv__(self, other: Any) -> Arithmetic:
        return Arithmetic(_as_expr(other), "/", self)

    # predicates -------------------------------------------------------------------
    def like(self, pattern: str, *, escape: str | None = None) -> Condition:
        """``LIKE``: ``%`` matches any run of characters, ``_`` any one; case-sensitive
        on every backend.

        Args:
            escape: a character that makes the next ``%``, ``_`` or escape character
                match itself (``like("100!%", escape="!")``). Without it a pattern
                has no escape character: a backslash is an ordinary character.
        """
        return _conditions.like(self, pattern, "like", False, escape)

    def ilike(self, pattern: str, *, escape: str | None = None) -> Condition:
        """Case-insensitive ``LIKE`` on every backend (``escape=`` as for :meth:`like`)."""
        return _conditions.like(self, pattern, "ilike", True, escape)

    def contains(self, text: str) -> Condition:
        """Rows whose text contains ``text``, taken literally (``%`` and ``_`` are
        ordinary characters here); case-sensitive."""
        return _conditions.matching(self, text, "contains", "%", "%", False)

    def icontains(self, text: str) -> Condition:
        """:meth:`contains`, case-insensitive as :meth:`ilike` is."""
        return _conditions.matching(self, text, "icontains", "%", "%", True)

    def startswith(self, text: str) -> Condition:
        """Rows whose text starts with ``text``, taken literally; case-sensitive."""
        return _conditions.matching(self, text, "startswith", "", "%", False)

    def istartswith(self, text: str) -> Condition:
        """:meth:`startswith`, case-insensitive as :meth:`ilike` is."""
        return _conditions.matching(self, text, "istartswith", "", "%", True)

    def endswith(self, text: str) -> Condition:
        """Rows whose text ends with ``text``, taken literally; case-sensitive."""
        return _conditions.matching(self, text, "endswith", "%", "", False)

    def iendswith(self, text: str) -> Condition:
        """:meth:`endswith`, case-insensitive as :meth:`ilike` is."""
        return _conditions.matching(self, text, "iendswith", "%", "", True)

    def in_(self, values: Iterable[Any] | SubquerySource | Subquery) -> Condition:
        """``IN``: a list of values, or a :class:`Subquery` or a query (anything with
        ``__subquery__()``, such as a QuerySet) selecting one column.

        An empty list matches no row.
        """
        return _conditions.in_condition(self, values, negate=False)

    def not_in(self, values: Iterable[Any] | SubquerySource | Subquery) -> Condition:
        """``NOT IN``; an empty list matches every row."""
        return _conditions.in_condition(self, values, negate=True)

    def between(self, low: Any, high: Any) -> Condition:
        """``BETWEEN low AND high`` (both ends included)."""
        if low is None or high is None:
            raise _conditions.null_member(self, "between()")
        return _conditions.Between(self, _as_expr(low, self), _as_expr(high, self))

    def is_null(self) -> Condition:
        """``IS NULL``."""
        return _conditions.IsNull(self, negate=False)

    def is_not_null(self) -> Condition:
        """``IS NOT NULL``."""
        return _conditions.IsNull(self, negate=True)

    # naming and ordering ----------------------------------------------------------
    def label(self, name: str) -> Label[T]:
        """Name this expression in a ``select()`` result (``AS name``)."""
        return Label(self, name)

    @property
    def desc(self) -> Ordering:
        """Descending order on this expression, for ``order_by``."""
        return Ordering(self, descending=True)

    @property
    def asc(self) -> Ordering:
        """Ascending order on this expression, for ``order_by``."""
        return Ordering(self, descending=False)


def coerce_value(column: Expression[Any], value: Any, *, exact: bool = False) -> Any:
    """Check ``value`` against the type of ``column``, converting where lossless.

    The one rule for values written to a column (create, save, update) and compared
    with it (filters); ``column`` may also be another typed expression, such as an
    aggregate in ``having()``. An expression passes unchanged.

    Args:
        exact: keep a decimal as given instead of rounding it to the column's decimal
            places (a filter compares with the value as written).

    Raises:
        TypeError: the value has a type the column cannot hold.
    """
    if value is None or isinstance(value, Expression):
        return value
    sql_type = column.value_type()
    if sql_type is None:
        return value
    return check_value(sql_type, value, exact=exact, subject=column._value_subject)


class Param(Expression[Any]):
    """A value sent to the database as a bind parameter, never as SQL text."""

    __slots__ = ("type", "value")

    def __init__(self, value: Any, type: SQLType | None = None) -> None:
        self.value = value
        if type is None:
            type = _infer_type(value)
        self.type = type

    def _key(self, params: list[Param]) -> Hashable:
        params.append(self)
        return ("?", self.type)

    def __repr__(self) -> str:
        return f"Param({self.value!r})"


def _infer_type(value: Any) -> SQLType | None:
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return FLOAT
    if isinstance(value, str):
        return TEXT
    if isinstance(value, _dt.datetime):
        return DATETIME
    if isinstance(value, _dt.date):
        return DATE
    if isinstance(value, _dt.time):
        return TIME
    if isinstance(value, _decimal.Decimal):
        return _decimal_param_type(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return BYTES
    if isinstance(value, _uuid.UUID):
        return UUID
    return None


#: one type per scale, so that statements equal in shape keep equal cache keys
_DECIMAL_PARAM_TYPES: dict[int | None, SQLType] = {}


def _decimal_param_type(value: Any) -> SQLType:
    """The type of a Decimal constant: its scale is its number of decimal places."""
    exponent = value.as_tuple().exponent
    scale = None if not isinstance(exponent, int) else max(0, -exponent)
    found = _DECIMAL_PARAM_TYPES.get(scale)
    if found is None:
        found = _DECIMAL_PARAM_TYPES.setdefault(scale, SQLType("decimal", scale=scale))
    return found


def value(v: Any) -> Param:
    """A constant as an expression (a bind parameter), e.g. ``value(0).label('depth')``."""
    return Param(v)


class Raw(Expression[Any]):
    """An explicit SQL fragment written by the developer: ``kakaorm.raw("now()")``.

    The text goes into the statement unchanged, so never build it from user input.
    """

    __slots__ = ("sql",)

    def __init__(self, sql: str) -> None:
        self.sql = sql

    def _key(self, params: list[Param]) -> Hashable:
        return ("raw", self.sql)


class Arithmetic(Expression[Any]):
    """``left + - * / right``."""

    __slots__ = ("left", "op", "right", "type")

    def __init__(self, left: Expression[Any], op: str, right: Expression[Any]) -> None:
        self.left, self.op, self.right = left, op, right
        self.type = _arith_type(left.type, right.type, op)

    def _key(self, params: list[Param]) -> Hashable:
        return ("arith", self.op, self.left._key(params), self.right._key(params))

    def _children(self) -> Iterable[Expression[Any]]:
        return (self.left, self.right)


def _arith_type(a: SQLType | None, b: SQLType | None, op: str) -> SQLType | None:
    kinds = {t.kind for t in (a, b) if t is not None}
    if "float" in kinds:
        # once a float takes part, every database computes in floating point
        return FLOAT
    if "decimal" in kinds:
        base = a if a is not None and a.kind == "decimal" else b
        return SQLType(
            "decimal", precision=base.precision if base else None, scale=_decimal_scale(a, b, op)
        )
    if kinds == {"int"}:
        return INTEGER
    return a or b


def _decimal_scale(a: SQLType | None, b: SQLType | None, op: str) -> int | None:
    """The decimal places of exact arithmetic, by the rules PostgreSQL and MySQL share
    (``+ -``: the larger scale, ``*``: the sum); a quotient gets the dividend's scale
    plus 4, MySQL's rule, which PostgreSQL's longer quotients are rounded to."""
    if a is None or b is None:
        return None
    left = 0 if a.kind == "int" else a.scale if a.kind == "decimal" else None
    right = 0 if b.kind == "int" else b.scale if b.kind == "decimal" else None
    if left is None or right is None:
        return None
    if op == "*":
        return left + right
    if op == "/":
        return left + 4
    return max(left, right)


class Label(Expression[T]):
    """``expr AS name``: names a column of a ``select()`` result (typed as ``expr``)."""

    __slots__ = ("expr", "name")

    def __init__(self, expr: Expression[T], name: str) -> None:
        self.expr, self.name = expr, name

    @property
    def type(self) -> SQLType | None:  # type: ignore[override]
        return self.expr.type

    @property
    def is_aggregate(self) -> bool:  # type: ignore[override]
        return self.expr.is_aggregate

    @property
    def is_window(self) -> bool:  # type: ignore[override]
        return self.expr.is_window

    def _key(self, params: list[Param]) -> Hashable:
        return ("label", self.name, self.expr._key(params))

    def _children(self) -> Iterable[Expression[Any]]:
        return (self.expr,)


class Ordering:
    """An ``ORDER BY`` item: an expression and a direction."""

    __slots__ = ("descending", "expr")

    def __init__(self, expr: Expression[Any], descending: bool) -> None:
        self.expr, self.descending = expr, descending

    def _key(self, params: list[Param]) -> Hashable:
        return ("ord", self.descending, self.expr._key(params))

    def __repr__(self) -> str:
        return describe(self)


# the conditions Expression's operators build; imported last (see the module docstring)
from kakaorm.expr import conditions as _conditions  # noqa: E402
