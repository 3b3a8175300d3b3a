"""SQL generation for SQLite."""

from __future__ import annotations

import datetime as _dt
import math
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar

from kakaorm.compiler import SQLCompiler
from kakaorm.compiler.ddl import TableLike
from kakaorm.exc import IntegrityError, QueryError
from kakaorm.expr import Arithmetic, JSONPath, Param
from kakaorm.schema import (
    AddColumnOp,
    AddIndexOp,
    ColumnSchema,
    DefaultExpression,
    DropColumnOp,
    DropIndexOp,
    IndexSchema,
    TableOp,
    TableSchema,
)
from kakaorm.statements import Join, RowLock, Select
from kakaorm.types import SQLType, utc_datetime

#: SQLite's version (the library the sqlite3 module links, which aiosqlite uses)
SQLITE_VERSION: tuple[int, ...] = sqlite3.sqlite_version_info

#: decimals are stored as REAL: exact to this many significant digits
MAX_DECIMAL_DIGITS = 15

_TYPES = {
    "int": "INTEGER",
    "float": "REAL",
    "bool": "BOOLEAN",
    "datetime": "DATETIME",
    "date": "DATE",
    "time": "TIME",
    "bytes": "BLOB",
    "uuid": "TEXT",
    "json": "TEXT",
}


def format_datetime(value: _dt.datetime) -> str:
    """The stored form of a datetime: UTC, fixed width (``0999-01-01 08:00:00.000000``),
    so text order is time order for every year from 1 to 9999.

    ``isoformat``, not ``strftime``: the C library's ``%Y`` writes year 999 as ``999``.
    """
    if value.tzinfo is not None:
        value = utc_datetime(value).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


class SQLiteCompiler(SQLCompiler):
    """SQLite spelling: ``?`` placeholders, AUTOINCREMENT keys, ``LIMIT -1 OFFSET``."""

    paramstyle: ClassVar[str] = "qmark"
    quote_char: ClassVar[str] = '"'
    max_identifier_length: ClassVar[int] = 128
    right_join: ClassVar[bool] = SQLITE_VERSION >= (3, 39, 0)
    type_names: ClassVar[dict[str, str]] = _TYPES

    def begin_isolated(self, isolation: str) -> tuple[str, ...]:
        """A plain BEGIN for ``"serializable"``, what SQLite's transactions always are
        (one writer at a time); it has no other level, so any other is a QueryError."""
        if isolation != "serializable":
            raise QueryError(
                f"SQLite has no isolation level {isolation!r}: its transactions are always "
                "serializable. Pass isolation='serializable' or leave isolation out"
            )
        return ("BEGIN",)

    def explain(self, sql: str, analyze: bool) -> str:
        """``EXPLAIN QUERY PLAN``; SQLite cannot run a statement and measure it, so
        ``analyze`` is a QueryError."""
        if analyze:
            raise QueryError(
                "SQLite has no EXPLAIN ANALYZE: it cannot report measured row counts or "
                "times. Call explain() without analyze=True"
            )
        return f"EXPLAIN QUERY PLAN {sql}"

    def column_type_sql(self, column: ColumnSchema, table: TableSchema) -> str:
        """The type in CREATE TABLE; a decimal wider than SQLite keeps exactly is refused."""
        t = column.type
        if t.kind == "decimal" and (t.precision or 0) > MAX_DECIMAL_DIGITS:
            raise QueryError(
                f"{table.label}.{column.name} has max_digits={t.precision}, but SQLite keeps decimals "
                f"as REAL numbers, exact to {MAX_DECIMAL_DIGITS} significant digits only, so "
                f"wider values would silently change. Use max_digits <= {MAX_DECIMAL_DIGITS} "
                "on SQLite, or PostgreSQL/MySQL for wider exact decimals"
            )
        return super().column_type_sql(column, table)

    def literal(self, value: Any, sql_type: SQLType) -> str:
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, float) and not math.isfinite(value):
            if math.isnan(value):
                raise QueryError(
                    "a default of float('nan') cannot be stored on SQLite, which would "
                    "store NULL instead; use default=None"
                )
            # SQLite's spelling of an infinite REAL ('inf' would be stored as text)
            return "9e999" if value > 0 else "-9e999"
        if isinstance(value, _dt.datetime):
            return self.string_literal(format_datetime(value))
        if isinstance(value, _dt.time):
            return self.string_literal(value.isoformat(timespec="microseconds"))
        return super().literal(value, sql_type)

    def json_document(self, path: JSONPath, params: list[Param]) -> str:
        """``column -> '$."key"[0]'``: the JSON text at the path (SQLite 3.38 or later)."""
        if SQLITE_VERSION < (3, 38, 0):
            raise QueryError(
                f"reading {path!r} as JSON needs SQLite 3.38 or later (this is "
                f"{'.'.join(map(str, SQLITE_VERSION))}); compare the path with a value instead"
            )
        return f"({self.visit(path.column, params)} -> {self.bind(path.path_param, params)})"

    def json_value(self, path: JSONPath, kind: str, params: list[Param]) -> str:
        """``json_extract()`` when ``json_type()`` says the value has the wanted type;
        ``json_extract()`` alone is NULL for a missing path and for JSON null."""
        if kind == "present":
            return f"json_extract({self.visit(path.column, params)}, {self.bind(path.path_param, params)})"
        test = f"json_type({self.visit(path.column, params)}, {self.bind(path.path_param, params)})"
        if kind == "bool":
            return f"CASE {test} WHEN 'true' THEN 1 WHEN 'false' THEN 0 END"
        types = "= 'text'" if kind == "str" else "IN ('integer', 'real')"
        value = f"json_extract({self.visit(path.column, params)}, {self.bind(path.path_param, params)})"
        return f"CASE WHEN {test} {types} THEN {value} END"

    def arithmetic(self, node: Arithmetic, left: str, right: str) -> str:
        """A division with a decimal or float operand divides as REAL: a whole decimal
        is stored as an INTEGER, and integer division would truncate."""
        if node.op == "/" and any(
            side.type is not None and side.type.kind in ("decimal", "float") for side in (node.left, node.right)
        ):
            return f"(CAST({left} AS REAL) / {right})"
        return super().arithmetic(node, left, right)

    def ilike(self, left: str, right: str) -> str:
        return f"kakaorm_lower({left}) LIKE kakaorm_lower({right})"

    def limit_clause(self, limit: Param | None, offset: Param | None, params: list[Param]) -> str:
        if offset is not None and limit is None:
            return f"LIMIT -1 OFFSET {self.bind(offset, params)}"
        return super().limit_clause(limit, offset, params)

    def join(self, join: Join, params: list[Param]) -> str:
        if join.kind == "RIGHT" and not self.right_join:
            version = ".".join(map(str, SQLITE_VERSION))
            raise QueryError(
                f"RIGHT JOIN needs SQLite 3.39 or newer; this Python links SQLite {version}. "
                "Swap the two models and use left_join() instead"
            )
        return super().join(join, params)

    def lock_clause(self, lock: RowLock, stmt: Select) -> str:
        """Nothing for the ORM's own locks: SQLite has no row locks, and KakaORM's one
        connection per engine runs one transaction at a time (other tasks wait for it).

        Raises:
            QueryError: the lock was asked for (``select_for_update()``).
        """
        if lock.strict:
            raise QueryError(
                "SQLite has no row locks, so select_for_update() cannot run on it: SQLite locks "
                "the whole database for one writer at a time. Do the read and the writes in one "
                "`async with engine.transaction():` block, which other tasks wait for"
            )
        return ""

    def truncate(self, table: TableLike, restart_identity: bool = True) -> list[str]:
        """``DELETE FROM`` (SQLite has no TRUNCATE); restarting the keys also forgets
        the table's highest AUTOINCREMENT key."""
        schema = self.describe_table(table)
        stmts = [f"DELETE FROM {self.quote(schema.name)}"]
        if restart_identity and any(c.primary_key and c.auto_increment for c in schema.columns):
            stmts.append("DELETE FROM sqlite_sequence WHERE name = " + self.string_literal(schema.name))
        return stmts

    def referencing_foreign_keys(self, table: TableLike, cascade: bool) -> tuple[str, list[Any]] | None:
        """Foreign keys of other tables naming this (existing) table: SQLite would
        otherwise drop it after deleting every row, which runs the keys' ON DELETE
        actions on the referencing rows instead of refusing."""
        sql = (
            'SELECT m."name", \'\' FROM "sqlite_master" AS m, pragma_foreign_key_list(m."name") AS f '
            'WHERE m."type" = \'table\' AND f."table" = ? COLLATE NOCASE AND m."name" <> ? COLLATE NOCASE '
            'AND EXISTS (SELECT 1 FROM "sqlite_master" WHERE "type" = \'table\' AND "name" = ? COLLATE NOCASE) '
            'GROUP BY m."name" ORDER BY m."name"'
        )
        name = self.describe_table(table).name
        return sql, [name, name, name]

    def drop_table(
        self,
        table: TableLike,
        *,
        if_exists: bool = True,
        cascade: bool = False,
        referenced_by: Sequence[tuple[str, str]] = (),
    ) -> list[str]:
        """``DROP TABLE``; refused while other tables reference the table.

        SQLite's own DROP TABLE would first delete every row, cascading (or nulling)
        the referencing rows, and leave their foreign keys dangling. KakaORM refuses
        as PostgreSQL and MySQL do; ``cascade=True`` (drop those keys, keep the rows)
        would need each referencing table rebuilt, so it is refused too.
        """
        if referenced_by:
            schema = self.describe_table(table)
            tables = ", ".join(sorted({t for t, _ in referenced_by}))
            name, label = schema.name, schema.label
            if cascade:
                raise QueryError(
                    f"drop_table({label}, cascade=True): SQLite cannot drop the foreign "
                    f"keys that {tables} hold on {name!r} without rebuilding those tables. Drop "
                    f"them first (engine.drop_table(<referencing models>, {label})), "
                    "or remove the foreign keys with a migration"
                )
            raise IntegrityError(
                f"cannot drop table {name!r}: {tables} reference it with a foreign key. Drop "
                f"the referencing tables first (engine.drop_table(<referencing models>, "
                f"{label})); SQLite cannot drop the keys alone (cascade=True)"
            )
        return super().drop_table(table, if_exists=if_exists)

    # -- migrations -------------------------------------------------------------------
    def schema_primary_key_definition(self, column: ColumnSchema) -> str:
        """``INTEGER PRIMARY KEY AUTOINCREMENT`` for generated keys, else a NOT NULL key."""
        if column.auto_increment:
            return "INTEGER PRIMARY KEY AUTOINCREMENT"
        return f"{column.type_sql} NOT NULL PRIMARY KEY"

    def alter_table(self, old: TableSchema, new: TableSchema, ops: Sequence[TableOp]) -> list[str]:
        """The ops in place when SQLite's ALTER TABLE can do them all, else a rebuild."""
        if all(self._in_place(op, old, ops) for op in ops):
            return super().alter_table(old, new, ops)
        now = self.current_timestamp()
        fill = {op.column.name: now for op in ops if isinstance(op, AddColumnOp) and op.fill_now}
        return self.rebuild_table(old, new, fill)

    def current_timestamp(self) -> str:
        """The current UTC time as text in the stored form (``YYYY-MM-DD HH:MM:SS.ffffff``;
        SQLite's clock gives milliseconds, padded to six digits)."""
        return "strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'"

    @staticmethod
    def _in_place(op: TableOp, old: TableSchema, ops: Sequence[TableOp]) -> bool:
        if isinstance(op, AddIndexOp):
            return True
        if isinstance(op, DropIndexOp):
            # the index behind an inline UNIQUE constraint cannot be dropped
            return not op.index.name.startswith("sqlite_autoindex_")
        if isinstance(op, AddColumnOp):
            col = op.column
            default = col.default
            if col.primary_key or isinstance(default, DefaultExpression):
                return False
            if op.fk is not None and default is not None:
                return False  # SQLite: an added REFERENCES column must default to NULL
            return col.nullable or default is not None
        if isinstance(op, DropColumnOp):
            name = op.column.name
            dropped = {o.index.name for o in ops if isinstance(o, DropIndexOp)}
            return (
                SQLITE_VERSION >= (3, 35, 0)
                and not op.column.primary_key
                and op.fk is None
                and not any(name in fk.columns for fk in old.foreign_keys)
                and not any(name in ix.columns and ix.name not in dropped for ix in old.indexes)
            )
        return False  # column changes and foreign keys need a rebuild

    def add_index(self, table: str, index: IndexSchema) -> list[str]:
        """``CREATE [UNIQUE] INDEX`` (SQLite has no ADD CONSTRAINT; a unique index is
        the same guarantee)."""
        unique = "UNIQUE " if index.unique else ""
        name = index.name
        if name.startswith("sqlite_autoindex_"):
            # recreating what an inline UNIQUE made: SQLite reserves its names
            name = self.constraint_name("uq", table, index.columns)
        return [
            f"CREATE {unique}INDEX {self.quote(name)} ON {self.quote(table)} "
            f"({', '.join(self.quote(c) for c in index.columns)})"
        ]

    def drop_index(self, table: str, index: IndexSchema) -> list[str]:
        """``DROP INDEX``."""
        return [f"DROP INDEX {self.quote(index.name)}"]

    def rebuild_table(
        self, old: TableSchema, new: TableSchema, fill: Mapping[str, str] | None = None
    ) -> list[str]:
        """SQLite's documented way to change a table: create the new table under a
        temporary name, copy the rows, drop the old table, rename, recreate the indexes.

        ``fill`` maps columns that ``old`` lacks to the SQL expression their copied rows
        get (the current time, for an added ``auto_now`` column).

        The migration lock runs these in one transaction with foreign keys off and
        checks them before committing (see ``kakaorm_sqlite.introspect.migration_lock``).
        """
        temp = f"_kakaorm_new_{old.name}"
        table, quoted_temp = self.quote(old.name), self.quote(temp)
        # unique constraints become named unique indexes (which a later migration can
        # drop in place), except those SQLite made for inline UNIQUE and named itself
        new = replace(
            new,
            indexes=tuple(
                ix if ix.name.startswith("sqlite_autoindex_") else replace(ix, constraint=False)
                for ix in new.indexes
            ),
        )
        stmts = self.create_table_from_schema(new, temp, with_indexes=False)
        common = [c.name for c in new.columns if old.column(c.name) is not None]
        fills = fill or {}
        filled = [(c.name, fills[c.name]) for c in new.columns if c.name in fills and old.column(c.name) is None]
        if common or filled:
            cols = ", ".join([self.quote(c) for c in common] + [self.quote(c) for c, _ in filled])
            values = ", ".join([self.quote(c) for c in common] + [sql for _, sql in filled])
            stmts.append(f"INSERT INTO {quoted_temp} ({cols}) SELECT {values} FROM {table}")
        pk_old = next((c for c in old.columns if c.primary_key), None)
        pk_new = next((c for c in new.columns if c.primary_key), None)
        if pk_old is not None and pk_new is not None and pk_old.auto_increment and pk_new.auto_increment:
            # keep the highest key ever handed out, not only the highest one left
            stmts.append(
                f"UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = "
                f"{self.string_literal(old.name)}) WHERE name = {self.string_literal(temp)}"
            )
        stmts.append(f"DROP TABLE {table}")
        stmts.append(f"ALTER TABLE {quoted_temp} RENAME TO {table}")
        for index in new.indexes:
            if not index.constraint and not index.implicit:
                stmts.extend(self.add_index(old.name, index))
        return stmts
