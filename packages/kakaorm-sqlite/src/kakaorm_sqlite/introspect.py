"""Reading a SQLite database's schema, and the lock migrations run under.

The schema comes from ``sqlite_master`` and the ``pragma_table_info``,
``pragma_index_list``, ``pragma_index_info`` and ``pragma_foreign_key_list`` table
functions (SQLite 3.16+).

A table KakaORM 0.4.x created is recognised by its ``CREATE TABLE`` text, which 0.4
always wrote with ``[bracketed]`` names (KakaORM writes ``"quoted"`` ones). 0.4
declared booleans ``INTEGER`` and dates and times ``TEXT``; SQLite stores those values
exactly as in ``BOOLEAN``, ``DATE`` and ``TIME`` columns, so in such a table those
columns also match the model's types (``ColumnSchema.also_matches``).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

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

__all__ = ["LOCK_TABLE", "migration_lock", "read_schema"]

#: a one-column table whose write lock serialises migrations across processes
LOCK_TABLE = "kakaorm_migration_lock"

_AUTOINCREMENT = re.compile(r"\bAUTOINCREMENT\b", re.IGNORECASE)

#: how KakaORM 0.4 began every CREATE TABLE (it quoted names with brackets)
_MADE_BY_04 = re.compile(r"\s*CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?\[", re.IGNORECASE)

#: the types 0.4 wrote in place of BOOLEAN, DATE and TIME, and what they also hold
_SPELLED_BY_04 = {
    "integer": (ColumnType("bool"),),
    "text": (ColumnType("date"), ColumnType("time")),
}


def _also_matches(type_sql: str, made_by_04: bool) -> tuple[ColumnType, ...]:
    """The model types a column declared ``type_sql`` holds besides its own: a UUIDColumn
    and a JSONColumn are stored as TEXT, and 0.4 spelled some types as others."""
    spelled = _SPELLED_BY_04.get(type_sql, ()) if made_by_04 else ()
    return (*spelled, *_IN_TEXT) if type_sql == "text" else spelled


#: a UUIDColumn and a JSONColumn are TEXT columns on SQLite
_IN_TEXT = (ColumnType("uuid"), ColumnType("json"))


async def read_schema(engine: SchemaExecutor, tables: Collection[str] | None = None) -> dict[str, TableSchema]:
    """The tables of the main database (without SQLite's own and the lock table)."""
    rows = await engine.fetch(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' "
        "AND substr(name, 1, 7) <> 'sqlite_' ORDER BY name"
    )
    wanted = None if tables is None else set(tables)
    out: dict[str, TableSchema] = {}
    for row in rows:
        name = str(row["name"])
        if name == LOCK_TABLE or (wanted is not None and name not in wanted):
            continue
        out[name] = await _read_table(engine, name, str(row["sql"] or ""))
    return out


async def _read_table(engine: SchemaExecutor, name: str, create_sql: str) -> TableSchema:
    info = await engine.fetch("SELECT * FROM pragma_table_info(%s) ORDER BY cid", [name])
    pk_rows = sorted((r for r in info if r["pk"]), key=lambda r: int(r["pk"]))
    primary_key = tuple(str(r["name"]) for r in pk_rows)
    autoincrement = bool(_AUTOINCREMENT.search(create_sql))
    made_by_04 = bool(_MADE_BY_04.match(create_sql))
    columns = []
    for r in info:
        type_sql = str(r["type"] or "")
        col_type = portable_type(type_sql)
        is_pk = bool(r["pk"])
        columns.append(
            ColumnSchema(
                name=str(r["name"]),
                type=col_type,
                nullable=not (r["notnull"] or is_pk),
                default=parse_default(r["dflt_value"], col_type.kind),
                primary_key=is_pk,
                auto_increment=is_pk and len(primary_key) == 1 and autoincrement,
                type_sql=type_sql,
                also_matches=_also_matches(type_sql.lower(), made_by_04 and not is_pk),
            )
        )
    indexes = []
    for ix in await engine.fetch("SELECT * FROM pragma_index_list(%s) ORDER BY seq", [name]):
        if ix["origin"] == "pk" or ix["partial"]:
            continue
        cols = await engine.fetch("SELECT * FROM pragma_index_info(%s) ORDER BY seqno", [ix["name"]])
        if any(c["name"] is None for c in cols):
            continue  # an index on an expression: not something a model declares
        indexes.append(
            IndexSchema(
                name=str(ix["name"]),
                columns=tuple(str(c["name"]) for c in cols),
                unique=bool(ix["unique"]),
                constraint=ix["origin"] == "u",
            )
        )
    fks: dict[int, list[dict[str, object]]] = {}
    for fk in await engine.fetch("SELECT * FROM pragma_foreign_key_list(%s) ORDER BY id, seq", [name]):
        fks.setdefault(int(fk["id"]), []).append(fk)
    foreign_keys = []
    for parts in fks.values():
        ref_table = str(parts[0]["table"])
        ref_columns = tuple(str(p["to"]) for p in parts if p["to"] is not None)
        if not ref_columns:
            ref_columns = await _primary_key(engine, ref_table)
        foreign_keys.append(
            ForeignKeySchema(
                name=None,
                columns=tuple(str(p["from"]) for p in parts),
                ref_table=ref_table,
                ref_columns=ref_columns,
                on_delete=str(parts[0]["on_delete"]).upper(),
            )
        )
    # ``foreign_keys`` keeps SQLite's order, which is the reverse of declaration
    return TableSchema(
        name,
        tuple(columns),
        primary_key,
        tuple(indexes),
        tuple(reversed(foreign_keys)),
        origin=ORIGIN_KAKAORM_04 if made_by_04 else None,
    )


async def _primary_key(engine: SchemaExecutor, table: str) -> tuple[str, ...]:
    info = await engine.fetch("SELECT name, pk FROM pragma_table_info(%s) WHERE pk > 0 ORDER BY pk", [table])
    return tuple(str(r["name"]) for r in info)


@asynccontextmanager
async def migration_lock(engine: SchemaExecutor) -> AsyncIterator[None]:
    """One migration step: foreign keys off (as SQLite's table-rebuild procedure
    requires), a transaction whose first statement takes the database's write lock
    (other processes wait up to ``busy_timeout``), a foreign-key check before commit,
    and foreign keys restored afterwards."""
    compiler = engine.dialect.compiler
    quoted = compiler.quote(LOCK_TABLE)
    await engine.execute(f"CREATE TABLE IF NOT EXISTS {quoted} ({compiler.quote('id')} INTEGER PRIMARY KEY)")
    enforced = bool(await engine.fetchval("PRAGMA foreign_keys"))
    if enforced:
        await engine.execute("PRAGMA foreign_keys = OFF")
    try:
        async with engine.transaction():
            # a write as the first statement: the transaction holds the write lock from
            # here on, so a second migrator waits instead of failing halfway through
            await engine.execute(f"DELETE FROM {quoted} WHERE 1 = 0")
            yield
            if enforced:
                broken = await engine.fetch("PRAGMA foreign_key_check")
                if broken:
                    sample = ", ".join(f"{r['table']} row {r['rowid']} -> {r['parent']}" for r in broken[:5])
                    raise MigrationError(
                        f"the migration leaves {len(broken)} row(s) whose foreign key points "
                        f"to no row ({sample}); it was rolled back. Fix those rows or the "
                        "migration, then run it again. On SQLite a migration step runs with "
                        "foreign keys off (table rebuilds need that), so ON DELETE actions such "
                        "as CASCADE do not run in it: delete or re-point the referencing rows "
                        "in the migration itself"
                    )
    finally:
        if enforced:
            await engine.execute("PRAGMA foreign_keys = ON")
