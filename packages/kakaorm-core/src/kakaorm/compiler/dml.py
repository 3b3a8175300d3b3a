"""The DML compiler: SELECT, INSERT, UPDATE and DELETE statements in, ``(sql, params)``
out. Pure, synchronous. Their expressions are compiled by
:class:`~kakaorm.compiler.expressions.ExpressionCompiler`, which this class extends.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from kakaorm.compiler.expressions import ExpressionCompiler
from kakaorm.exc import QueryError
from kakaorm.expr import Expression, InSubquery, Param, Subquery, result_key
from kakaorm.expr.columns import ColumnElement
from kakaorm.expr.tables import TableRef
from kakaorm.statements import CTE, Delete, Insert, Join, OnConflict, RowLock, Select, Statement, Update
from kakaorm.types import SQLType

__all__ = ["Compiled", "DMLCompiler", "NestedRole"]

#: where a nested SELECT stands: inside ``IN (...)`` or as a scalar subquery ``(...)``
NestedRole = Literal["in", "scalar"]


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


class DMLCompiler(ExpressionCompiler):
    """Compiles SELECT, INSERT, UPDATE and DELETE (and savepoints) to portable SQL, on
    top of the expression compiler.

    Attributes:
        writing_table: the table of the UPDATE or DELETE being compiled, for as long as
            it is compiled (its subqueries included); None otherwise. A dialect reads it
            where the written table changes what a nested SELECT may do.
    """

    def __init__(self) -> None:
        super().__init__()
        self.writing_table: TableRef | None = None

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

    def visit_InSubquery(self, node: InSubquery, params: list[Param]) -> str:
        left = self.visit(node.expr, params)
        inner = self.nested_select(node._stmt, params, "in")
        return f"{left} {'NOT ' if node.negate else ''}IN ({inner})"

    def visit_Subquery(self, node: Subquery, params: list[Param]) -> str:
        return f"({self.nested_select(node.statement, params, 'scalar')})"

    def nested_select(self, stmt: Select, params: list[Param], role: NestedRole) -> str:
        """The SQL of a SELECT nested in an expression, without the parentheses the
        caller puts around it (default: the SELECT itself).

        ``role`` is ``"in"`` for ``x IN (...)`` and ``"scalar"`` for a scalar
        subquery. A dialect that refuses some nested SELECTs returns an equivalent
        one here (MySQL: the SELECT read from a derived table). Derived tables in
        FROM, CTE bodies and compound members do not go through this hook.
        """
        return self.visit_select(stmt, params)

    # -- statements ---------------------------------------------------------------------
    @contextmanager
    def select_scope(self, stmt: Select) -> Iterator[None]:
        """Wraps the compiling of each SELECT, nested ones included, so a dialect can
        set up state for one SELECT and restore the outer one's after (default:
        nothing)."""
        yield

    @contextmanager
    def _writing(self, table: TableRef) -> Iterator[None]:
        """:attr:`writing_table` set to ``table`` while an UPDATE or DELETE compiles."""
        outer, self.writing_table = self.writing_table, table
        try:
            yield
        finally:
            self.writing_table = outer

    def visit_select(self, stmt: Select, params: list[Param]) -> str:
        """Compile a SELECT (also used for subqueries and CTE bodies)."""
        with self.select_scope(stmt):
            return self._select_sql(stmt, params)

    def _select_sql(self, stmt: Select, params: list[Param]) -> str:
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
            lock = self.lock_clause(stmt.lock, stmt)
            if lock:
                parts.append(lock)
        return " ".join(parts)

    def lock_clause(self, lock: RowLock, stmt: Select) -> str:
        """``FOR UPDATE [OF t, ...] [NOWAIT | SKIP LOCKED]``: the rows ``stmt`` reads stay
        locked until its transaction ends. A dialect without row locks returns ``""``
        for a lock that is not ``strict`` and raises QueryError for one that is."""
        sql = "FOR UPDATE"
        if lock.of:
            sql += " OF " + ", ".join(self.quote(t.table_name) for t in lock.of)
        if lock.nowait:
            sql += " NOWAIT"
        elif lock.skip_locked:
            sql += " SKIP LOCKED"
        return sql

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
            rows = self.values_rows(len(stmt.rows), len(stmt.columns), len(params))
            sql = f"INSERT INTO {table} ({cols}) VALUES {rows}"
        if stmt.on_conflict is not None:
            sql += " " + self.on_conflict_clause(stmt.on_conflict)
        return self.finish_insert(stmt, sql, params)

    def on_conflict_clause(self, conflict: OnConflict) -> str:
        """What an upsert does on a collision: ``ON CONFLICT (target) DO UPDATE SET
        c = excluded.c, ...``, or ``DO NOTHING`` when no column is updated (PostgreSQL,
        SQLite 3.24+). MySQL overrides this with ``ON DUPLICATE KEY UPDATE``."""
        target = ", ".join(self.quote(c.name) for c in conflict.target)
        if not conflict.update:
            return f"ON CONFLICT ({target}) DO NOTHING"
        sets = ", ".join(f"{q} = excluded.{q}" for q in (self.quote(c.name) for c in conflict.update))
        return f"ON CONFLICT ({target}) DO UPDATE SET {sets}"

    def finish_insert(self, stmt: Insert, sql: str, params: list[Param]) -> str:
        """The INSERT as sent, from ``sql``: the statement without its RETURNING
        clause (default: ``sql`` plus ``stmt``'s RETURNING clause, if any).

        A dialect that wraps an INSERT (PostgreSQL moving an identity sequence)
        does it here; ``params`` is there for a wrapper that binds values.
        """
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
        with self._writing(stmt.table):
            sets = ", ".join(
                f"{self.quote(col.name)} = {self.visit(expr, params)}" for col, expr in stmt.values
            )
            sql = f"UPDATE {self.table(stmt.table)} SET {sets}"
            if stmt.where is not None:
                sql += f" WHERE {self.visit(stmt.where, params)}"
            return sql

    def visit_delete(self, stmt: Delete, params: list[Param]) -> str:
        with self._writing(stmt.table):
            sql = f"DELETE FROM {self.table(stmt.table)}"
            if stmt.where is not None:
                sql += f" WHERE {self.visit(stmt.where, params)}"
            return sql

    # -- transactions -------------------------------------------------------------------
    def begin_isolated(self, isolation: str) -> tuple[str, ...]:
        """The statements that start a transaction at ``isolation`` (one of
        ``"serializable"``, ``"repeatable read"``, ``"read committed"``, ``"read
        uncommitted"``, already checked). The standard ``START TRANSACTION ISOLATION
        LEVEL ...``; a dialect that spells it differently, or refuses some levels with
        a QueryError, overrides this. A plain BEGIN stays the driver's ``begin()``."""
        return (f"START TRANSACTION ISOLATION LEVEL {isolation.upper()}",)

    def explain(self, sql: str, analyze: bool) -> str:
        """The statement that shows the database's plan for ``sql`` (``analyze``: run it
        and show the real row counts and times)."""
        return f"EXPLAIN ANALYZE {sql}" if analyze else f"EXPLAIN {sql}"

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
