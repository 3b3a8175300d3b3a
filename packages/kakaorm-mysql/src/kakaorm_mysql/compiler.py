"""SQL generation for MySQL and MariaDB."""

from __future__ import annotations

import datetime as _dt
import itertools
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, ClassVar

from kakaorm.compiler import NestedRole, SQLCompiler
from kakaorm.compiler.ddl import TableLike
from kakaorm.exc import QueryError
from kakaorm.expr import (
    Aggregate,
    Arithmetic,
    Between,
    Comparison,
    DenseRank,
    Expression,
    InList,
    JSONPath,
    JSONValue,
    Lag,
    Lead,
    Param,
    Rank,
    Window,
)
from kakaorm.expr.columns import ColumnElement, CTEColumn
from kakaorm.expr.tables import TableRef
from kakaorm.schema import (
    NULL_DEFAULT,
    ColumnSchema,
    DefaultExpression,
    DropForeignKeyOp,
    ForeignKeySchema,
    IndexSchema,
    TableOp,
    TableSchema,
)
from kakaorm.statements import OnConflict, RowLock, Select
from kakaorm.types import SQLType

#: the VARCHAR length of a text column that needs an index but has no max_length
INDEXED_TEXT_LENGTH = 255

#: the longest VARCHAR a utf8mb4 column may declare (65,535 bytes / 4 bytes a character)
MAX_VARCHAR_LENGTH = 16383

#: the table character set and collation (available on every MySQL >= 5.5 and MariaDB)
CHARSET = "utf8mb4"
COLLATION = "utf8mb4_unicode_ci"

#: the byte-order collation ``like()`` compares with, so it is case-sensitive
BINARY_COLLATION = "utf8mb4_bin"

#: what JSON_TYPE() says of a number (MariaDB: the first two; MySQL: all four)
_JSON_NUMBER_TYPES = "'INTEGER', 'DOUBLE', 'UNSIGNED INTEGER', 'DECIMAL'"

_LITERAL_BACKSLASHES = r"REPLACE({}, '\\', '\\\\')"

#: the frames that count the rows up to and from the current one (LAG/LEAD defaults)
_FRAME_TO_HERE = "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
_FRAME_FROM_HERE = "ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING"
_FRAME_WHOLE = "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"

#: "no limit" for ``LIMIT ... OFFSET``: MySQL has no OFFSET without LIMIT
_NO_LIMIT = "18446744073709551615"

_TYPES = {
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "datetime": "DATETIME(6)",
    "date": "DATE",
    "time": "TIME(6)",
    "bytes": "LONGBLOB",
    "uuid": "CHAR(36)",
    "json": "JSON",
}


def to_utc_naive(value: _dt.datetime) -> _dt.datetime:
    """The stored form of a datetime: UTC without tzinfo (naive input is already UTC)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(_dt.UTC).replace(tzinfo=None)


class MySQLCompiler(SQLCompiler):
    """MySQL/MariaDB spelling: ``%s`` placeholders, backtick quoting, InnoDB tables.

    ``create_table`` emits one ``CREATE TABLE IF NOT EXISTS`` statement carrying the
    table's indexes and foreign keys, so it is idempotent and, although MySQL DDL is
    not transactional, it creates either everything or nothing.
    """

    paramstyle: ClassVar[str] = "format"
    quote_char: ClassVar[str] = "`"
    max_identifier_length: ClassVar[int] = 64
    type_names: ClassVar[dict[str, str]] = _TYPES
    #: MySQL parses an inline REFERENCES and ignores it: create_table writes FOREIGN KEY constraints
    inline_references: ClassVar[bool] = False
    #: one CREATE TABLE declares the indexes too, so the table comes whole or not at all
    indexes_in_create_table: ClassVar[bool] = True

    def begin_isolated(self, isolation: str) -> tuple[str, ...]:
        """``SET TRANSACTION ISOLATION LEVEL`` (without GLOBAL or SESSION it sets the
        level of the next transaction only), then ``START TRANSACTION``."""
        return (f"SET TRANSACTION ISOLATION LEVEL {isolation.upper()}", "START TRANSACTION")

    def explain(self, sql: str, analyze: bool) -> str:
        """``EXPLAIN``; with ``analyze``, MariaDB's ``ANALYZE`` or MySQL's ``EXPLAIN ANALYZE``."""
        return f"{self.analyze_prefix} {sql}" if analyze else f"EXPLAIN {sql}"

    def __init__(self) -> None:
        super().__init__()
        # MariaDB has CREATE INDEX IF NOT EXISTS; MySQL has not (set after connecting)
        self.index_if_not_exists = False
        #: MariaDB groups windows on shared sorts and gets some mixes wrong (set after
        #: connecting; see window_spec and _bridging_windows)
        self.shares_window_sorts = False
        #: MariaDB runs and measures a statement with ``ANALYZE``, MySQL with ``EXPLAIN
        #: ANALYZE`` (set after connecting)
        self.analyze_prefix = "EXPLAIN ANALYZE"
        #: the binary collation without trailing-space padding that strings read from
        #: JSON are compared in (MySQL 8: utf8mb4_0900_bin; set after connecting)
        self.json_text_collation = "utf8mb4_nopad_bin"
        # the window of the SELECT being compiled whose sort windows without one take,
        # and the ids of its windows MariaDB must sort apart (see window_spec)
        self._sorted_window: Window | None = None
        self._sorted_apart: set[int] = set()

    # -- JSON paths -----------------------------------------------------------------
    def json_document(self, path: JSONPath, params: list[Param]) -> str:
        """``JSON_EXTRACT(column, '$."key"[0]')``, the path text a bind parameter."""
        return f"JSON_EXTRACT({self.visit(path.column, params)}, {self.bind(path.path_param, params)})"

    def json_value(self, path: JSONPath, kind: str, params: list[Param]) -> str:
        """The value at the path as text (``utf8mb4_bin``, compared without padding by
        :meth:`visit_Comparison`), a DOUBLE or 1/0 when ``JSON_TYPE`` says it has that
        type; ``"present"`` is NULL for a missing path and for JSON null."""
        # parameters are bound in text order: the test, then the value
        test = f"JSON_TYPE({self.json_document(path, params)})"
        if kind == "present":
            return f"CASE WHEN {test} <> 'NULL' THEN 1 END"
        value = f"JSON_UNQUOTE({self.json_document(path, params)})"
        if kind == "str":  # JSON_UNQUOTE() gives utf8mb4_bin text: case- and accent-sensitive
            return f"CASE WHEN {test} = 'STRING' THEN {value} END"
        if kind == "number":
            return f"CASE WHEN {test} IN ({_JSON_NUMBER_TYPES}) THEN {value} + 0e0 END"
        return f"CASE WHEN {test} = 'BOOLEAN' THEN {value} = 'true' END"

    # A string read from JSON is compared without padding, so 'a' != 'a ' as on the other
    # backends; the collation goes on the other operands (LIKE keeps its own collation).
    def visit_Comparison(self, node: Comparison, params: list[Param]) -> str:
        if not _json_text(node.left):
            return super().visit_Comparison(node, params)
        return f"{self.visit(node.left, params)} {node.op} {self._unpadded(node.right, params)}"

    def visit_Between(self, node: Between, params: list[Param]) -> str:
        if not _json_text(node.expr):
            return super().visit_Between(node, params)
        return (
            f"{self.visit(node.expr, params)} BETWEEN {self._unpadded(node.low, params)} "
            f"AND {self._unpadded(node.high, params)}"
        )

    def visit_InList(self, node: InList, params: list[Param]) -> str:
        if not node.items or not _json_text(node.expr):
            return super().visit_InList(node, params)
        left = self.visit(node.expr, params)
        items = ", ".join(self._unpadded(item, params) for item in node.items)
        return f"{left} {'NOT ' if node.negate else ''}IN ({items})"

    def _unpadded(self, operand: Expression[Any], params: list[Param]) -> str:
        return f"{self.visit(operand, params)} COLLATE {self.json_text_collation}"

    # -- literals -------------------------------------------------------------------
    def string_literal(self, text: str) -> str:
        # a backslash escapes inside MySQL string literals (unless NO_BACKSLASH_ESCAPES,
        # which KakaORM sessions do not set), so it is doubled along with the quote
        return super().string_literal(text.replace("\\", "\\\\"))

    def literal(self, value: Any, sql_type: SQLType) -> str:
        if isinstance(value, _dt.datetime):
            return self.string_literal(to_utc_naive(sql_type.normalize(value)).isoformat(" "))
        if isinstance(value, _dt.time):
            return self.string_literal(value.isoformat(timespec="microseconds"))
        return super().literal(value, sql_type)

    # -- expressions ----------------------------------------------------------------
    def unescaped_pattern(self, pattern: str) -> str:
        """Every backslash doubled: a pattern without escape= has no escape character in
        KakaORM (as on SQLite), but MySQL's default one is the backslash and ``ESCAPE ''``
        does not turn it off. (With an ESCAPE clause the backslash is an ordinary
        character.)"""
        return _LITERAL_BACKSLASHES.format(pattern)

    def like(self, left: str, right: str) -> str:
        """LIKE in the byte-order collation: the default ``*_ci`` collations would make
        it case-insensitive; this makes like() case-sensitive, as on PostgreSQL."""
        return f"{left} LIKE {right} COLLATE {BINARY_COLLATION}"

    def ilike(self, left: str, right: str) -> str:
        # lower-cased and compared by code point: case-insensitive but, like ILIKE on
        # PostgreSQL, accent-sensitive (a *_ci collation would also equate e and é)
        return f"LOWER({left}) LIKE LOWER({right}) COLLATE {BINARY_COLLATION}"

    def arithmetic(self, node: Arithmetic, left: str, right: str) -> str:
        """``DIV`` for a division of two integers: "/" of two integers is a DECIMAL on
        MySQL; DIV truncates as PostgreSQL does."""
        if node.op == "/" and _kind(node.left.type) == "int" and _kind(node.right.type) == "int":
            return f"({left} DIV {right})"
        return super().arithmetic(node, left, right)

    def aggregate_argument(self, node: Aggregate[Any], arg: str) -> str:
        """AVG of integers as a DOUBLE: on MySQL it is a DECIMAL with 4 decimals (of a
        DOUBLE, a DOUBLE)."""
        if node.function == "AVG" and node.arg is not None and _kind(node.arg.type) == "int":
            return f"{arg} * 1E0"
        return super().aggregate_argument(node, arg)

    def nested_select(self, stmt: Select, params: list[Param], role: NestedRole) -> str:
        """The SELECT read from a derived table where MySQL refuses it as it is: LIMIT
        inside ``IN (...)`` (error 1235), and a subquery on the table an UPDATE/DELETE
        writes (error 1093). A derived table is allowed in both places."""
        inner = super().nested_select(stmt, params, role)
        writing = self.writing_table
        if role == "in" and _needs_derived_table(stmt, writing):
            return f"SELECT * FROM ({inner}) AS {self.quote('_in')}"
        if role == "scalar" and writing is not None and _reads_table(stmt, writing):
            return f"SELECT * FROM ({inner}) AS {self.quote('_sub')}"
        return inner

    # visit_Window and window_spec stay whole-construct overrides: on MariaDB a window
    # is not written as it reads (a LAG/LEAD default becomes a CASE over a counting
    # frame, a window without a sort borrows another's), so no hook of the portable
    # spelling would cover what they change.
    def visit_Window(self, node: Window, params: list[Param]) -> str:
        fn = node.function
        if isinstance(fn, (Lag, Lead)) and len(fn.args) == 3:
            # MariaDB's LAG/LEAD take no default argument. The default applies exactly
            # where the offset row does not exist (a COALESCE would also replace NULLs
            # that are real values): where at most n rows, this one included, lie before
            # it (LAG) or after it (LEAD). They are counted by a frame over the same
            # window, so MariaDB sorts for it as for the LAG/LEAD itself; a window of
            # another shape (COUNT(*) OVER ()) made it compute the other windows of the
            # query on the wrong sort order.
            # (parameters are registered in the order they appear in the text)
            expr, offset, default = fn.args
            frame = _FRAME_TO_HERE if isinstance(fn, Lag) else _FRAME_FROM_HERE
            counted = f"COUNT(*) OVER {self.window_spec(node, params, frame=frame)}"
            missing = f"{counted} <= {self.visit(offset, params)}"
            fallback = self.visit(default, params)
            moved_args = f"{self.visit(expr, params)}, {self.visit(offset, params)}"
            moved = f"{fn.function}({moved_args}) OVER {self.window_spec(node, params)}"
            return f"CASE WHEN {missing} THEN {fallback} ELSE {moved} END"
        return super().visit_Window(node, params)

    def window_spec(self, node: Window, params: list[Param], ordered: bool = True, frame: str = "") -> str:
        """``(PARTITION BY ... ORDER BY ... frame)``, written so that MariaDB computes
        the window on the right sort order (its meaning unchanged).

        MariaDB computes a query's windows in groups sharing one sort, and takes a
        window whose sort key is the start of two others' as compatible with both: it
        can join windows needing different orders into one group and compute one of
        them on the other's order (wrong rows, no error). So:

        * partitioned, unordered: ``ORDER BY`` its partition expressions (every row
          of a partition is then a peer of the others: the frame is still the whole
          partition, the ranks all 1);
        * neither partitioned nor ordered: sorted like the query's first sorting
          window (an aggregate over ``ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED
          FOLLOWING``: still every row). ``RANK``/``DENSE_RANK`` keep their empty
          window, which MariaDB refuses (they need an ``ORDER BY``);
        * a window that could still join two others (see :func:`_bridging_windows`)
          sorts by its columns as expressions (``COALESCE(col)``), which MariaDB never
          shares with another window: one more sort, the right order.
        """
        anchor = self._sorted_window
        ranking = isinstance(node.function, (Rank, DenseRank))
        borrowed = not (node.partition_by or node.order_by or anchor is None or ranking)
        source = anchor if borrowed and anchor is not None else node
        apart = id(node) in self._sorted_apart or id(source) in self._sorted_apart
        key = self._sort_item if apart else self.visit
        parts: list[str] = []
        if source is node and node.partition_by:
            parts.append("PARTITION BY " + ", ".join(key(p, params) for p in node.partition_by))
        order: list[str] = [key(p, params) for p in source.partition_by] if borrowed else []
        if source.order_by and (ordered or borrowed):
            order += [
                f"{key(o.expr, params)} {'DESC' if o.descending else 'ASC'}" if apart else self.ordering(o, params)
                for o in source.order_by
            ]
        elif source.partition_by:
            order += [key(p, params) for p in source.partition_by]
        if order:
            parts.append("ORDER BY " + ", ".join(order))
        if borrowed and not frame and isinstance(node.function, Aggregate):
            frame = _FRAME_WHOLE
        if frame:
            parts.append(frame)
        return f"({' '.join(parts)})"

    def _sort_item(self, expr: Expression[Any], params: list[Param]) -> str:
        """A column as an expression, which MariaDB sorts for one window alone."""
        text = self.visit(expr, params)
        return f"COALESCE({text})" if isinstance(expr, (ColumnElement, CTEColumn)) else text

    def on_conflict_clause(self, conflict: OnConflict) -> str:
        """``ON DUPLICATE KEY UPDATE c = VALUES(c), ...``. MySQL has no conflict target:
        a collision on ANY unique key of the table updates the stored row. Keeping the
        stored row is a no-op update of the target column (not INSERT IGNORE, which
        would also hide other errors)."""
        columns = conflict.update or conflict.target[:1]
        if conflict.update:
            sets = ", ".join(f"{q} = VALUES({q})" for q in (self.quote(c.name) for c in columns))
        else:
            sets = ", ".join(f"{q} = {q}" for q in (self.quote(c.name) for c in columns))
        return f"ON DUPLICATE KEY UPDATE {sets}"

    def lock_clause(self, lock: RowLock, stmt: Select) -> str:
        """``FOR UPDATE [NOWAIT | SKIP LOCKED]`` (MariaDB 10.6+, MySQL 8). There is no
        ``OF``: the rows of every table read are locked, so ``of=`` is taken only when
        it names every table the query reads.

        Raises:
            QueryError: ``of=`` leaves out a table the query reads.
        """
        if lock.of:
            read = [stmt.table, *(j.table for j in stmt.joins if j.table is not None)]
            missing = [t.display_name for t in read if t is not None and t not in lock.of]
            if missing or any(j.cte is not None for j in stmt.joins):
                raise QueryError(
                    "MySQL/MariaDB have no FOR UPDATE OF: they lock the rows of every table a "
                    f"query reads, and select_for_update(of=...) leaves out {', '.join(missing) or 'a CTE'}. "
                    "Leave of= out (every table is locked), or lock the other table's rows in "
                    "a query of their own"
                )
        sql = "FOR UPDATE"
        if lock.nowait:
            sql += " NOWAIT"
        elif lock.skip_locked:
            sql += " SKIP LOCKED"
        return sql

    @contextmanager
    def select_scope(self, stmt: Select) -> Iterator[None]:
        """The window analysis window_spec reads, made for this SELECT's own windows
        and put back to the outer SELECT's after it."""
        outer = self._sorted_window, self._sorted_apart
        anchor = self._sorted_window = _first_sorted_window(stmt)
        self._sorted_apart = (
            _bridging_windows(stmt, anchor) if self.shares_window_sorts and anchor is not None else set()
        )
        try:
            with super().select_scope(stmt):
                yield
        finally:
            self._sorted_window, self._sorted_apart = outer

    def limit_clause(self, limit: Param | None, offset: Param | None, params: list[Param]) -> str:
        if offset is not None and limit is None:
            return f"LIMIT {_NO_LIMIT} OFFSET {self.bind(offset, params)}"
        return super().limit_clause(limit, offset, params)

    # -- statements -----------------------------------------------------------------
    def insert_default_values(self, table: str, rows: int) -> str:
        return f"INSERT INTO {table} () VALUES " + ", ".join(["()"] * rows)

    # -- DDL ------------------------------------------------------------------------
    def column_type_sql(self, column: ColumnSchema, table: TableSchema) -> str:
        """MySQL's spelling of a type: text that an index covers needs a bounded length,
        and VARCHAR holds at most :data:`MAX_VARCHAR_LENGTH` characters."""
        t = column.type
        kind = t.kind
        if kind == "str":
            if t.length is not None:
                return f"VARCHAR({t.length})" if t.length <= MAX_VARCHAR_LENGTH else "LONGTEXT"
            if _indexed(column.name, table):
                # an index (unique, primary key, foreign key) needs a bounded length
                return f"VARCHAR({INDEXED_TEXT_LENGTH})"
            # TEXT holds only 65,535 bytes; LONGTEXT is as unbounded as TEXT elsewhere
            return "LONGTEXT"
        if kind == "decimal":
            return f"DECIMAL({t.precision}, {t.scale})"
        return self.type_names[kind]

    def table_options(self) -> str:
        return f" ENGINE=InnoDB DEFAULT CHARSET={CHARSET} COLLATE={COLLATION}"

    def truncate(self, table: TableLike, restart_identity: bool = True) -> list[str]:
        """``TRUNCATE TABLE``, which always restarts AUTO_INCREMENT at 1 (and commits,
        as all MySQL DDL does); keeping the keys takes a ``DELETE FROM`` instead."""
        name = self.quote(self.describe_table(table).name)
        if restart_identity:
            return [f"TRUNCATE TABLE {name}"]
        return [f"DELETE FROM {name}"]

    def referencing_foreign_keys(self, table: TableLike, cascade: bool) -> tuple[str, list[Any]] | None:
        """With ``cascade``: the foreign keys to drop first. MySQL accepts ``DROP TABLE
        ... CASCADE`` but ignores the word; without it, MySQL refuses by itself."""
        if not cascade:
            return None
        name = self.describe_table(table).name
        return (
            "SELECT TABLE_NAME, CONSTRAINT_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS "
            "WHERE CONSTRAINT_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME = %s AND TABLE_NAME <> %s "
            "ORDER BY TABLE_NAME, CONSTRAINT_NAME",
            [name, name],
        )

    def drop_table(
        self,
        table: TableLike,
        *,
        if_exists: bool = True,
        cascade: bool = False,
        referenced_by: Sequence[tuple[str, str]] = (),
    ) -> list[str]:
        """``DROP TABLE``; with ``cascade``, first ``ALTER TABLE ... DROP FOREIGN KEY``
        for each key that references the table, as PostgreSQL's CASCADE does."""
        stmts = [
            f"ALTER TABLE {self.quote(referencing)} DROP FOREIGN KEY {self.quote(constraint)}"
            for referencing, constraint in referenced_by
        ] if cascade else []
        exists = "IF EXISTS " if if_exists else ""
        stmts.append(f"DROP TABLE {exists}{self.quote(self.describe_table(table).name)}")
        return stmts

    # -- migrations -------------------------------------------------------------------
    def schema_primary_key_definition(self, column: ColumnSchema) -> str:
        """``AUTO_INCREMENT`` for generated keys; MySQL keys are always NOT NULL."""
        if column.auto_increment:
            return f"{column.type_sql} NOT NULL AUTO_INCREMENT PRIMARY KEY"
        return f"{column.type_sql} NOT NULL PRIMARY KEY"

    def schema_default(self, column: ColumnSchema) -> str | None:
        """TEXT and BLOB columns take a default only as an expression: ``DEFAULT ('x')``
        (and a declared ``DEFAULT NULL`` as ``DEFAULT (NULL)``)."""
        default = super().schema_default(column)
        constant = not isinstance(column.default, DefaultExpression) or column.default == NULL_DEFAULT
        if default is not None and constant and _is_blob(column.type_sql):
            return f"({default})"
        return default

    def current_timestamp(self) -> str:
        """``CURRENT_TIMESTAMP(6)``: microseconds, as ``DATETIME(6)`` keeps them, in the
        session's time zone, which KakaORM's connections set to UTC."""
        return "CURRENT_TIMESTAMP(6)"

    def add_column(self, table: str, column: ColumnSchema, fk: ForeignKeySchema | None = None) -> list[str]:
        """``ADD COLUMN`` and, in the same statement, its foreign key (MySQL ignores an
        inline REFERENCES)."""
        sql = f"ALTER TABLE {self.quote(table)} ADD COLUMN {self.schema_column_definition(column)}"
        if fk is not None:
            name = fk.name or self.constraint_name("fk", table, fk.columns)
            sql += (
                f", ADD CONSTRAINT {self.quote(name)} FOREIGN KEY ({self.quote(column.name)}) "
                f"{self.references(fk)}"
            )
        return [sql]

    def drop_column(self, table: str, column: ColumnSchema, fk: ForeignKeySchema | None = None) -> list[str]:
        """``DROP COLUMN``, dropping its foreign key first in the same statement."""
        drop_fk = f"DROP FOREIGN KEY {self.quote(fk.name)}, " if fk is not None and fk.name else ""
        return [f"ALTER TABLE {self.quote(table)} {drop_fk}DROP COLUMN {self.quote(column.name)}"]

    def alter_column(self, table: str, old: ColumnSchema, new: ColumnSchema) -> list[str]:
        """One ``MODIFY COLUMN`` with the whole new definition (type, NULL, default)."""
        definition = self.schema_column_definition(replace(new, check=None), inline_pk=False)
        return [f"ALTER TABLE {self.quote(table)} MODIFY COLUMN {definition}"]

    def alter_column_type(self, table: str, old: ColumnSchema, new: ColumnSchema) -> list[str]:
        """``MODIFY COLUMN`` (MySQL changes a column by redefining it)."""
        return self.alter_column(table, old, new)

    def alter_column_null(self, table: str, column: ColumnSchema) -> list[str]:
        """``MODIFY COLUMN`` with the column's whole definition."""
        return self.alter_column(table, column, column)

    def alter_column_default(self, table: str, column: ColumnSchema) -> list[str]:
        """``MODIFY COLUMN`` with the column's whole definition."""
        return self.alter_column(table, column, column)

    def rename_tables(self, renames: Sequence[tuple[str, str]]) -> list[str]:
        """One ``RENAME TABLE a TO b, c TO d``: MySQL renames them all or none, atomically
        (no session ever sees a name missing in between)."""
        if not renames:
            return []
        pairs = ", ".join(f"{self.quote(old)} TO {self.quote(new)}" for old, new in renames)
        return [f"RENAME TABLE {pairs}"]

    def drop_index(self, table: str, index: IndexSchema) -> list[str]:
        """``DROP INDEX name ON table`` (a UNIQUE constraint is an index on MySQL)."""
        return [f"DROP INDEX {self.quote(index.name)} ON {self.quote(table)}"]

    def drop_foreign_key(self, table: str, fk: ForeignKeySchema) -> list[str]:
        """``ALTER TABLE ... DROP FOREIGN KEY``."""
        if not fk.name:
            return super().drop_foreign_key(table, fk)
        return [f"ALTER TABLE {self.quote(table)} DROP FOREIGN KEY {self.quote(fk.name)}"]

    def alter_table(self, old: TableSchema, new: TableSchema, ops: Sequence[TableOp]) -> list[str]:
        """The ops in order; a dropped foreign key also drops the index InnoDB created
        for it, which would otherwise stay behind as an index no model declares."""
        out: list[str] = []
        for op in ops:
            out.extend(self.table_op(old.name, op))
            if isinstance(op, DropForeignKeyOp) and op.fk.name:
                backing = _backing_index(old, op.fk)
                if backing is not None:
                    out.append(f"DROP INDEX {self.quote(backing)} ON {self.quote(old.name)}")
        return out


def _json_text(expr: Expression[Any]) -> bool:
    """Whether ``expr`` is a string read from a JSON document."""
    return isinstance(expr, JSONValue) and expr.kind == "str"


def _backing_index(table: TableSchema, fk: ForeignKeySchema) -> str | None:
    """The name of the index InnoDB made for ``fk`` (which goes when the key goes), or
    None when an index the table declares serves it."""
    for index in table.indexes:
        if index.implicit and index.columns == fk.columns:
            return index.name
    width = len(fk.columns)
    if any(ix.columns[:width] == fk.columns for ix in table.indexes):
        return None
    # not read from the database (a plan's own schema): InnoDB named it after the key
    return fk.name


def _is_blob(type_sql: str) -> bool:
    lowered = type_sql.lower()
    return "text" in lowered or "blob" in lowered or lowered.startswith("json")


def _kind(sql_type: SQLType | None) -> str | None:
    return None if sql_type is None else sql_type.kind


def _indexed(column: str, table: TableSchema) -> bool:
    """Whether an index covers ``column``: the primary key, a UNIQUE constraint, an
    index, or a foreign key (InnoDB indexes those by itself)."""
    return (
        column in table.primary_key
        or any(column in ix.columns for ix in table.indexes)
        or any(column in fk.columns for fk in table.foreign_keys)
    )


def _first_sorted_window(stmt: Select) -> Window | None:
    """The window of ``stmt`` whose sort a window without one takes: the first that is
    ordered but not partitioned (its clone adds no sort key), else the first that
    is partitioned. Only ``stmt``'s own columns and ORDER BY count: a subquery is
    compiled as a SELECT of its own."""
    sorted_windows = [w for w in _own_windows(stmt) if w.partition_by or w.order_by]
    unpartitioned = [w for w in sorted_windows if not w.partition_by]
    candidates = unpartitioned or sorted_windows
    return candidates[0] if candidates else None


def _own_windows(stmt: Select) -> list[Window]:
    return [
        node
        for root in (*stmt.columns, *(o.expr for o in stmt.order_by))
        for node in root.walk()
        if isinstance(node, Window)
    ]


def _sort_key(window: Window, anchor: Window) -> tuple[Hashable, ...]:
    """The sort key MariaDB takes for ``window`` as :meth:`MySQLCompiler.window_spec`
    writes it: one item per partition or order expression; an expression that is
    not a plain column is an item of its own (MariaDB never shares a sort over one)."""

    def item(expr: Expression[Any], descending: bool = False) -> Hashable:
        return (expr._key([]), descending) if isinstance(expr, (ColumnElement, CTEColumn)) else object()

    if not (window.partition_by or window.order_by):
        if isinstance(window.function, (Rank, DenseRank)):
            return ()
        window = anchor
    order = [item(o.expr, o.descending) for o in window.order_by] or [item(p) for p in window.partition_by]
    return (*(item(p) for p in window.partition_by), *order)


def _bridging_windows(stmt: Select, anchor: Window) -> set[int]:
    """The ids of the windows of ``stmt`` MariaDB could file between two windows that
    need different sort orders, and compute those on one of the two orders.

    MariaDB orders a query's windows by sort key and computes neighbours whose keys
    start alike on one sort, the longest. A window whose key is the start of two keys
    that differ after it (``ORDER BY team`` beside ``PARTITION BY team ORDER BY
    score`` and ``PARTITION BY team ORDER BY played``) can join the two in one group:
    one of them is then computed on the other's order. (This errs on the safe side:
    where MariaDB happens to order the windows well, the cost is one more sort.)
    LAG/LEAD with a default are not listed: their two windows must share one sort.
    """
    windows = _own_windows(stmt)
    keys = [_sort_key(w, anchor) for w in windows]
    found: set[int] = set()
    for i, short in enumerate(keys):
        fn = windows[i].function
        if not short or (isinstance(fn, (Lag, Lead)) and len(fn.args) == 3):
            continue
        longer = [k for k in keys if len(k) > len(short) and k[: len(short)] == short]
        pairs = itertools.combinations(longer, 2)
        if any(ka[: min(len(ka), len(kb))] != kb[: min(len(ka), len(kb))] for ka, kb in pairs):
            found.add(id(windows[i]))
    return found


def _reads_table(stmt: Select, table: TableRef) -> bool:
    return stmt.table is table or any(j.table is table for j in stmt.joins)


def _needs_derived_table(stmt: Select, dml_table: TableRef | None) -> bool:
    if stmt.limit is not None or stmt.offset is not None:
        return True
    return dml_table is not None and _reads_table(stmt, dml_table)
