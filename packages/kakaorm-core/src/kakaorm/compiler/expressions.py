"""The expression compiler: one ``visit_<ClassName>`` method per node class of
:mod:`kakaorm.expr`, found along the node class's MRO, so a dialect overrides exactly
the construct it spells otherwise, or one of the small hooks (:meth:`ExpressionCompiler.quote`,
:meth:`~ExpressionCompiler.like`, :meth:`~ExpressionCompiler.arithmetic`, ...).

Every value becomes a bind parameter; every identifier goes through :meth:`quote`.
Tables and columns are read through the SQL layer's protocols
(:class:`~kakaorm.expr.tables.TableRef`, :class:`~kakaorm.expr.columns.ColumnElement`).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from kakaorm.exc import QueryError
from kakaorm.expr import (
    Aggregate,
    Arithmetic,
    Between,
    BoolOp,
    Case,
    Comparison,
    Expression,
    Function,
    InList,
    IsNull,
    JSONPath,
    JSONValue,
    Label,
    Like,
    Not,
    Ordering,
    Param,
    Raw,
    Window,
    WindowFunction,
)
from kakaorm.expr.arrays import ArrayCondition
from kakaorm.expr.columns import ColumnElement, CTEColumn
from kakaorm.expr.tables import TableRef, TableSource, table_ref

__all__ = ["ExpressionCompiler"]


class ExpressionCompiler:
    """Compiles expressions (conditions, functions, windows, CASE, ...) to portable SQL.

    Class attributes a dialect sets:
        paramstyle: ``"qmark"`` (``?``), ``"numeric"`` (``$1``) or ``"format"`` (``%s``).
        quote_char: the identifier quote character.
    """

    paramstyle: ClassVar[str] = "qmark"
    quote_char: ClassVar[str] = '"'

    def __init__(self) -> None:
        self._dispatch: dict[type, Callable[[Any, list[Param]], str]] = {}

    def placeholder(self, index: int) -> str:
        """The placeholder for the ``index``-th parameter (1-based)."""
        if self.paramstyle == "numeric":
            return f"${index}"
        if self.paramstyle == "format":
            return "%s"
        return "?"

    def quote(self, name: str) -> str:
        """Quote an identifier, escaping the quote character inside it."""
        q = self.quote_char
        quoted = q + name.replace(q, q + q) + q
        if self.paramstyle == "format":
            quoted = quoted.replace("%", "%%")
        return quoted

    # -- names --------------------------------------------------------------------------
    def table(self, table: TableRef | TableSource) -> str:
        """The quoted name of a table (or of what stands for one, such as a model)."""
        return self.quote(table_ref(table).table_name)

    def column(self, column: ColumnElement[Any], qualify: bool = True) -> str:
        """A quoted column reference, qualified with its table by default."""
        if qualify and column.table is not None:
            return f"{self.table(column.table)}.{self.quote(column.name)}"
        return self.quote(column.name)

    # -- expressions --------------------------------------------------------------------
    def visit(self, node: Any, params: list[Param]) -> str:
        """Compile any expression node."""
        fn = self._dispatch.get(type(node))
        if fn is None:
            fn = self._resolve(type(node))
        return fn(node, params)

    def _resolve(self, cls: type) -> Callable[[Any, list[Param]], str]:
        for klass in cls.__mro__:
            method = getattr(self, f"visit_{klass.__name__}", None)
            if method is not None:
                self._dispatch[cls] = method
                return method  # type: ignore[no-any-return]
        raise QueryError(f"{type(self).__name__} cannot compile a {cls.__name__}")

    def bind(self, param: Param, params: list[Param]) -> str:
        """Register a parameter and return its placeholder.

        Parameters must be registered in the order their placeholders appear in the
        SQL text: an override that builds pieces out of order must visit them in
        text order (see the MySQL dialect's LAG/LEAD rewrite).
        """
        params.append(param)
        return self.placeholder(len(params))

    def visit_Param(self, node: Param, params: list[Param]) -> str:
        return self.param_placeholder(node, self.bind(node, params))

    def param_placeholder(self, node: Param, placeholder: str) -> str:
        """How a parameter met as an expression appears in the SQL, given its
        placeholder (default: the placeholder alone).

        A driver that types each parameter by its context can add a cast here
        (asyncpg: ``$1::bigint``). LIMIT/OFFSET values and INSERT rows are bound
        without this hook.
        """
        return placeholder

    def visit_ColumnElement(self, node: ColumnElement[Any], params: list[Param]) -> str:
        return self.column(node)

    def visit_CTEColumn(self, node: CTEColumn, params: list[Param]) -> str:
        return f"{self.quote(node.cte_name)}.{self.quote(node.name)}"

    def visit_Raw(self, node: Raw, params: list[Param]) -> str:
        # a fragment binds nothing, so each % in it is a literal percent sign
        return node.sql.replace("%", "%%") if self.paramstyle == "format" else node.sql

    def visit_Comparison(self, node: Comparison, params: list[Param]) -> str:
        return f"{self.visit(node.left, params)} {node.op} {self.visit(node.right, params)}"

    def visit_ArrayCondition(self, node: ArrayCondition, params: list[Param]) -> str:
        array, operand = self.visit(node.array, params), self.visit(node.operand, params)
        return self.array_condition(node.op, array, operand)

    def array_condition(self, op: str, array: str, operand: str) -> str:
        """An :class:`~kakaorm.expr.arrays.ArrayCondition` from its compiled parts, in
        PostgreSQL's spelling (``@>``, ``&&``, ``= ANY(...)``)."""
        if op == "contains":
            return f"{array} @> {operand}"
        if op == "overlaps":
            return f"{array} && {operand}"
        return f"{operand} = ANY({array})"

    def visit_IsNull(self, node: IsNull, params: list[Param]) -> str:
        return f"{self.visit(node.expr, params)} IS {'NOT ' if node.negate else ''}NULL"

    def visit_Like(self, node: Like, params: list[Param]) -> str:
        left = self.visit(node.expr, params)
        right = self.visit(node.pattern, params)
        if node.escape is None:
            right = self.unescaped_pattern(right)
        sql = self.ilike(left, right) if node.case_insensitive else self.like(left, right)
        return sql + self.like_escape(node.escape, params)

    def like(self, left: str, right: str) -> str:
        """Case-sensitive LIKE."""
        return f"{left} LIKE {right}"

    def unescaped_pattern(self, pattern: str) -> str:
        """A LIKE pattern that has no escape character, as this database must read it
        so that no character escapes another (standard LIKE: unchanged)."""
        return pattern

    def ilike(self, left: str, right: str) -> str:
        """Case-insensitive LIKE; the portable form lowers both sides."""
        return f"LOWER({left}) LIKE LOWER({right})"

    def like_escape(self, escape: Expression[Any] | None, params: list[Param]) -> str:
        """The end of a LIKE: `` ESCAPE ?`` when the pattern has an escape character
        (contains() and friends use :data:`kakaorm.expr.LIKE_ESCAPE`); when it has none,
        what keeps the database from applying a default one (standard LIKE has none)."""
        if escape is None:
            return ""
        return f" ESCAPE {self.visit(escape, params)}"

    def visit_JSONPath(self, node: JSONPath, params: list[Param]) -> str:
        return self.json_document(node, params)

    def visit_JSONValue(self, node: JSONValue, params: list[Param]) -> str:
        return self.json_value(node.path, node.kind, params)

    def json_document(self, path: JSONPath, params: list[Param]) -> str:
        """The JSON value found at ``path`` (as the database's JSON type or JSON text);
        each dialect with a JSONColumn spells it. The path is bound through
        ``path.path_param`` (``$."key"[0]`` text) or ``path.segment_params``."""
        raise QueryError(f"{type(self).__name__} cannot read a JSON path ({path!r}): this dialect has no JSONColumn")

    def json_value(self, path: JSONPath, kind: str, params: list[Param]) -> str:
        """The value at ``path`` read as ``kind`` (see :class:`kakaorm.expr.JSONValue`):
        ``"str"`` as text, ``"number"`` as a number, ``"bool"`` as a boolean, NULL when
        the value there has another JSON type; ``"present"``: NULL when the path is
        missing or holds JSON null, something not NULL otherwise."""
        raise QueryError(f"{type(self).__name__} cannot read a JSON path ({path!r}): this dialect has no JSONColumn")

    def visit_Between(self, node: Between, params: list[Param]) -> str:
        return (
            f"{self.visit(node.expr, params)} BETWEEN {self.visit(node.low, params)} "
            f"AND {self.visit(node.high, params)}"
        )

    def visit_InList(self, node: InList, params: list[Param]) -> str:
        if not node.items:
            # IN () is not valid SQL; an empty list matches nothing (NOT IN: everything).
            return "1 = 1" if node.negate else "1 = 0"
        left = self.visit(node.expr, params)
        items = ", ".join(self.visit(item, params) for item in node.items)
        return f"{left} {'NOT ' if node.negate else ''}IN ({items})"

    def visit_BoolOp(self, node: BoolOp, params: list[Param]) -> str:
        if len(node.items) == 1:
            return self.visit(node.items[0], params)
        return f" {node.op} ".join(f"({self.visit(item, params)})" for item in node.items)

    def visit_Not(self, node: Not, params: list[Param]) -> str:
        return f"NOT ({self.visit(node.item, params)})"

    def visit_Arithmetic(self, node: Arithmetic, params: list[Param]) -> str:
        left = self.visit(node.left, params)
        return self.arithmetic(node, left, self.visit(node.right, params))

    def arithmetic(self, node: Arithmetic, left: str, right: str) -> str:
        """``(left op right)`` from the compiled operands; a dialect whose operator means
        something else for some operand types (integer division) spells it here."""
        return f"({left} {node.op} {right})"

    def visit_Label(self, node: Label[Any], params: list[Param]) -> str:
        return f"{self.visit(node.expr, params)} AS {self.quote(node.name)}"

    def visit_Function(self, node: Function, params: list[Param]) -> str:
        args = ", ".join(self.visit(a, params) for a in node.args)
        return f"{node.name}({args})"

    def visit_Aggregate(self, node: Aggregate[Any], params: list[Param]) -> str:
        if node.arg is None:
            return f"{node.function}(*)"
        distinct = "DISTINCT " if node.distinct else ""
        return f"{node.function}({distinct}{self.aggregate_argument(node, self.visit(node.arg, params))})"

    def aggregate_argument(self, node: Aggregate[Any], arg: str) -> str:
        """The compiled argument of an aggregate as the function must receive it."""
        arg_type = node.arg.type if node.arg is not None else None
        if node.function == "SUM" and arg_type is not None and arg_type.kind == "bool":
            # not every database sums booleans (PostgreSQL does not): count the true ones
            return f"CASE WHEN {arg} THEN 1 ELSE 0 END"
        return arg

    def visit_WindowFunction(self, node: WindowFunction, params: list[Param]) -> str:
        args = ", ".join(
            self.window_function_argument(node, i, a, params) for i, a in enumerate(node.args)
        )
        return f"{node.function}({args})"

    def window_function_argument(
        self, node: WindowFunction, index: int, arg: Expression[Any], params: list[Param]
    ) -> str:
        """The ``index``-th (0-based) argument of a window function call, compiled
        (default: as any expression); for a database that wants one argument in another
        type, such as LAG/LEAD's row offset."""
        return self.visit(arg, params)

    def visit_Window(self, node: Window, params: list[Param]) -> str:
        return f"{self.visit(node.function, params)} OVER {self.window_spec(node, params)}"

    def window_spec(self, node: Window, params: list[Param], ordered: bool = True) -> str:
        """``(PARTITION BY ... ORDER BY ...)`` of a window (without ORDER BY if not ``ordered``)."""
        parts: list[str] = []
        if node.partition_by:
            parts.append(
                "PARTITION BY " + ", ".join(self.visit(p, params) for p in node.partition_by)
            )
        if node.order_by and ordered:
            parts.append("ORDER BY " + ", ".join(self.ordering(o, params) for o in node.order_by))
        return f"({' '.join(parts)})"

    def visit_Case(self, node: Case, params: list[Param]) -> str:
        parts = ["CASE"]
        for when in node.whens:
            parts.append(
                f"WHEN {self.visit(when.condition, params)} THEN {self.visit(when.then, params)}"
            )
        if node.default is not None:
            parts.append(f"ELSE {self.visit(node.default, params)}")
        parts.append("END")
        return " ".join(parts)

    def ordering(self, node: Ordering, params: list[Param]) -> str:
        """One ``ORDER BY`` item."""
        expr = node.expr
        text = (
            self.quote(expr.name)
            if isinstance(expr, Label)
            else self.visit(expr, params)
        )
        return f"{text} DESC" if node.descending else f"{text} ASC"
