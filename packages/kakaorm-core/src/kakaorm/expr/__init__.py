"""The expression tree: columns, values, operators, functions, aggregates, windows.

Every node can do two things, and nothing else:

* ``_key(params)`` returns a hashable *shape* of the node and appends every bound
  :class:`Param` it contains to ``params``. Two trees with the same shape compile to
  the same SQL, so the shape is the compile-cache key.
* be read by a dialect's compiler (``kakaorm.compiler``), which turns it into SQL.

No node ever produces SQL text itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, Hashable, Iterable, Sequence, TypeVar

from kakaorm.exc import QueryError
from kakaorm.types import BOOLEAN, FLOAT, INTEGER, TEXT, SQLType

if TYPE_CHECKING:
    from kakaorm.orm.queryset import QuerySet

__all__ = [
    "Aggregate",
    "Arithmetic",
    "Avg",
    "Between",
    "BoolOp",
    "Case",
    "Comparison",
    "Count",
    "DenseRank",
    "Expression",
    "InList",
    "InSubquery",
    "IsNull",
    "Label",
    "Lag",
    "Lead",
    "Like",
    "Max",
    "Min",
    "Not",
    "Ordering",
    "Param",
    "Rank",
    "Raw",
    "RowNumber",
    "Subquery",
    "Sum",
    "When",
    "Window",
    "WindowFunction",
]

T = TypeVar("T")


def _as_expr(value: Any, like: Expression[Any] | None = None) -> Expression[Any]:
    """Wrap a Python value as a bound parameter typed like ``like``.

    A value compared with (or assigned to) ``like`` is checked against its type by the
    rule ``create()`` applies (:func:`kakaorm.orm.columns.coerce_value`): a TypeError
    before any SQL is built, so no database converts ``'abc'`` to 0 behind our back.
    """
    if isinstance(value, Expression):
        return value
    if type(value).__name__ == "QuerySet":
        from kakaorm.orm.queryset import QuerySet

        if isinstance(value, QuerySet):
            return Subquery(value)
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


def _null_member(expr: Expression[Any], call: str) -> TypeError:
    name = _shown(expr)
    return TypeError(
        f"{call} of {name} got None, which never matches (NULL equals nothing): to find the "
        f"rows where {name} is NULL add | {name}.is_null(), or write {name} == None"
    )


def _shown(expr: Expression[Any]) -> str:
    """How an error message names an expression: ``Post.views`` for a model's column."""
    return _column_name(expr) or repr(expr)


def _column_name(expr: Expression[Any]) -> str | None:
    model, name = getattr(expr, "model", None), getattr(expr, "name", None)
    if model is not None and isinstance(name, str) and hasattr(model, "_meta"):
        return f"{model.__name__}.{name}"
    return None


#: the escape character of the patterns contains()/startswith()/endswith() build
LIKE_ESCAPE = "\\"


def escape_like(text: str) -> str:
    """``text`` as a LIKE pattern matching itself: ``%``, ``_`` and :data:`LIKE_ESCAPE`
    each preceded by :data:`LIKE_ESCAPE`."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _escape_param(escape: object) -> Param | None:
    if escape is None:
        return None
    if not isinstance(escape, str):
        raise TypeError(f"escape= takes a one-character str, e.g. escape='!'; got {escape!r}")
    # a letter would change under ilike()'s case folding, and stop being the escape
    if len(escape) != 1 or escape in "%_" or escape.lower() != escape.upper():
        raise ValueError(
            f"escape= takes one character that is not %, _ or a letter, e.g. escape='!'; got {escape!r}"
        )
    return Param(escape, TEXT)


class Expression(Generic[T]):
    """Base of every node that has a value in SQL.

    Comparison operators build conditions (``Post.views >= 100``); arithmetic
    operators build arithmetic (``Post.views + 1``); ``&``, ``|`` and ``~`` combine
    conditions.
    """

    __slots__ = ()
    #: the value type, used to choose bind and result conversions; None if unknown.
    type: SQLType | None = None
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
        from kakaorm.compiler.describe import describe

        return describe(self)

    def walk(self) -> Iterable[Expression[Any]]:
        """Yield this node and every node below it, depth first."""
        yield self
        for child in self._children():
            yield from child.walk()

    # comparisons -----------------------------------------------------------------
    def __eq__(self, other: object) -> Condition:  # type: ignore[override]
        if other is None:
            return IsNull(self, negate=False)
        return Comparison(self, "=", _as_expr(other, self))

    def __ne__(self, other: object) -> Condition:  # type: ignore[override]
        if other is None:
            return IsNull(self, negate=True)
        return Comparison(self, "!=", _as_expr(other, self))

    def __lt__(self, other: Any) -> Condition:
        if other is None:
            raise _null_ordering(self, "<")
        return Comparison(self, "<", _as_expr(other, self))

    def __le__(self, other: Any) -> Condition:
        if other is None:
            raise _null_ordering(self, "<=")
        return Comparison(self, "<=", _as_expr(other, self))

    def __gt__(self, other: Any) -> Condition:
        if other is None:
            raise _null_ordering(self, ">")
        return Comparison(self, ">", _as_expr(other, self))

    def __ge__(self, other: Any) -> Condition:
        if other is None:
            raise _null_ordering(self, ">=")
        return Comparison(self, ">=", _as_expr(other, self))

    def _check_value(self, value: Any) -> Any:
        """``value`` (not None, not an expression) checked against this expression's
        type, converted where lossless; a TypeError when the type cannot hold it."""
        if self.type is None:
            return value
        from kakaorm.orm.columns import coerce_value

        return coerce_value(self, value, exact=True)

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
        return Like(self, self._pattern(pattern, "like"), False, _escape_param(escape))

    def ilike(self, pattern: str, *, escape: str | None = None) -> Condition:
        """Case-insensitive ``LIKE`` on every backend (``escape=`` as for :meth:`like`)."""
        return Like(self, self._pattern(pattern, "ilike"), True, _escape_param(escape))

    def contains(self, text: str) -> Condition:
        """Rows whose text contains ``text``, taken literally (``%`` and ``_`` are
        ordinary characters here); case-sensitive."""
        return self._matching(text, "contains", "%", "%", False)

    def icontains(self, text: str) -> Condition:
        """:meth:`contains`, case-insensitive as :meth:`ilike` is."""
        return self._matching(text, "icontains", "%", "%", True)

    def startswith(self, text: str) -> Condition:
        """Rows whose text starts with ``text``, taken literally; case-sensitive."""
        return self._matching(text, "startswith", "", "%", False)

    def istartswith(self, text: str) -> Condition:
        """:meth:`startswith`, case-insensitive as :meth:`ilike` is."""
        return self._matching(text, "istartswith", "", "%", True)

    def endswith(self, text: str) -> Condition:
        """Rows whose text ends with ``text``, taken literally; case-sensitive."""
        return self._matching(text, "endswith", "%", "", False)

    def iendswith(self, text: str) -> Condition:
        """:meth:`endswith`, case-insensitive as :meth:`ilike` is."""
        return self._matching(text, "iendswith", "%", "", True)

    def _matching(self, text: object, call: str, before: str, after: str, fold: bool) -> Like:
        self._text_only(call)
        if not isinstance(text, str):
            raise self._not_text(text, call)
        pattern = Param(before + escape_like(text) + after, TEXT)
        return Like(self, pattern, fold, Param(LIKE_ESCAPE, TEXT))

    def _pattern(self, pattern: object, call: str) -> Expression[Any]:
        self._text_only(call)
        if isinstance(pattern, Expression):
            return pattern
        if not isinstance(pattern, str):
            raise self._not_text(pattern, call)
        return Param(pattern, TEXT)

    def _text_only(self, call: str) -> None:
        t = self.type
        if t is not None and t.kind != "str":
            column = _column_name(self)
            what = f"{column} is a {type(self).__name__}" if column else f"{self!r} is of type {t.kind}"
            raise TypeError(
                f"{call}() matches text, but {what}: compare its values with ==, <, >, in_() or between()"
            )

    def _not_text(self, value: object, call: str) -> TypeError:
        if value is None:
            name = _shown(self)
            return TypeError(
                f"{call}() takes a str, not None: to find the rows where {name} is NULL "
                f"write {name} == None or {name}.is_null()"
            )
        return TypeError(f"{call}() takes a str, not {type(value).__name__} ({value!r})")

    def in_(self, values: Iterable[Any] | QuerySet[Any] | Subquery) -> Condition:
        """``IN``: a list of values, or a :class:`Subquery` or QuerySet selecting one column.

        An empty list matches no row.
        """
        return _in(self, values, negate=False)

    def not_in(self, values: Iterable[Any] | QuerySet[Any] | Subquery) -> Condition:
        """``NOT IN``; an empty list matches every row."""
        return _in(self, values, negate=True)

    def between(self, low: Any, high: Any) -> Condition:
        """``BETWEEN low AND high`` (both ends included)."""
        if low is None or high is None:
            raise _null_member(self, "between()")
        return Between(self, _as_expr(low, self), _as_expr(high, self))

    def is_null(self) -> Condition:
        """``IS NULL``."""
        return IsNull(self, negate=False)

    def is_not_null(self) -> Condition:
        """``IS NOT NULL``."""
        return IsNull(self, negate=True)

    # naming and ordering ----------------------------------------------------------
    def label(self, name: str) -> Label:
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


def value(v: Any) -> Param:
    """A constant as an expression (a bind parameter), e.g. ``value(0).label('depth')``."""
    return Param(v)


def _in(expr: Expression[Any], values: Any, negate: bool) -> Condition:
    from kakaorm.orm.queryset import QuerySet

    if isinstance(values, QuerySet):
        values = Subquery(values)
    elif type(values).__name__ == "CTE":
        values = Subquery(values.query())
    if isinstance(values, Subquery):
        return InSubquery(expr, values, negate)
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(
            f"in_()/not_in() take a list of values, a Subquery or a QuerySet, "
            f"not {type(values).__name__}"
        )
    items: list[Expression[Any]] = []
    for v in values:
        if v is None:
            raise _null_member(expr, "not_in()" if negate else "in_()")
        items.append(_as_expr(v, expr))
    return InList(expr, items, negate)


class Param(Expression[Any]):
    """A value sent to the database as a bind parameter, never as SQL text."""

    __slots__ = ("value", "type")

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
    import datetime as dt
    import decimal

    from kakaorm import types

    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return FLOAT
    if isinstance(value, str):
        return types.TEXT
    if isinstance(value, dt.datetime):
        return types.DATETIME
    if isinstance(value, dt.date):
        return types.DATE
    if isinstance(value, dt.time):
        return types.TIME
    if isinstance(value, decimal.Decimal):
        return _decimal_param_type(value)
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


class Raw(Expression[Any]):
    """An explicit SQL fragment written by the developer: ``kakaorm.raw("now()")``.

    The text goes into the statement unchanged, so never build it from user input.
    """

    __slots__ = ("sql",)

    def __init__(self, sql: str) -> None:
        self.sql = sql

    def _key(self, params: list[Param]) -> Hashable:
        return ("raw", self.sql)


class Condition(Expression[bool]):
    """A boolean expression: combine with ``&`` (AND), ``|`` (OR) and ``~`` (NOT)."""

    __slots__ = ()
    type = BOOLEAN

    def __and__(self, other: Condition) -> Condition:
        return BoolOp("AND", [self, _condition(other)])

    def __or__(self, other: Condition) -> Condition:
        return BoolOp("OR", [self, _condition(other)])

    def __invert__(self) -> Condition:
        return Not(self)

    def __bool__(self) -> bool:
        raise TypeError(
            "a KakaORM condition has no truth value: combine conditions with & | ~ "
            "instead of and/or/not, and write a < b & b < c instead of a < b < c"
        )


def _condition(value: object) -> Condition:
    if not isinstance(value, Condition):
        raise TypeError(f"expected a condition such as Post.views > 1, got {value!r}")
    return value


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


class Comparison(Condition):
    """``left op right`` for = != < <= > >=."""

    __slots__ = ("left", "op", "right")

    def __init__(self, left: Expression[Any], op: str, right: Expression[Any]) -> None:
        self.left, self.op, self.right = left, op, right

    def _key(self, params: list[Param]) -> Hashable:
        return ("cmp", self.op, self.left._key(params), self.right._key(params))

    def _children(self) -> Iterable[Expression[Any]]:
        return (self.left, self.right)


class IsNull(Condition):
    """``expr IS [NOT] NULL``."""

    __slots__ = ("expr", "negate")

    def __init__(self, expr: Expression[Any], negate: bool) -> None:
        self.expr, self.negate = expr, negate

    def _key(self, params: list[Param]) -> Hashable:
        return ("isnull", self.negate, self.expr._key(params))

    def _children(self) -> Iterable[Expression[Any]]:
        return (self.expr,)


class Like(Condition):
    """``expr LIKE pattern [ESCAPE char]``, or its case-insensitive form.

    ``escape`` is None when the pattern has no escape character (the compiler makes
    sure the database uses none either).
    """

    __slots__ = ("expr", "pattern", "case_insensitive", "escape")

    def __init__(
        self,
        expr: Expression[Any],
        pattern: Expression[Any],
        case_insensitive: bool,
        escape: Expression[Any] | None = None,
    ) -> None:
        self.expr, self.pattern, self.case_insensitive = expr, pattern, case_insensitive
        self.escape = escape

    def _key(self, params: list[Param]) -> Hashable:
        escape = None if self.escape is None else self.escape._key(params)
        return ("like", self.case_insensitive, self.expr._key(params), self.pattern._key(params), escape)

    def _children(self) -> Iterable[Expression[Any]]:
        return (self.expr, self.pattern) if self.escape is None else (self.expr, self.pattern, self.escape)


class Between(Condition):
    """``expr BETWEEN low AND high``."""

    __slots__ = ("expr", "low", "high")

    def __init__(self, expr: Expression[Any], low: Expression[Any], high: Expression[Any]) -> None:
        self.expr, self.low, self.high = expr, low, high

    def _key(self, params: list[Param]) -> Hashable:
        return ("between", self.expr._key(params), self.low._key(params), self.high._key(params))

    def _children(self) -> Iterable[Expression[Any]]:
        return (self.expr, self.low, self.high)


class InList(Condition):
    """``expr [NOT] IN (v1, v2, ...)``; an empty list is always false (true if NOT)."""

    __slots__ = ("expr", "items", "negate")

    def __init__(self, expr: Expression[Any], items: list[Expression[Any]], negate: bool) -> None:
        self.expr, self.items, self.negate = expr, items, negate

    def _key(self, params: list[Param]) -> Hashable:
        return (
            "in",
            self.negate,
            self.expr._key(params),
            tuple(item._key(params) for item in self.items),
        )

    def _children(self) -> Iterable[Expression[Any]]:
        return (self.expr, *self.items)


class Subquery(Expression[Any]):
    """A QuerySet used inside another statement: ``Post.author_id.in_(Subquery(qs))``."""

    __slots__ = ("queryset", "statement")

    def __init__(self, queryset: QuerySet[Any]) -> None:
        self.queryset = queryset
        # built once so the parameters seen by the cache key and the compiler are the same objects
        self.statement = queryset._build_select()

    def _key(self, params: list[Param]) -> Hashable:
        return ("subq", self.statement._key(params))


class InSubquery(Condition):
    """``expr [NOT] IN (SELECT ...)``."""

    __slots__ = ("expr", "subquery", "negate", "_stmt")

    def __init__(self, expr: Expression[Any], subquery: Subquery, negate: bool) -> None:
        width = len(subquery.statement.columns)
        if width != 1:
            model = getattr(subquery.queryset, "model", None)
            example = f"{model.__name__}.{model._meta.pk.name}" if model is not None else "a column"
            raise QueryError(
                f"{'not_in' if negate else 'in_'}() needs a subquery selecting one column, "
                f"but this one selects {width}: add .select({example}) to the QuerySet"
            )
        self.expr, self.subquery, self.negate = expr, subquery, negate
        self._stmt = subquery.statement

    def _key(self, params: list[Param]) -> Hashable:
        return ("insub", self.negate, self.expr._key(params), self._stmt._key(params))

    def _children(self) -> Iterable[Expression[Any]]:
        return (self.expr,)


class BoolOp(Condition):
    """``a AND b AND ...`` or ``a OR b OR ...``."""

    __slots__ = ("op", "items")
    op: str
    items: list[Condition]

    def __init__(self, op: str, items: Sequence[Condition]) -> None:
        flat: list[Condition] = []
        for item in items:
            if isinstance(item, BoolOp) and item.op == op:
                flat.extend(item.items)
            else:
                flat.append(item)
        self.op, self.items = op, flat

    def _key(self, params: list[Param]) -> Hashable:
        return (self.op, tuple(item._key(params) for item in self.items))

    def _children(self) -> Iterable[Expression[Any]]:
        return self.items


class Not(Condition):
    """``NOT (condition)``."""

    __slots__ = ("item",)

    def __init__(self, item: Condition) -> None:
        self.item = item

    def _key(self, params: list[Param]) -> Hashable:
        return ("not", self.item._key(params))

    def _children(self) -> Iterable[Expression[Any]]:
        return (self.item,)


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


class Label(Expression[Any]):
    """``expr AS name``: names a column of a ``select()`` result."""

    __slots__ = ("expr", "name")

    def __init__(self, expr: Expression[Any], name: str) -> None:
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

    __slots__ = ("expr", "descending")

    def __init__(self, expr: Expression[Any], descending: bool) -> None:
        self.expr, self.descending = expr, descending

    def _key(self, params: list[Param]) -> Hashable:
        return ("ord", self.descending, self.expr._key(params))

    def __repr__(self) -> str:
        from kakaorm.compiler.describe import describe

        return describe(self)


# -- functions, aggregates, windows ------------------------------------------------


class Function(Expression[Any]):
    """A SQL function call with a portable name; the compiler spells it."""

    __slots__ = ("name", "args", "type")

    def __init__(self, name: str, *args: Expression[Any], type: SQLType | None = None) -> None:
        self.name, self.args, self.type = name, args, type

    def _key(self, params: list[Param]) -> Hashable:
        return ("fn", self.name, tuple(a._key(params) for a in self.args))

    def _children(self) -> Iterable[Expression[Any]]:
        return self.args


class Aggregate(Expression[Any]):
    """An aggregate function: usable in ``select()``, ``having()`` and ``aggregate()``."""

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


class Count(Aggregate):
    """``COUNT(col)``, or ``COUNT(*)`` without an argument. Result: int."""

    __slots__ = ()
    function = "COUNT"
    type = INTEGER


class _SameType(Aggregate):
    """An aggregate whose result has its argument's type."""

    __slots__ = ()

    @property
    def type(self) -> SQLType | None:  # type: ignore[override]
        assert self.arg is not None
        return self.arg.type


class Sum(_SameType):
    """``SUM(col)``. Result: int for integer (and boolean) columns, Decimal for decimals,
    else float."""

    __slots__ = ()
    function = "SUM"

    @property
    def type(self) -> SQLType | None:  # type: ignore[override]
        t = super().type
        # the sum of booleans counts the true ones
        return INTEGER if t is not None and t.kind == "bool" else t


class Avg(Aggregate):
    """``AVG(col)``. Result: float; for a decimal column, a Decimal with 4 more
    decimal places than the column."""

    __slots__ = ()
    function = "AVG"

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


class Max(_SameType):
    """``MAX(col)``; the result has the column's type."""

    __slots__ = ()
    function = "MAX"


class Min(_SameType):
    """``MIN(col)``; the result has the column's type."""

    __slots__ = ()
    function = "MIN"


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

    __slots__ = ("function", "partition_by", "order_by")
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
        from kakaorm.compiler.describe import describe

        return describe(self)


class Case(Expression[Any]):
    """``CASE WHEN ... THEN ... ELSE default END``."""

    __slots__ = ("whens", "default")

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
