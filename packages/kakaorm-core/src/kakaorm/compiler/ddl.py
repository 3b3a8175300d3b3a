"""DDL: every CREATE/ALTER/DROP the compiler writes, rendered from :mod:`kakaorm.schema`.

There is one way in: a table is a :class:`~kakaorm.schema.TableSchema`, given as is or
through a :class:`~kakaorm.schema.TableSource` (an ORM model class describes its own
table). :meth:`SchemaDDL.table_schema` completes a portable description with what the
dialect decides (each column's type as this database spells it, index and constraint
names that fit its identifier limit); every statement is then written from it.

:class:`SchemaDDL` is a base of :class:`kakaorm.compiler.SQLCompiler`. The defaults
are standard SQL (PostgreSQL accepts all of them); a dialect overrides small hooks
(:meth:`SchemaDDL.column_type_sql`, :meth:`SchemaDDL.schema_primary_key_definition`,
:meth:`SchemaDDL.literal`, ...). The statements that change an existing table are
:mod:`kakaorm.compiler.alter`'s. Every method returns a list of statements, because
one change may need several.
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import hashlib
import uuid as _uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from kakaorm.compiler.alter import AlterDDL
from kakaorm.exc import QueryError
from kakaorm.schema import (
    ColumnSchema,
    ColumnSource,
    DefaultExpression,
    ForeignKeySchema,
    TableSchema,
    TableSource,
)
from kakaorm.types import SQLType, utc_datetime

__all__ = ["SchemaDDL", "TableLike"]

#: what the table-level DDL methods take: a description, or something that gives one
TableLike = TableSchema | TableSource


class SchemaDDL(AlterDDL):
    """Every DDL statement of a dialect, written from :mod:`kakaorm.schema` descriptions.

    Class attributes a dialect sets:
        type_names: SQL type names by value kind (text and decimals are spelled by
            :meth:`column_type_sql`).
        inline_references: a foreign key of :meth:`create_table` is written on its
            column (``REFERENCES``) rather than as a table constraint.
        indexes_in_create_table: :meth:`create_table` declares the indexes inside
            ``CREATE TABLE`` (``INDEX name (...)``) instead of ``CREATE INDEX`` after it.
        index_if_not_exists: ``CREATE INDEX IF NOT EXISTS`` is available.
        max_identifier_length: the longest identifier the database accepts (index and
            constraint names are shortened to fit).
    """

    #: SQL type names by value kind (text and decimals are spelled by column_type_sql)
    type_names: ClassVar[dict[str, str]] = {
        "int": "INTEGER",
        "float": "DOUBLE PRECISION",
        "bool": "BOOLEAN",
        "datetime": "TIMESTAMP WITH TIME ZONE",
        "date": "DATE",
        "time": "TIME",
        "bytes": "BLOB",
        "uuid": "CHAR(36)",
        "json": "JSON",
    }
    #: whether a foreign key is written on its column (``REFERENCES``) rather than as a
    #: table constraint by create_table
    inline_references: ClassVar[bool] = True
    #: whether create_table declares the indexes inside CREATE TABLE
    indexes_in_create_table: ClassVar[bool] = False
    #: longest identifier the database accepts (index names are shortened to fit)
    max_identifier_length: ClassVar[int] = 63
    #: ``CREATE INDEX IF NOT EXISTS`` is available (a dialect may learn it on connecting)
    index_if_not_exists: bool = True

    if TYPE_CHECKING:
        paramstyle: ClassVar[str]
        quote_char: ClassVar[str]

        def quote(self, name: str) -> str: ...

        def string_literal(self, text: str) -> str: ...

    # -- the table a DDL statement is about ------------------------------------------
    @staticmethod
    def describe_table(table: TableLike) -> TableSchema:
        """The description of ``table`` as given (a source is asked for its own).

        Raises:
            TypeError: ``table`` neither is a TableSchema nor describes one.
        """
        if isinstance(table, TableSchema):
            return table
        if isinstance(table, TableSource):
            return table.__table_schema__()
        raise TypeError(f"{table!r} is not a concrete model class or a TableSchema")

    def table_schema(self, table: TableLike) -> TableSchema:
        """``table`` completed for this dialect: each column's ``type_sql`` as this
        database spells the type, and a name for each unnamed index and UNIQUE
        constraint (what is already there stays; foreign keys keep their names)."""
        described = self.describe_table(table)
        columns = tuple(
            c if c.type_sql else replace(c, type_sql=self.column_type_sql(c, described))
            for c in described.columns
        )
        indexes = tuple(
            ix if ix.name else replace(ix, name=self.index_name(described.name, ix.columns, unique=ix.unique))
            for ix in described.indexes
        )
        return replace(described, columns=columns, indexes=indexes)

    def column_type_sql(self, column: ColumnSchema, table: TableSchema) -> str:
        """The SQL type of a column of ``table`` in CREATE TABLE, from its portable type."""
        t = column.type
        if t.kind == "str":
            return f"VARCHAR({t.length})" if t.length else "TEXT"
        if t.kind == "decimal":
            return f"NUMERIC({t.precision}, {t.scale})"
        if t.kind == "array" and t.item is not None:  # standard SQL's spelling: BIGINT[]
            return self.column_type_sql(ColumnSchema(column.name, t.item), table) + "[]"
        return self.type_names[t.kind]

    def _column_in_table(
        self, column: ColumnSource | ColumnSchema, table: TableSchema | None
    ) -> tuple[TableSchema, ColumnSchema]:
        if isinstance(column, ColumnSchema):
            owner = table if table is not None else TableSchema("", (column,))
            return self.table_schema(owner), column
        owner, described = column.__column_schema__()
        completed = self.table_schema(owner)
        found = completed.column(described.name)
        return completed, found if found is not None else described

    def column_type(self, column: ColumnSource | ColumnSchema, table: TableSchema | None = None) -> str:
        """The SQL type of a column (of a model, or described) in CREATE TABLE."""
        owner, col = self._column_in_table(column, table)
        return col.type_sql or self.column_type_sql(col, owner)

    # -- names ----------------------------------------------------------------------
    def fit_identifier(self, name: str) -> str:
        """``name``, or when longer than the identifier limit a deterministic shortening
        of it (its start and a digest of the whole)."""
        if len(name) > self.max_identifier_length:
            digest = hashlib.sha1(name.encode()).hexdigest()[:8]
            name = name[: self.max_identifier_length - 9] + "_" + digest
        return name

    def identifier_literal(self, name: str) -> str:
        """A string constant holding ``name`` as a quoted identifier, for catalog
        functions that parse their argument as a name (``'"Post"'``)."""
        q = self.quote_char
        return self.string_literal(q + name.replace(q, q + q) + q)

    def constraint_name(self, prefix: str, table: str, columns: Sequence[str]) -> str:
        """A deterministic constraint name (``fk_post_author_id``) that fits the limit."""
        return self.fit_identifier(f"{prefix}_{table}_{'_'.join(columns)}")

    def index_name(self, table: TableLike | str, columns: Sequence[str], *, unique: bool = False) -> str:
        """The name KakaORM gives an index (``ix_<table>_<columns>``) or a UNIQUE
        constraint (``uq_...``) of a table, fitted to the identifier limit."""
        name = table if isinstance(table, str) else self.describe_table(table).name
        return self.constraint_name("uq" if unique else "ix", name, columns)

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
        self,
        column: ColumnSchema,
        *,
        inline_pk: bool = True,
        fk: ForeignKeySchema | None = None,
        unique: bool = False,
    ) -> str:
        """One column's definition; ``fk`` adds an inline ``REFERENCES`` clause (named
        when the key has a name), ``unique`` an inline ``UNIQUE``."""
        parts = [self.quote(column.name)]
        if column.primary_key and inline_pk:
            parts.append(self.schema_primary_key_definition(column))
        else:
            parts.append(column.type_sql)
            if not column.nullable:
                parts.append("NOT NULL")
            if unique:
                parts.append("UNIQUE")
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

    def literal(self, value: Any, sql_type: SQLType) -> str:
        """A constant rendered as SQL, for DDL (DEFAULT clauses) where binds are impossible."""
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, (int, float, _decimal.Decimal)):
            return str(value)
        if isinstance(value, _dt.datetime):
            # isoformat, not strftime: %Y does not pad years before 1000 to four digits
            value = utc_datetime(value).replace(tzinfo=None)
            return self.string_literal(value.isoformat(" ", "microseconds") + "+00:00")
        if isinstance(value, (_dt.date, _dt.time)):
            return self.string_literal(value.isoformat())
        if isinstance(value, str):
            return self.string_literal(value)
        if isinstance(value, _uuid.UUID):
            return self.string_literal(str(value))
        if isinstance(value, (bytes, bytearray, memoryview)):
            raise QueryError(
                f"cannot use {bytes(value)!r} as a column default in DDL: a BytesColumn has no "
                "database default; give a callable instead, e.g. default=lambda: b'...'"
            )
        raise QueryError(f"cannot use {value!r} as a column default in DDL")

    def table_options(self) -> str:
        """Text after the closing parenthesis of CREATE TABLE (e.g. an engine clause)."""
        return ""

    # -- a table as its source declares it ------------------------------------------
    def create_table(self, table: TableLike, if_not_exists: bool = True) -> list[str]:
        """``CREATE TABLE [IF NOT EXISTS]`` of a table as a model declares it, and its
        ``CREATE INDEX`` statements.

        Single-column UNIQUE constraints and foreign keys are written unnamed (the
        database names them), on their column where the dialect allows; named
        constraints, as a database reports them, are :meth:`create_table_from_schema`'s.
        """
        schema = self.table_schema(table)
        defs = self.declared_definitions(schema)
        exists = "IF NOT EXISTS " if if_not_exists else ""
        stmts = [f"CREATE TABLE {exists}{self.quote(schema.name)} ({', '.join(defs)}){self.table_options()}"]
        if not self.indexes_in_create_table:
            for index in schema.indexes:
                if not index.constraint and not index.implicit:
                    stmts.append(self.create_index(schema, index.columns, if_not_exists))
        return stmts

    def declared_definitions(self, table: TableSchema) -> list[str]:
        """What :meth:`create_table` writes inside the parentheses: the columns, then
        (where the dialect says so) the indexes and the foreign keys."""
        defs = [self._declared_column(table, c) for c in table.columns]
        for index in table.indexes:
            # a UNIQUE constraint over several columns (a many_to_many link table's pair)
            if index.unique and index.constraint and len(index.columns) > 1:
                defs.append(f"CONSTRAINT {self.quote(index.name)} UNIQUE ({self._columns(index.columns)})")
        if self.indexes_in_create_table:
            for index in table.indexes:
                if not index.constraint and not index.implicit:
                    defs.append(f"INDEX {self.quote(index.name)} ({self._columns(index.columns)})")
        if not self.inline_references:
            for fk in table.foreign_keys:
                defs.append(f"FOREIGN KEY ({self._columns(fk.columns)}) {self.references(fk)}")
        return defs

    def column_definition(self, column: ColumnSource | ColumnSchema, table: TableSchema | None = None) -> str:
        """One column's definition inside :meth:`create_table`."""
        owner, col = self._column_in_table(column, table)
        return self._declared_column(owner, col)

    def _declared_column(self, table: TableSchema, column: ColumnSchema) -> str:
        unique = any(
            ix.unique and ix.constraint and ix.columns == (column.name,) for ix in table.indexes
        )
        fk = table.foreign_key_of(column.name) if self.inline_references else None
        try:
            return self.schema_column_definition(
                column,
                inline_pk=len(table.primary_key) <= 1,
                fk=replace(fk, name=None) if fk is not None else None,
                unique=unique and not column.primary_key,
            )
        except QueryError as err:
            if table.declared_by is None:
                raise
            raise QueryError(f"{table.declared_by}.{column.name}: {err}") from None

    def create_index(self, table: TableLike, columns: Sequence[str], if_not_exists: bool = True) -> str:
        """``CREATE INDEX [IF NOT EXISTS]`` on the given columns of a table."""
        name = self.describe_table(table).name
        exists = "IF NOT EXISTS " if if_not_exists and self.index_if_not_exists else ""
        return (
            f"CREATE INDEX {exists}{self.quote(self.index_name(name, columns))} ON {self.quote(name)} "
            f"({self._columns(columns)})"
        )

    def referencing_foreign_keys(self, table: TableLike, cascade: bool) -> tuple[str, list[Any]] | None:
        """A query for ``drop_table``: the foreign keys of other tables that reference
        the table, one ``(table, constraint name)`` row each.

        None (the default) when the database itself refuses, or with ``CASCADE``
        removes, such keys when the table is dropped, so ``drop_table`` needs no list.
        """
        return None

    def drop_table(
        self,
        table: TableLike,
        *,
        if_exists: bool = True,
        cascade: bool = False,
        referenced_by: Sequence[tuple[str, str]] = (),
    ) -> list[str]:
        """``DROP TABLE [IF EXISTS] table [CASCADE]``.

        ``CASCADE`` also drops the foreign keys of other tables that reference this
        one (their rows stay); without it the database refuses while any exists.
        ``referenced_by`` is what :meth:`referencing_foreign_keys` found, for dialects
        that need it.
        """
        exists = "IF EXISTS " if if_exists else ""
        name = self.quote(self.describe_table(table).name)
        return [f"DROP TABLE {exists}{name}{' CASCADE' if cascade else ''}"]

    def truncate(self, table: TableLike, restart_identity: bool = True) -> list[str]:
        """Statements that delete every row of a table; ``restart_identity`` also
        restarts its generated keys (standard ``RESTART``/``CONTINUE IDENTITY``)."""
        identity = "RESTART IDENTITY" if restart_identity else "CONTINUE IDENTITY"
        return [f"TRUNCATE TABLE {self.quote(self.describe_table(table).name)} {identity}"]

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

    # -- a table as a database describes it -------------------------------------------
    def create_table_from_schema(
        self, table: TableSchema, name: str | None = None, *, with_indexes: bool = True
    ) -> list[str]:
        """``CREATE TABLE`` for a described table (named ``name`` if given), its
        constraints named as described, then its plain indexes unless ``with_indexes``
        is False."""
        table = self.table_schema(table)
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
