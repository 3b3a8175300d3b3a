"""The compiler: statement tree in, ``(sql, params)`` out. Pure, synchronous.

A dialect subclasses :class:`SQLCompiler` and overrides what its database spells
differently (placeholders, identifier quoting, column types, LIMIT, ILIKE, ...).
Every value becomes a bind parameter; every identifier goes through :meth:`quote`.

:class:`SQLCompiler` joins the DML compiler (:mod:`kakaorm.compiler.dml`: SELECT,
INSERT, UPDATE, DELETE and expressions) with the DDL (CREATE/DROP here, migration
DDL in :mod:`kakaorm.compiler.ddl`).
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import hashlib
from typing import TYPE_CHECKING, Any, ClassVar, Sequence

from kakaorm.compiler.ddl import SchemaDDL
from kakaorm.compiler.dml import Compiled, DMLCompiler
from kakaorm.exc import QueryError
from kakaorm.types import SQLType, utc_datetime

if TYPE_CHECKING:
    from kakaorm.orm.columns import Column
    from kakaorm.orm.model import Model

__all__ = ["Compiled", "SQLCompiler"]


class SQLCompiler(DMLCompiler, SchemaDDL):
    """Base compiler producing portable SQL; dialects subclass it.

    Class attributes a dialect sets, besides :class:`~kakaorm.compiler.dml.DMLCompiler`'s
    ``paramstyle`` and ``quote_char``: the DDL ones below.
    """

    #: longest identifier the database accepts (index names are shortened to fit)
    max_identifier_length: ClassVar[int] = 63
    #: whether a foreign key is written on its column (``REFERENCES``) rather than as a
    #: table constraint by the dialect's create_table
    inline_references: ClassVar[bool] = True
    #: SQL type names by value kind (text and decimals are spelled by column_type)
    type_names: ClassVar[dict[str, str]] = {
        "int": "INTEGER",
        "float": "DOUBLE PRECISION",
        "bool": "BOOLEAN",
        "datetime": "TIMESTAMP WITH TIME ZONE",
        "date": "DATE",
        "time": "TIME",
    }

    # -- DDL ------------------------------------------------------------------------------
    def column_type(self, column: Column[Any]) -> str:
        """The SQL type of a column in CREATE TABLE."""
        t = column.type
        kind = t.kind
        if kind == "str":
            return f"VARCHAR({t.length})" if t.length else "TEXT"
        if kind == "decimal":
            return f"NUMERIC({t.precision}, {t.scale})"
        return self.type_names[kind]

    def primary_key_definition(self, column: Column[Any]) -> str:
        """Type and key clause of the primary-key column."""
        return f"{self.column_type(column)} PRIMARY KEY"

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
        raise QueryError(f"cannot use {value!r} as a column default in DDL")

    def string_literal(self, text: str) -> str:
        """A quoted SQL string constant."""
        literal = "'" + text.replace("'", "''") + "'"
        if self.paramstyle == "format":
            literal = literal.replace("%", "%%")
        return literal

    def column_definition(self, column: Column[Any]) -> str:
        """One column's definition inside CREATE TABLE."""
        from kakaorm.orm.columns import ForeignKey

        name = self.quote(column.name)
        if column.primary_key:
            parts = [name, self.primary_key_definition(column)]
        else:
            parts = [name, self.column_type(column)]
            if not column.nullable:
                parts.append("NOT NULL")
            if column.unique:
                parts.append("UNIQUE")
        if column.has_default and not callable(column.default):
            parts.append(self.default_clause(column, parts[1]))
        if column.check:
            check = column.check
            if self.paramstyle == "format":
                # the driver reads % as a placeholder marker; the author meant a percent
                check = check.replace("%", "%%")
            parts.append(f"CHECK ({check})")
        if isinstance(column, ForeignKey) and self.inline_references:
            target = column.target_column
            parts.append(
                f"REFERENCES {self.table(target.model)} ({self.quote(target.name)}) "
                f"ON DELETE {column.on_delete}"
            )
        return " ".join(parts)

    def default_clause(self, column: Column[Any], sql_type: str) -> str:
        """``DEFAULT value`` for a column whose SQL type is ``sql_type``."""
        return "DEFAULT " + self.literal(column.default, column.type)

    def create_table(self, model: type[Model], if_not_exists: bool = True) -> list[str]:
        """``CREATE TABLE [IF NOT EXISTS]`` and its ``CREATE INDEX`` statements."""
        meta = model._meta
        defs = [self.column_definition(c) for c in meta.columns.values()]
        exists = "IF NOT EXISTS " if if_not_exists else ""
        stmts = [f"CREATE TABLE {exists}{self.table(model)} ({', '.join(defs)}){self.table_options()}"]
        for columns in meta.all_indexes():
            stmts.append(self.create_index(model, columns, if_not_exists))
        return stmts

    def table_options(self) -> str:
        """Text after the closing parenthesis of CREATE TABLE (e.g. an engine clause)."""
        return ""

    def index_name(self, model: type[Model], columns: Sequence[str]) -> str:
        """A deterministic index name that fits the identifier limit."""
        name = f"ix_{model._meta.table_name}_{'_'.join(columns)}"
        if len(name) > self.max_identifier_length:
            digest = hashlib.sha1(name.encode()).hexdigest()[:8]
            name = name[: self.max_identifier_length - 9] + "_" + digest
        return name

    def create_index(self, model: type[Model], columns: Sequence[str], if_not_exists: bool = True) -> str:
        """``CREATE INDEX [IF NOT EXISTS]`` on the given columns."""
        cols = ", ".join(self.quote(c) for c in columns)
        exists = "IF NOT EXISTS " if if_not_exists else ""
        return f"CREATE INDEX {exists}{self.quote(self.index_name(model, columns))} ON {self.table(model)} ({cols})"

    def referencing_foreign_keys(self, model: type[Model], cascade: bool) -> tuple[str, list[Any]] | None:
        """A query for ``drop_table``: the foreign keys of other tables that reference
        the model's table, one ``(table, constraint name)`` row each.

        None (the default) when the database itself refuses, or with ``CASCADE``
        removes, such keys when the table is dropped, so ``drop_table`` needs no list.
        """
        return None

    def drop_table(
        self,
        model: type[Model],
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
        return [f"DROP TABLE {exists}{self.table(model)}{' CASCADE' if cascade else ''}"]

    def truncate(self, model: type[Model], restart_identity: bool = True) -> list[str]:
        """Statements that delete every row of a table; ``restart_identity`` also
        restarts its generated keys (standard ``RESTART``/``CONTINUE IDENTITY``)."""
        identity = "RESTART IDENTITY" if restart_identity else "CONTINUE IDENTITY"
        return [f"TRUNCATE TABLE {self.table(model)} {identity}"]
