"""Conditions: comparisons, AND/OR/NOT, IN (lists and subqueries), BETWEEN, LIKE and
NULL tests, plus the scalar :class:`Subquery`.

:class:`~kakaorm.expr.elements.Expression`'s operators build these nodes (see the
docstring of :mod:`kakaorm.expr.elements` for how the two modules meet).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from itertools import repeat
from typing import TYPE_CHECKING, Any

from kakaorm.exc import QueryError
from kakaorm.expr.elements import Expression, Param, _as_expr, _shown
from kakaorm.types import BOOLEAN, TEXT, SQLType

if TYPE_CHECKING:
    from kakaorm.expr.tables import SubquerySource
    from kakaorm.statements import Select

__all__ = [
    "LIKE_ESCAPE",
    "Between",
    "BoolOp",
    "Comparison",
    "Condition",
    "InList",
    "InSubquery",
    "IsNull",
    "Like",
    "Not",
    "Subquery",
    "escape_like",
]


#: the escape character of the patterns contains()/startswith()/endswith() build
LIKE_ESCAPE = "\\"


def escape_like(text: str) -> str:
    """``text`` as a LIKE pattern matching itself: ``%``, ``_`` and :data:`LIKE_ESCAPE`
    each preceded by :data:`LIKE_ESCAPE`."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def escape_param(escape: object) -> Param | None:
    """The ``escape=`` argument of like()/ilike() as a bound character (None stays None)."""
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


def like(expr: Expression[Any], pattern: object, call: str, fold: bool, escape: object) -> Like:
    """``expr.like(pattern)``/``ilike()``: a pattern written by the caller."""
    _text_only(expr, call)
    if not isinstance(pattern, Expression):
        if not isinstance(pattern, str):
            raise _not_text(expr, pattern, call)
        pattern = Param(pattern, TEXT)
    return Like(expr, pattern, fold, escape_param(escape))


def matching(expr: Expression[Any], text: object, call: str, before: str, after: str, fold: bool) -> Like:
    """``contains()``/``startswith()``/``endswith()`` and their case-insensitive forms:
    ``text`` taken literally, between ``before`` and ``after`` wildcards."""
    _text_only(expr, call)
    if not isinstance(text, str):
        raise _not_text(expr, text, call)
    pattern = Param(before + escape_like(text) + after, TEXT)
    return Like(expr, pattern, fold, Param(LIKE_ESCAPE, TEXT))


def _text_only(expr: Expression[Any], call: str) -> None:
    t = expr.type
    if t is not None and t.kind != "str":
        column = expr._column_name()
        what = f"{column} is a {type(expr).__name__}" if column else f"{expr!r} is of type {t.kind}"
        raise TypeError(
            f"{call}() matches text, but {what}: compare its values with ==, <, >, in_() or between()"
        )


def _not_text(expr: Expression[Any], value: object, call: str) -> TypeError:
    if value is None:
        name = _shown(expr)
        return TypeError(
            f"{call}() takes a str, not None: to find the rows where {name} is NULL "
            f"write {name} == None or {name}.is_null()"
        )
    return TypeError(f"{call}() takes a str, not {type(value).__name__} ({value!r})")


def null_member(expr: Expression[Any], call: str) -> TypeError:
    """The TypeError for None given to in_()/between(): NULL matches nothing."""
    name = _shown(expr)
    return TypeError(
        f"{call} of {name} got None, which never matches (NULL equals nothing): to find the "
        f"rows where {name} is NULL add | {name}.is_null(), or write {name} == None"
    )


def in_condition(expr: Expression[Any], values: Any, negate: bool) -> Condition:
    """``expr [NOT] IN values``: a list of values, a Subquery, or a query (anything
    with ``__subquery__()``)."""
    if not isinstance(values, Subquery) and hasattr(values, "__subquery__"):
        values = Subquery(values)
    if isinstance(values, Subquery):
        return InSubquery(expr, values, negate)
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(
            f"in_()/not_in() take a list of values, a Subquery or a QuerySet, "
            f"not {type(values).__name__}"
        )
    # a value of exactly a column's type needs no check (as in _as_expr), only a Param
    exact, value_type = expr.exact_type, expr.type
    values = list(values)
    if values and set(map(type, values)) == {exact}:
        # the usual list (a prefetch's keys): every value of that type, the Params
        # made with the loop in C (half the time of a loop in Python, per value)
        return InList(expr, list(map(Param, values, repeat(value_type))), negate, same_params=True)
    items: list[Expression[Any]] = []
    append = items.append
    same_params = True
    for v in values:
        if type(v) is exact:
            append(Param(v, value_type))
        elif v is None:
            raise null_member(expr, "not_in()" if negate else "in_()")
        else:
            append(_as_expr(v, expr))
            same_params = False
    return InList(expr, items, negate, same_params=same_params)


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

    __slots__ = ("case_insensitive", "escape", "expr", "pattern")

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

    __slots__ = ("expr", "high", "low")

    def __init__(self, expr: Expression[Any], low: Expression[Any], high: Expression[Any]) -> None:
        self.expr, self.low, self.high = expr, low, high

    def _key(self, params: list[Param]) -> Hashable:
        return ("between", self.expr._key(params), self.low._key(params), self.high._key(params))

    def _children(self) -> Iterable[Expression[Any]]:
        return (self.expr, self.low, self.high)


class InList(Condition):
    """``expr [NOT] IN (v1, v2, ...)``; an empty list is always false (true if NOT)."""

    __slots__ = ("_param_type", "expr", "items", "negate")

    def __init__(
        self, expr: Expression[Any], items: list[Expression[Any]], negate: bool, *, same_params: bool = False
    ) -> None:
        """``same_params``: the caller made every item a Param of one type (in_() of
        values of the column's exact type), so they are not checked again here."""
        self.expr, self.items, self.negate = expr, items, negate
        #: when every item is a plain Param of one type (a list of values, the usual
        #: case, e.g. a prefetch's keys): that type, in a 1-tuple; else None. Such a
        #: list is keyed and walked without a call per item.
        self._param_type: tuple[Any] | None = None
        if same_params and items:
            self._param_type = (items[0].type,)
        elif items and all(type(item) is Param for item in items):
            first = items[0].type
            if all(item.type == first for item in items):
                self._param_type = (first,)

    def _key(self, params: list[Param]) -> Hashable:
        expr_key = self.expr._key(params)
        if self._param_type is not None:
            # n placeholders of one type: the same SQL as keying each ("?", type)
            params.extend(self.items)  # type: ignore[arg-type]
            return ("in-params", self.negate, expr_key, len(self.items), self._param_type[0])
        return ("in", self.negate, expr_key, tuple(item._key(params) for item in self.items))

    @property
    def values_type(self) -> SQLType | None:
        """The type of the values when the list holds only plain values of one type
        (what a dialect needs to send them as one array); None otherwise."""
        return None if self._param_type is None else self._param_type[0]

    def _children(self) -> Iterable[Expression[Any]]:
        return (self.expr, *self.items)

    def walk(self) -> Iterable[Expression[Any]]:
        yield self
        yield from self.expr.walk()
        if self._param_type is not None:
            yield from self.items  # a Param has nothing below it
        else:
            for item in self.items:
                yield from item.walk()


class ParamList(Param):
    """One bind parameter carrying the values of an IN list's parameters as a list
    (a dialect sending ``IN (...)`` as ``= ANY(array)``). The cache entry binds it the
    values of ``members``, which the list's key collected one after another."""

    __slots__ = ("members",)

    def __init__(self, members: list[Param], type: SQLType) -> None:
        super().__init__([m.value for m in members], type)
        self.members = members


class Subquery(Expression[Any]):
    """A query used inside another statement: ``Post.author_id.in_(Subquery(qs))``.

    ``source`` is anything with ``__subquery__()``: a QuerySet, a CTE, a Select.
    """

    __slots__ = ("source", "statement")

    def __init__(self, source: SubquerySource) -> None:
        self.source = source
        # built once so the parameters seen by the cache key and the compiler are the same objects
        self.statement: Select = source.__subquery__()

    @property
    def queryset(self) -> SubquerySource:
        """The query this subquery nests (the name this attribute had before ``source``)."""
        return self.source

    def _key(self, params: list[Param]) -> Hashable:
        return ("subq", self.statement._key(params))


class InSubquery(Condition):
    """``expr [NOT] IN (SELECT ...)``."""

    __slots__ = ("_stmt", "expr", "negate", "subquery")

    def __init__(self, expr: Expression[Any], subquery: Subquery, negate: bool) -> None:
        width = len(subquery.statement.columns)
        if width != 1:
            table = subquery.statement.table
            pk = None if table is None else table.pk
            example = "a column" if table is None or pk is None else f"{table.display_name}.{pk.name}"
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

    __slots__ = ("items", "op")
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
