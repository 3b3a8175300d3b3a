"""The DML compiler: expressions and statements in, ``(sql, params)`` out. Pure,
synchronous.

Every value becomes a bind parameter; every identifier goes through :meth:`quote`.
Visiting uses one method per node class, ``visit_<ClassName>``, found along the
node class's MRO, so a dialect overrides exactly the construct it spells otherwise.
Tables and columns are read through the SQL layer's protocols
(:class:`~kakaorm.expr.tables.TableRef`, :class:`~kakaorm.expr.columns.ColumnElement`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Sequence

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
    InSubquery,
    IsNull,
    Label,
    Like,
    Not,
    Ordering,
    Param,
    Raw,
    Subquery,
    Window,
    WindowFunction,
    result_key,
)
from kakaorm.expr.columns import ColumnElement, CTEColumn
from kakaorm.expr.tables import TableRef, TableSource, table_ref
from kakaorm.statements import CTE, Delete, Insert, Join, Select, Statement, Update
from kakaorm.types import SQLType

__all__ = ["Compiled", "DMLCompiler"]


@dataclass(slots=True)
class Compiled:
    """The output of compiling a statement.

    Attributes:
        sql: the SQL text with the dialect's placeholders.
        params: the bound :class:`~kakaorm.expr.Param` nodes, in placeholder order.
        result_types: for SELECTs, the type of each result column (None if unknown).
        result_names: for SELECTs, the key of each result column.
        plain_columns: for SELECTs, whether each result column is a bare table column.
    """

    sql: str
    params: list[Param]
    result_types: list[SQLType | None] = field(default_factory=list)
    result_names: list[str] = field(default_factory=list)
    plain_columns: list[bool] = field(default_factory=list)


class DMLCompiler:
    """Compiles SELECT, INSERT, UPDATE, DELETE and their expressions to portable SQL.

    Class attributes a dialect sets:
        paramstyle: ``"qmark"`` (``?``), ``"numeric"`` (``$1``) or ``"format"`` (``%s``).
        quote_char: the identifier quote character.
    """

    paramstyle: ClassVar[str] = "qmark"
    quote_char: ClassVar[str] = '"'

    def __init__(self) -> None:
        self._dispatch: dict[type, Callable[[Any, list[Param]], str]] = {}

    # -- entry points -----------------------------------------------------------------
    def compile(self, stmt: Statement) -> Compiled:
        """Compile a statement to SQL plus its parameters in placeholder order."""
        params: list[Param] = []
        if isinstance(stmt, Select):
            sql = self.visit_select(stmt, params)
            compiled = Compiled(sql, params, result_names=self.result_names(stmt))
            for col in stmt.columns:
                compiled.result_types.append(col.type)
                compiled.plain_columns.append(self._is_column(col))
            return compiled
        if isinstance(stmt, Insert):
            return Compiled(self.visit_insert(stmt, params), params)
        if isinstance(stmt, Update):
            return Compiled(self.visit_update(stmt, params), params)
        if isinstance(stmt, Delete):
            return Compiled(self.visit_delete(stmt, params), params)
        raise QueryError(f"{type(self).__name__} cannot compile {type(stmt).__name__}")

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

    def raw(self, sql: str) -> str:
        """Convert raw SQL written with ``%s`` placeholders to this dialect's style.

        ``%%`` is a literal percent sign; any other ``%`` is an error, so a raw
        statement means the same thing on every backend.
        """
        return self.raw_statement(sql)[0]

    def raw_statement(self, sql: str) -> tuple[str, int]:
        """:meth:`raw`, plus the number of ``%s`` placeholders the statement has."""
        keep = self.paramstyle == "format"  # the driver reads %s and %% itself
        out: list[str] = []
        n = 0
        i = 0
        length = len(sql)
        while i < length:
            ch = sql[i]
            if ch == "%":
                nxt = sql[i + 1] if i + 1 < length else ""
                if nxt == "s":
                    n += 1
                    out.append("%s" if keep else self.placeholder(n))
                elif nxt == "%":
                    out.append("%%" if keep else "%")
                else:
                    raise QueryError(_PERCENT_HELP.format(pos=i))
                i += 2
                continue
            out.append(ch)
            i += 1
        return "".join(out), n

    # -- names --------------------------------------------------------------------------
    def table(self, table: TableRef | TableSource) -> str:
        """The quoted name of a table (or of what stands for one, such as a model)."""
        return self.quote(table_ref(table).table_name)

    def column(self, column: ColumnElement[Any], qualify: bool = True) -> str:
        """A quoted column reference, qualified with its table by default."""
        if qualify and column.table is not None:
            return f"{self.table(column.table)}.{self.quote(column.name)}"
        return self.quote(column.name)

    def result_name(self, expr: Expression[Any]) -> str:
        """The dict key a ``select()`` result uses for an expression."""
        return result_key(expr)

    def result_names(self, stmt: Select) -> list[str]:
        """The dict keys of a SELECT's result columns, with no two alike.

        A column keeps its bare name unless another selected column has the same
        name; then each column of a table other than the query's own is keyed
        ``"table.column"``. Names that still collide are an error.
        """
        names = [result_key(c) for c in stmt.columns]
        if len(set(names)) == len(names):
            return names
        seen: dict[str, int] = {}
        for n in names:
            seen[n] = seen.get(n, 0) + 1
        out = []
        for col, n in zip(stmt.columns, names):
            if seen[n] > 1 and isinstance(col, ColumnElement) and col.table is not stmt.table:
                n = f"{col.table.table_name if col.table is not None else '?'}.{n}"
            out.append(n)
        dupes = sorted({n for n in out if out.count(n) > 1})
        if dupes:
            raise QueryError(
                f"select() has several result columns named {', '.join(map(repr, dupes))}; "
                "give them distinct names with .label()"
            )
        return out

    @staticmethod
    def _is_column(expr: Expression[Any]) -> bool:
        """Whether ``expr`` is a bare table column."""
        return isinstance(expr, ColumnElement)

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
        return self.bind(node, params)

    def visit_ColumnElement(self, node: ColumnElement[Any], params: list[Param]) -> str:
        return self.column(node)

    def visit_CTEColumn(self, node: CTEColumn, params: list[Param]) -> str:
        return f"{self.quote(node.cte_name)}.{self.quote(node.name)}"

    def visit_Raw(self, node: Raw, params: list[Param]) -> str:
        # a fragment binds nothing, so each % in it is a literal percent sign
        return node.sql.replace("%", "%%") if self.paramstyle == "format" else node.sql

    def visit_Comparison(self, node: Comparison, params: list[Param]) -> str:
        return f"{self.visit(node.left, params)} {node.op} {self.visit(node.right, params)}"

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

    def visit_InSubquery(self, node: InSubquery, params: list[Param]) -> str:
        left = self.visit(node.expr, params)
        inner = self.visit_select(node._stmt, params)
        return f"{left} {'NOT ' if node.negate else ''}IN ({inner})"

    def visit_Subquery(self, node: Subquery, params: list[Param]) -> str:
        return f"({self.visit_select(node.statement, params)})"

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

    def visit_Label(self, node: Label, params: list[Param]) -> str:
        return f"{self.visit(node.expr, params)} AS {self.quote(node.name)}"

    def visit_Function(self, node: Function, params: list[Param]) -> str:
        args = ", ".join(self.visit(a, params) for a in node.args)
        return f"{node.name}({args})"

    def visit_Aggregate(self, node: Aggregate, params: list[Param]) -> str:
        if node.arg is None:
            return f"{node.function}(*)"
        distinct = "DISTINCT " if node.distinct else ""
        return f"{node.function}({distinct}{self.aggregate_argument(node, self.visit(node.arg, params))})"

    def aggregate_argument(self, node: Aggregate, arg: str) -> str:
        """The compiled argument of an aggregate as the function must receive it."""
        arg_type = node.arg.type if node.arg is not None else None
        if node.function == "SUM" and arg_type is not None and arg_type.kind == "bool":
            # not every database sums booleans (PostgreSQL does not): count the true ones
            return f"CASE WHEN {arg} THEN 1 ELSE 0 END"
        return arg

    def visit_WindowFunction(self, node: WindowFunction, params: list[Param]) -> str:
        args = ", ".join(self.visit(a, params) for a in node.args)
        return f"{node.function}({args})"

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

    # -- statements ---------------------------------------------------------------------
    def visit_select(self, stmt: Select, params: list[Param]) -> str:
        """Compile a SELECT (also used for subqueries and CTE bodies)."""
        parts: list[str] = []
        if stmt.ctes:
            parts.append(self.with_clause(stmt.ctes, params))
        cols = ", ".join(self.visit(c, params) for c in stmt.columns)
        parts.append(f"SELECT DISTINCT {cols}" if stmt.distinct else f"SELECT {cols}")
        if stmt.from_select is not None:
            alias = self.quote(stmt.from_alias or "_sub")
            parts.append(f"FROM ({self.visit_select(stmt.from_select, params)}) AS {alias}")
        elif stmt.from_cte is not None:
            parts.append(f"FROM {self.quote(stmt.from_cte)}")
        else:
            assert stmt.table is not None, "a SELECT reads a table, a CTE or a derived table"
            parts.append(f"FROM {self.table(stmt.table)}")
        for join in stmt.joins:
            parts.append(self.join(join, params))
        if stmt.where is not None:
            parts.append(f"WHERE {self.visit(stmt.where, params)}")
        if stmt.group_by:
            parts.append("GROUP BY " + ", ".join(self.visit(g, params) for g in stmt.group_by))
        if stmt.having is not None:
            parts.append(f"HAVING {self.visit(stmt.having, params)}")
        for op, other in stmt.compounds:
            parts.append(f"{op} {self.visit_select(other, params)}")
        if stmt.order_by and stmt.compounds:
            # a compound query is ordered by its result columns, by name
            names = dict(zip(map(id, stmt.columns), self.result_names(stmt)))
            items = []
            for o in stmt.order_by:
                key = names.get(id(o.expr)) or result_key(o.expr)
                items.append(f"{self.quote(key)} {'DESC' if o.descending else 'ASC'}")
            parts.append("ORDER BY " + ", ".join(items))
        elif stmt.order_by:
            parts.append("ORDER BY " + ", ".join(self.ordering(o, params) for o in stmt.order_by))
        limit = self.limit_clause(stmt.limit, stmt.offset, params)
        if limit:
            parts.append(limit)
        if stmt.lock is not None:
            lock = self.lock_clause(stmt.lock)
            if lock:
                parts.append(lock)
        return " ".join(parts)

    def lock_clause(self, lock: str) -> str:
        """``FOR UPDATE``: the rows a SELECT reads stay locked until its transaction
        ends. A dialect whose transactions already exclude each other returns ``""``."""
        if lock != "update":
            raise QueryError(f"unknown row lock {lock!r}; the only lock is 'update'")
        return "FOR UPDATE"

    def with_clause(self, ctes: Sequence[CTE], params: list[Param]) -> str:
        """``WITH [RECURSIVE] name AS (...), ...``."""
        recursive = any(c.recursive for c in ctes)
        parts = []
        for c in ctes:
            cols = "(" + ", ".join(self.quote(n) for n in c.columns) + ")" if c.columns else ""
            parts.append(f"{self.quote(c.name)}{cols} AS ({self.visit_select(c.select, params)})")
        body = ", ".join(parts)
        return f"WITH RECURSIVE {body}" if recursive else f"WITH {body}"

    def join(self, join: Join, params: list[Param]) -> str:
        """One JOIN clause."""
        if join.cte is not None:
            target = self.quote(join.cte.name)
        else:
            assert join.table is not None, "a join targets a table or a CTE"
            target = self.table(join.table)
        return f"{join.kind} JOIN {target} ON {self.visit(join.on, params)}"

    def limit_clause(self, limit: Param | None, offset: Param | None, params: list[Param]) -> str:
        """``LIMIT ? OFFSET ?``; dialects that need a LIMIT with OFFSET override this."""
        out = []
        if limit is not None:
            out.append(f"LIMIT {self.bind(limit, params)}")
        if offset is not None:
            out.append(f"OFFSET {self.bind(offset, params)}")
        return " ".join(out)

    def visit_insert(self, stmt: Insert, params: list[Param]) -> str:
        table = self.table(stmt.table)
        cols = ", ".join(self.quote(c.name) for c in stmt.columns)
        if stmt.from_select is not None:
            sql = f"INSERT INTO {table} ({cols}) {self.visit_select(stmt.from_select, params)}"
        elif not stmt.columns:
            sql = self.insert_default_values(table, len(stmt.rows))
        else:
            sql = f"INSERT INTO {table} ({cols}) VALUES {self.values_rows(len(stmt.rows), len(stmt.columns), len(params))}"
        if stmt.returning:
            sql += " RETURNING " + ", ".join(self.quote(c.name) for c in stmt.returning)
        return sql

    def values_rows(self, rows: int, width: int, start: int) -> str:
        """``(?, ?), (?, ?)`` for ``rows`` rows of ``width`` values, numbered after ``start``."""
        if self.paramstyle != "numeric":
            one = "(" + ", ".join([self.placeholder(1)] * width) + ")"
            return ", ".join([one] * rows)
        out = []
        n = start
        for _ in range(rows):
            out.append("(" + ", ".join(self.placeholder(n + i) for i in range(1, width + 1)) + ")")
            n += width
        return ", ".join(out)

    def insert_default_values(self, table: str, rows: int) -> str:
        """An INSERT of a row made only of defaults."""
        if rows != 1:
            raise QueryError("a multi-row INSERT needs at least one column value per row")
        return f"INSERT INTO {table} DEFAULT VALUES"

    def visit_update(self, stmt: Update, params: list[Param]) -> str:
        sets = ", ".join(
            f"{self.quote(col.name)} = {self.visit(expr, params)}" for col, expr in stmt.values
        )
        sql = f"UPDATE {self.table(stmt.table)} SET {sets}"
        if stmt.where is not None:
            sql += f" WHERE {self.visit(stmt.where, params)}"
        return sql

    def visit_delete(self, stmt: Delete, params: list[Param]) -> str:
        sql = f"DELETE FROM {self.table(stmt.table)}"
        if stmt.where is not None:
            sql += f" WHERE {self.visit(stmt.where, params)}"
        return sql

    # -- transactions -------------------------------------------------------------------
    def savepoint(self, name: str) -> str:
        return f"SAVEPOINT {self.quote(name)}"

    def release_savepoint(self, name: str) -> str:
        return f"RELEASE SAVEPOINT {self.quote(name)}"

    def rollback_to_savepoint(self, name: str) -> str:
        return f"ROLLBACK TO SAVEPOINT {self.quote(name)}"


_PERCENT_HELP = (
    "raw SQL takes %s as the placeholder and %% for a literal percent sign; "
    "found another '%' at position {pos}: write it as %%"
)
