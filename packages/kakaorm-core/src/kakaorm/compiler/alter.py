"""Migration DDL: the statements that change an existing table, one op at a time.

:class:`AlterDDL` is a base of :class:`~kakaorm.compiler.ddl.SchemaDDL` (and so of every
:class:`~kakaorm.compiler.SQLCompiler`); the defaults are standard SQL, and a dialect
overrides what its database spells otherwise (MySQL's ``MODIFY COLUMN``) or cannot do
in place (SQLite rebuilds the table, see :meth:`AlterDDL.alter_table`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

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

__all__ = ["AlterDDL"]


class AlterDDL:
    """Renaming tables and applying :mod:`kakaorm.schema` ops to them."""

    if TYPE_CHECKING:
        paramstyle: ClassVar[str]

        def quote(self, name: str) -> str: ...

        def _columns(self, names: Sequence[str]) -> str: ...

        def constraint_name(self, prefix: str, table: str, columns: Sequence[str]) -> str: ...

        def references(self, fk: ForeignKeySchema) -> str: ...

        def schema_default(self, column: ColumnSchema) -> str | None: ...

        def schema_column_definition(
            self,
            column: ColumnSchema,
            *,
            inline_pk: bool = True,
            fk: ForeignKeySchema | None = None,
            unique: bool = False,
        ) -> str: ...

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
