"""SQL generation for SQLite."""

from __future__ import annotations

import datetime as _dt
import sqlite3
from typing import TYPE_CHECKING, Any, ClassVar

from kakaorm.compiler import SQLCompiler
from kakaorm.exc import QueryError
from kakaorm.expr import Param
from kakaorm.statements import Join
from kakaorm.types import SQLType

if TYPE_CHECKING:
    from kakaorm import Column, Model

#: SQLite's version (the library the sqlite3 module links, which aiosqlite uses)
SQLITE_VERSION: tuple[int, ...] = sqlite3.sqlite_version_info

_TYPES = {
    "int": "INTEGER",
    "float": "REAL",
    "bool": "BOOLEAN",
    "datetime": "DATETIME",
    "date": "DATE",
    "time": "TIME",
}


def format_datetime(value: _dt.datetime) -> str:
    """The stored form of a datetime: UTC, fixed width, so text order is time order."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    else:
        value = value.astimezone(_dt.timezone.utc)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


class SQLiteCompiler(SQLCompiler):
    """SQLite spelling: ``?`` placeholders, AUTOINCREMENT keys, ``LIMIT -1 OFFSET``."""

    paramstyle: ClassVar[str] = "qmark"
    quote_char: ClassVar[str] = '"'
    max_identifier_length: ClassVar[int] = 128
    right_join: ClassVar[bool] = SQLITE_VERSION >= (3, 39, 0)

    def column_type(self, column: Column[Any]) -> str:
        t = column.type
        if t.kind == "str":
            return f"VARCHAR({t.length})" if t.length else "TEXT"
        if t.kind == "decimal":
            return f"NUMERIC({t.precision}, {t.scale})"
        return _TYPES[t.kind]

    def primary_key_definition(self, column: Column[Any]) -> str:
        if column.auto_increment:
            return "INTEGER PRIMARY KEY AUTOINCREMENT"
        # SQLite lets non-integer primary keys be NULL unless told otherwise
        return f"{self.column_type(column)} NOT NULL PRIMARY KEY"

    def literal(self, value: Any, sql_type: SQLType) -> str:
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, _dt.datetime):
            return self.string_literal(format_datetime(value))
        if isinstance(value, _dt.time):
            return self.string_literal(value.isoformat(timespec="microseconds"))
        return super().literal(value, sql_type)

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

    def truncate(self, model: type[Model]) -> list[str]:
        table = self.table(model)
        stmts = [f"DELETE FROM {table}"]
        if model._meta.pk.auto_increment:
            stmts.append(
                "DELETE FROM sqlite_sequence WHERE name = "
                + self.string_literal(model._meta.table_name)
            )
        return stmts
