"""Reading a MySQL/MariaDB schema from ``information_schema``, and the migration lock.

Only the connection's database (``DATABASE()``) is read. MariaDB reports column
defaults as SQL literals (``'abc'``, ``NULL``); MySQL 8 reports plain values and marks
expression defaults with ``DEFAULT_GENERATED``: both are read into Python values.

A table KakaORM 0.4.x created is recognised by its 32-bit ``int`` primary key (0.4
wrote ``INT AUTO_INCREMENT`` or ``INTEGER`` keys; KakaORM writes ``bigint`` ones).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from kakaorm.exc import MigrationError
from kakaorm.schema import (
    ORIGIN_KAKAORM_04,
    ColumnSchema,
    ColumnType,
    ForeignKeySchema,
    IndexSchema,
    TableSchema,
    parse_default,
    portable_type,
)

if TYPE_CHECKING:
    from kakaorm.dialect import SchemaExecutor

__all__ = ["LOCK_TIMEOUT", "migration_lock", "read_schema", "schema_type"]

#: seconds a migrator waits for another one to finish before giving up
LOCK_TIMEOUT = 300

_LOCK_NAME = "LEFT(CONCAT('kakaorm.migrate.', DATABASE()), 64)"

_TABLES = (
    "SELECT table_name AS t FROM information_schema.tables "
    "WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name"
)
_COLUMNS = (
    "SELECT table_name AS t, column_name AS name, column_type AS type_sql, is_nullable AS nullable, "
    "column_default AS default_sql, extra AS extra, column_key AS column_key "
    "FROM information_schema.columns WHERE table_schema = DATABASE() "
    "ORDER BY table_name, ordinal_position"
)
_INDEXES = (
    "SELECT table_name AS t, index_name AS name, non_unique AS non_unique, column_name AS col "
    "FROM information_schema.statistics WHERE table_schema = DATABASE() "
    "ORDER BY table_name, index_name, seq_in_index"
)
_FOREIGN_KEYS = (
    "SELECT k.table_name AS t, k.constraint_name AS name, k.column_name AS col, "
    "k.referenced_table_name AS ref_table, k.referenced_column_name AS ref_col, r.delete_rule AS on_delete "
    "FROM information_schema.key_column_usage k "
    "JOIN information_schema.referential_constraints r ON r.constraint_schema = k.constraint_schema "
    "AND r.constraint_name = k.constraint_name AND r.table_name = k.table_name "
    "WHERE k.table_schema = DATABASE() AND k.referenced_table_name IS NOT NULL "
    "ORDER BY k.table_name, k.constraint_name, k.ordinal_position"
)

#: MariaDB's CHECK constraints: its JSON type is LONGTEXT checked by json_valid()
_CHECKS = (
    "SELECT table_name AS t, check_clause AS c FROM information_schema.check_constraints "
    "WHERE constraint_schema = DATABASE()"
)

_INTRODUCER = re.compile(r"_[a-z0-9]+(?=')", re.IGNORECASE)

#: a 32-bit integer type as MariaDB and MySQL report it (``int(11)``, ``int``)
_INT32 = re.compile(r"int(\(\d+\))?", re.IGNORECASE)


def schema_type(type_sql: str) -> ColumnType:
    """Portable type of a MySQL type: ``tinyint(1)`` is how BOOLEAN is stored and
    ``char(36)`` how a UUIDColumn is."""
    spelled = " ".join(type_sql.lower().split())
    if spelled in ("tinyint(1)", "tinyint(1) unsigned"):
        return ColumnType("bool")
    if spelled == "char(36)":
        return ColumnType("uuid")
    return portable_type(type_sql)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, (bytes, bytearray)) else str(value)


def _default(raw: str | None, kind: str, extra: str, mariadb: bool) -> Any:
    if raw is None:
        return None
    if mariadb:
        return parse_default(raw, kind, backslash_escapes=True)
    if "DEFAULT_GENERATED" in extra.upper():
        # MySQL 8 writes expression defaults with charset introducers and escaped quotes
        text = _INTRODUCER.sub("", raw.replace("\\'", "'"))
        return parse_default(text, kind, backslash_escapes=True)
    if kind in ("str", "datetime", "date", "time", "other"):
        return parse_default("'" + raw.replace("'", "''") + "'", kind)
    return parse_default(raw, kind)


async def read_schema(engine: SchemaExecutor, tables: Collection[str] | None = None) -> dict[str, TableSchema]:
    """The tables of the connection's database, in portable terms."""
    wanted = None if tables is None else set(tables)
    names = [n for n in (_text(r["t"]) for r in await engine.fetch(_TABLES)) if n and (wanted is None or n in wanted)]
    if not names:
        return {}
    server = getattr(engine.dialect, "server", None)
    mariadb = bool(getattr(server, "mariadb", True))
    json_checked = await _json_checked(engine) if mariadb else set()
    columns: dict[str, list[ColumnSchema]] = {n: [] for n in names}
    primary: dict[str, list[str]] = {n: [] for n in names}
    for r in await engine.fetch(_COLUMNS):
        table = _text(r["t"]) or ""
        if table not in columns:
            continue
        type_sql = _text(r["type_sql"]) or ""
        col_type = schema_type(type_sql)
        if type_sql.lower() == "longtext" and (table, _text(r["name"]) or "") in json_checked:
            col_type = ColumnType("json")
        extra = _text(r["extra"]) or ""
        is_pk = _text(r["column_key"]) == "PRI"
        auto = "auto_increment" in extra.lower()
        columns[table].append(
            ColumnSchema(
                name=_text(r["name"]) or "",
                type=col_type,
                nullable=_text(r["nullable"]) == "YES",
                default=None if auto else _default(_text(r["default_sql"]), col_type.kind, extra, mariadb),
                primary_key=is_pk,
                auto_increment=auto,
                type_sql=type_sql,
            )
        )
    fk_parts: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in await engine.fetch(_FOREIGN_KEYS):
        table = _text(r["t"]) or ""
        if table in columns:
            fk_parts.setdefault((table, _text(r["name"]) or ""), []).append(r)
    foreign_keys: dict[str, list[ForeignKeySchema]] = {n: [] for n in names}
    for (table, name), parts in fk_parts.items():
        foreign_keys[table].append(
            ForeignKeySchema(
                name=name,
                columns=tuple(_text(p["col"]) or "" for p in parts),
                ref_table=_text(parts[0]["ref_table"]) or "",
                ref_columns=tuple(_text(p["ref_col"]) or "" for p in parts),
                on_delete=(_text(parts[0]["on_delete"]) or "NO ACTION").upper(),
            )
        )
    index_parts: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in await engine.fetch(_INDEXES):
        table = _text(r["t"]) or ""
        if table in columns:
            index_parts.setdefault((table, _text(r["name"]) or ""), []).append(r)
    indexes: dict[str, list[IndexSchema]] = {n: [] for n in names}
    for (table, name), parts in index_parts.items():
        cols = tuple(_text(p["col"]) for p in parts)
        if name == "PRIMARY":
            primary[table] = [c or "" for c in cols]
            continue
        if any(c is None for c in cols):
            continue  # a functional index: not something a model declares
        col_names = tuple(c or "" for c in cols)
        unique = not int(parts[0]["non_unique"])
        # InnoDB adds an index for a foreign key that has none, named after the
        # constraint or the column; it is the database's, not the model's
        implicit = not unique and any(
            fk.columns == col_names and name in (fk.name, fk.columns[0]) for fk in foreign_keys[table]
        )
        indexes[table].append(IndexSchema(name, col_names, unique=unique, constraint=unique, implicit=implicit))
    return {
        n: TableSchema(
            n, tuple(columns[n]), tuple(primary[n]), tuple(indexes[n]), tuple(foreign_keys[n]), _origin(columns[n])
        )
        for n in names
    }


async def _json_checked(engine: SchemaExecutor) -> set[tuple[str, str]]:
    """(table, column) of every column MariaDB checks with ``json_valid(column)``: the
    columns declared JSON, which MariaDB reports as ``longtext``."""
    found: set[tuple[str, str]] = set()
    for r in await engine.fetch(_CHECKS):
        clause = " ".join((_text(r["c"]) or "").split())
        match = _JSON_VALID.fullmatch(clause)
        if match:
            found.add((_text(r["t"]) or "", match.group(1).replace("``", "`")))
    return found


#: the CHECK clause MariaDB gives a JSON column
_JSON_VALID = re.compile(r"json_valid\(`((?:[^`]|``)*)`\)", re.IGNORECASE)


def _origin(columns: list[ColumnSchema]) -> str | None:
    """:data:`~kakaorm.schema.ORIGIN_KAKAORM_04` for a table with a 32-bit integer key."""
    key_types = [c.type_sql for c in columns if c.primary_key]
    if len(key_types) == 1 and _INT32.fullmatch(key_types[0].strip()):
        return ORIGIN_KAKAORM_04
    return None


#: (engine, task) pairs holding the migration lock, so that a step nested in another
#: one (upgrading the history table inside ``run_files``) does not wait for itself
_HOLDERS: ContextVar[frozenset[tuple[int, int]]] = ContextVar("kakaorm_mysql_lock_holders", default=frozenset())


@asynccontextmanager
async def migration_lock(engine: SchemaExecutor) -> AsyncIterator[None]:
    """A transaction on ``engine`` while a separate session holds ``GET_LOCK`` for this
    database; the lock is released only after the transaction has ended, so a waiting
    migrator sees everything this one recorded. Re-entered by the task holding it, it
    runs the inner step in the outer step's transaction (a savepoint would not survive
    the implicit commit of MySQL's DDL)."""
    from .driver import open_connection

    holder_key = (id(engine), id(asyncio.current_task()))
    held = _HOLDERS.get()
    if holder_key in held:
        yield
        return
    dialect: Any = engine.dialect
    holder = await open_connection(dialect.connect_settings())
    token = _HOLDERS.set(held | {holder_key})
    try:
        rows = await holder.fetch(f"SELECT GET_LOCK({_LOCK_NAME}, {LOCK_TIMEOUT})", ())
        if not rows or rows[0][0] != 1:
            raise MigrationError(
                f"another process has held the migration lock of this database for {LOCK_TIMEOUT} s; "
                "wait for its migrations to finish (or end that session), then try again"
            )
        try:
            async with engine.transaction():
                yield
        finally:
            await holder.fetch(f"SELECT RELEASE_LOCK({_LOCK_NAME})", ())
    finally:
        _HOLDERS.reset(token)
        holder.raw.close()
