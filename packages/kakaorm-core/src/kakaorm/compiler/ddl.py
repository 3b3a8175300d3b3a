"""Migration DDL: the statements that change an existing schema.

:class:`SchemaDDL` is a base of :class:`kakaorm.compiler.SQLCompiler`; its methods
render the schema descriptions and ops of :mod:`kakaorm.schema` as SQL. The
defaults here are standard SQL (PostgreSQL accepts all of them); a dialect overrides
what its database spells otherwise (MySQL's ``MODIFY COLUMN``) or cannot do in place
(SQLite rebuilds the table, see ``alter_table``). Every method returns a list of
statements, because one change may need several.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, Sequence

from kakaorm.exc import QueryError
from kakaorm.schema import (
    AddColumnOp,
    AddForeignKeyOp,
    AddIndexOp,
    AlterColumnOp,
    ColumnSchema,
    DefaultExpression,
    DropColumnOp,
    DropForeignKeyOp,
    DropIndexOp,
    ForeignKeySchema,
    IndexSchema,
    TableOp,
    TableSchema,
)

if TYPE_CHECKING:
    from kakaorm.types import SQLType

__all__ = ["SchemaDDL"]


class SchemaDDL:
    """DDL for migrations, rendered from :mod:`kakaorm.schema` descriptions."""

    if TYPE_CHECKING:
        paramstyle: ClassVar[str]
        max_identifier_length: ClassVar[int]

        def quote(self, name: str) -> str: ...

        def literal(self, value: Any, sql_type: SQLType) -> str: ...

        def table_options(self) -> str: ...

    # -- names ----------------------------------------------------------------------
    def constraint_name(self, prefix: str, table: str, columns: Sequence[str]) -> str:
        """A deterministic constraint name (``fk_post_author_id``) that fits the limit."""
        name = f"{prefix}_{table}_{'_'.join(columns)}"
        if len(name) > self.max_identifier_length:
            digest = hashlib.sha1(name.encode()).hexdigest()[:8]
            name = name[: self.max_identifier_length - 9] + "_" + digest
        return name

    def _columns(self, names: Sequence[str]) -> str:
        return ", ".join(self.quote(n) for n in names)

    # -- pieces -----------------------------------------------------------------------
    def schema_default(self, column: ColumnSchema) -> str | None:
        """The SQL after ``DEFAULT`` for a column, or None when it has no default."""
        value = column.default
        if value is None:
            return None
        if isinstance(value, DefaultExpression):
            return value.sql.replace("%", "%%") if self.paramstyle == "format" else value.sql
        return self.literal(value, column.type.sql_type())

    def schema_primary_key_definition(self, column: ColumnSchema) -> str:
        """Type and key clause of a single primary-key column."""
        return f"{column.type_sql} PRIMARY KEY"

    def references(self, fk: ForeignKeySchema) -> str:
        """``REFERENCES table (columns) ON DELETE action``."""
        return (
            f"REFERENCES {self.quote(fk.ref_table)} ({self._columns(fk.ref_columns)}) "
            f"ON DELETE {fk.on_delete}"
        )

    def schema_column_definition(
        self, column: ColumnSchema, *, inline_pk: bool = True, fk: ForeignKeySchema | None = None
    ) -> str:
        """One column's definition; ``fk`` adds an inline ``REFERENCES`` clause."""
        parts = [self.quote(column.name)]
        if column.primary_key and inline_pk:
            parts.append(self.schema_primary_key_definition(column))
        else:
            parts.append(column.type_sql)
            if not column.nullable:
                parts.append("NOT NULL")
        default = self.schema_default(column)
        if default is not None:
            parts.append(f"DEFAULT {default}")
        if column.check:
            check = column.check.replace("%", "%%") if self.paramstyle == "format" else column.check
            parts.append(f"CHECK ({check})")
        if fk is not None:
            if fk.name:
                parts.append(f"CONSTRAINT {self.quote(fk.name)}")
            parts.append(self.references(fk))
        return " ".join(parts)

    def rows_probe(self, table: str, null_column: str | None = None) -> str:
        """A query returning a row when ``table`` has rows (with ``null_column`` NULL, if
        given) and none otherwise: what a planner checks before adding NOT NULL."""
        where = f" WHERE {self.quote(null_column)} IS NULL" if null_column is not None else ""
        return f"SELECT 1 FROM {self.quote(table)}{where} LIMIT 1"

    def select_rows(self, table: str, columns: Sequence[str], order_by: Sequence[str] = ()) -> str:
        """``SELECT columns FROM table [ORDER BY ...]``: reading a table no model describes
        (an older layout of the migration history)."""
        order = f" ORDER BY {self._columns(order_by)}" if order_by else ""
        return f"SELECT {self._columns(columns)} FROM {self.quote(table)}{order}"

    # -- tables -----------------------------------------------------------------------
    def create_table_from_schema(
        self, table: TableSchema, name: str | None = None, *, with_indexes: bool = True
    ) -> list[str]:
        """``CREATE TABLE`` for a described table (named ``name`` if given), then its
        plain indexes unless ``with_indexes`` is False."""
        inline_pk = len(table.primary_key) <= 1
        defs = [self.schema_column_definition(c, inline_pk=inline_pk) for c in table.columns]
        if not inline_pk:
            defs.append(f"PRIMARY KEY ({self._columns(table.primary_key)})")
        for index in table.indexes:
            if index.unique and index.constraint:
                defs.append(f"CONSTRAINT {self.quote(index.name)} UNIQUE ({self._columns(index.columns)})")
        for fk in table.foreign_keys:
            prefix = f"CONSTRAINT {self.quote(fk.name)} " if fk.name else ""
            defs.append(f"{prefix}FOREIGN KEY ({self._columns(fk.columns)}) {self.references(fk)}")
        stmts = [f"CREATE TABLE {self.quote(name or table.name)} ({', '.join(defs)}){self.table_options()}"]
        if with_indexes:
            for index in table.indexes:
                if not index.constraint and not index.implicit:
                    stmts.extend(self.add_index(name or table.name, index))
        return stmts

    def drop_table_by_name(self, table: str) -> list[str]:
        """``DROP TABLE`` of a table known by name."""
        return [f"DROP TABLE {self.quote(table)}"]

    def rename_tables(self, renames: Sequence[tuple[str, str]]) -> list[str]:
        """Rename each ``(old, new)`` table, in order. Standard SQL needs one statement a
        table; a dialect that renames several atomically in one statement overrides this."""
        return [f"ALTER TABLE {self.quote(old)} RENAME TO {self.quote(new)}" for old, new in renames]

    def alter_table(self, old: TableSchema, new: TableSchema, ops: Sequence[TableOp]) -> list[str]:
        """The statements that turn table ``old`` into ``new`` by applying ``ops`` in order.

        A dialect that cannot apply some op in place overrides this (SQLite rebuilds
        the table from ``new``).
        """
        out: list[str] = []
        for op in ops:
            out.extend(self.table_op(old.name, op))
        return out

    def table_op(self, table: str, op: TableOp) -> list[str]:
        """The statements of one op on ``table``."""
        if isinstance(op, AddColumnOp):
            if op.fill_now:
                return self.add_column_filled_now(table, op.column, op.fk)
            return self.add_column(table, op.column, op.fk)
        if isinstance(op, DropColumnOp):
            return self.drop_column(table, op.column, op.fk)
        if isinstance(op, AlterColumnOp):
            return self.alter_column(table, op.old, op.new)
        if isinstance(op, AddIndexOp):
            return self.add_index(table, op.index)
        if isinstance(op, DropIndexOp):
            return self.drop_index(table, op.index)
        if isinstance(op, AddForeignKeyOp):
            return self.add_foreign_key(table, op.fk)
        if isinstance(op, DropForeignKeyOp):
            return self.drop_foreign_key(table, op.fk)
        raise QueryError(f"{type(self).__name__} cannot render {op!r}")

    # -- columns ----------------------------------------------------------------------
    def add_column(self, table: str, column: ColumnSchema, fk: ForeignKeySchema | None = None) -> list[str]:
        """``ALTER TABLE ... ADD COLUMN`` (with an inline foreign key)."""
        return [f"ALTER TABLE {self.quote(table)} ADD COLUMN {self.schema_column_definition(column, fk=fk)}"]

    def current_timestamp(self) -> str:
        """The SQL expression of the current time, in the form this database stores a
        ``DateTimeColumn`` (UTC): what existing rows get when an ``auto_now`` column is added."""
        return "CURRENT_TIMESTAMP"

    def add_column_filled_now(
        self, table: str, column: ColumnSchema, fk: ForeignKeySchema | None = None
    ) -> list[str]:
        """Add a column and give the rows already there the current time: added with
        :meth:`current_timestamp` as its default, which is then dropped again (the
        model's column has no database default)."""
        filled = replace(column, default=DefaultExpression(self.current_timestamp()))
        return self.add_column(table, filled, fk) + self.alter_column_default(table, column)

    def drop_column(self, table: str, column: ColumnSchema, fk: ForeignKeySchema | None = None) -> list[str]:
        """``ALTER TABLE ... DROP COLUMN`` (its foreign key goes with it)."""
        return [f"ALTER TABLE {self.quote(table)} DROP COLUMN {self.quote(column.name)}"]

    def alter_column(self, table: str, old: ColumnSchema, new: ColumnSchema) -> list[str]:
        """Change a column's type, nullability and default from ``old`` to ``new``."""
        op = AlterColumnOp(old, new)
        out: list[str] = []
        reset_default = op.default_changed
        if op.type_changed:
            if old.default is not None:
                # the old default may not convert to the new type; set it again afterwards
                out.extend(self.alter_column_default(table, ColumnSchema(old.name, old.type)))
                reset_default = new.default is not None
            out.extend(self.alter_column_type(table, old, new))
        if op.null_changed:
            out.extend(self.alter_column_null(table, new))
        if reset_default:
            out.extend(self.alter_column_default(table, new))
        return out

    def alter_column_type(self, table: str, old: ColumnSchema, new: ColumnSchema) -> list[str]:
        """Change a column's type to ``new.type_sql``."""
        return [
            f"ALTER TABLE {self.quote(table)} ALTER COLUMN {self.quote(new.name)} TYPE {new.type_sql}"
        ]

    def alter_column_null(self, table: str, column: ColumnSchema) -> list[str]:
        """Make a column NOT NULL or nullable, as ``column.nullable`` says."""
        action = "DROP NOT NULL" if column.nullable else "SET NOT NULL"
        return [f"ALTER TABLE {self.quote(table)} ALTER COLUMN {self.quote(column.name)} {action}"]

    def alter_column_default(self, table: str, column: ColumnSchema) -> list[str]:
        """Set a column's default to ``column.default`` (drop it when None)."""
        default = self.schema_default(column)
        action = "DROP DEFAULT" if default is None else f"SET DEFAULT {default}"
        return [f"ALTER TABLE {self.quote(table)} ALTER COLUMN {self.quote(column.name)} {action}"]

    # -- indexes and constraints ----------------------------------------------------------
    def add_index(self, table: str, index: IndexSchema) -> list[str]:
        """``CREATE [UNIQUE] INDEX``, or ``ADD CONSTRAINT ... UNIQUE`` for a constraint."""
        if index.unique and index.constraint:
            return [
                f"ALTER TABLE {self.quote(table)} ADD CONSTRAINT {self.quote(index.name)} "
                f"UNIQUE ({self._columns(index.columns)})"
            ]
        unique = "UNIQUE " if index.unique else ""
        return [
            f"CREATE {unique}INDEX {self.quote(index.name)} ON {self.quote(table)} "
            f"({self._columns(index.columns)})"
        ]

    def drop_index(self, table: str, index: IndexSchema) -> list[str]:
        """``DROP INDEX``, or ``DROP CONSTRAINT`` for a UNIQUE constraint."""
        if index.constraint:
            return [f"ALTER TABLE {self.quote(table)} DROP CONSTRAINT {self.quote(index.name)}"]
        return [f"DROP INDEX {self.quote(index.name)}"]

    def add_foreign_key(self, table: str, fk: ForeignKeySchema) -> list[str]:
        """``ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY``."""
        name = fk.name or self.constraint_name("fk", table, fk.columns)
        return [
            f"ALTER TABLE {self.quote(table)} ADD CONSTRAINT {self.quote(name)} "
            f"FOREIGN KEY ({self._columns(fk.columns)}) {self.references(fk)}"
        ]

    def drop_foreign_key(self, table: str, fk: ForeignKeySchema) -> list[str]:
        """``ALTER TABLE ... DROP CONSTRAINT`` of a foreign key."""
        if not fk.name:
            raise QueryError(
                f"cannot drop the unnamed foreign key of {table}({', '.join(fk.columns)}) in place; "
                "this database needs the table rebuilt"
            )
        return [f"ALTER TABLE {self.quote(table)} DROP CONSTRAINT {self.quote(fk.name)}"]
