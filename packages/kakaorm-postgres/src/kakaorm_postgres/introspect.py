"""Reading a PostgreSQL schema from ``pg_catalog``, and the lock migrations run under.

Only the session's current schema (``current_schema()``, normally ``public``) is read.
The queries return names as text and column lists as ``text[]``, which asyncpg and
psycopg both hand back as lists of str.

A table KakaORM 0.4.x created is recognised by its 32-bit ``integer`` primary key
(0.4 wrote ``SERIAL`` or ``INTEGER`` keys; KakaORM writes ``bigint`` ones).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from kakaorm.schema import (
    ORIGIN_KAKAORM_04,
    ColumnSchema,
    ForeignKeySchema,
    IndexSchema,
    TableSchema,
    parse_default,
    portable_type,
)

if TYPE_CHECKING:
    from kakaorm.dialect import SchemaExecutor

__all__ = ["MIGRATION_LOCK_KEY", "migration_lock", "read_schema"]

#: the advisory-lock key migrations take (advisory locks are per database)
MIGRATION_LOCK_KEY = 7_364_283_519_650_011

_TABLES = """
SELECT c.oid::bigint AS oid, c.relname::text AS name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
ORDER BY c.relname
"""

_COLUMNS = """
SELECT a.attrelid::bigint AS table_oid, a.attname::text AS name,
       format_type(a.atttypid, a.atttypmod) AS type_sql, a.attnotnull AS notnull,
       pg_get_expr(d.adbin, d.adrelid) AS default_sql, a.attidentity::text AS identity
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
"""

_CONSTRAINTS = """
SELECT con.conrelid::bigint AS table_oid, con.conname::text AS name, con.contype::text AS kind,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(num, pos)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
             ORDER BY k.pos) AS columns,
       ref.relname::text AS ref_table,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(num, pos)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
             ORDER BY k.pos) AS ref_columns,
       con.confdeltype::text AS on_delete
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class ref ON ref.oid = con.confrelid
WHERE n.nspname = current_schema() AND con.contype IN ('p', 'u', 'f')
ORDER BY con.conrelid, con.conname
"""

_INDEXES = """
SELECT ix.indrelid::bigint AS table_oid, i.relname::text AS name, ix.indisunique AS is_unique,
       ix.indisprimary AS is_primary, ix.indpred IS NOT NULL AS partial,
       0 = ANY(ix.indkey::int2[]) AS on_expression,
       EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid
               AND con.conrelid = ix.indrelid) AS from_constraint,
       ARRAY(SELECT a.attname::text FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(num, pos)
             JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.num
             ORDER BY k.pos) AS columns
FROM pg_index ix
JOIN pg_class i ON i.oid = ix.indexrelid
JOIN pg_class c ON c.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema()
ORDER BY ix.indrelid, i.relname
"""

_ON_DELETE = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


async def read_schema(engine: SchemaExecutor, tables: Collection[str] | None = None) -> dict[str, TableSchema]:
    """The tables of the current schema, in portable terms."""
    wanted = None if tables is None else set(tables)
    names = {
        int(r["oid"]): str(r["name"])
        for r in await engine.fetch(_TABLES)
        if wanted is None or r["name"] in wanted
    }
    if not names:
        return {}
    columns: dict[int, list[dict[str, Any]]] = {oid: [] for oid in names}
    for r in await engine.fetch(_COLUMNS):
        if int(r["table_oid"]) in columns:
            columns[int(r["table_oid"])].append(r)
    constraints: dict[int, list[dict[str, Any]]] = {oid: [] for oid in names}
    for r in await engine.fetch(_CONSTRAINTS):
        if int(r["table_oid"]) in constraints:
            constraints[int(r["table_oid"])].append(r)
    indexes: dict[int, list[dict[str, Any]]] = {oid: [] for oid in names}
    for r in await engine.fetch(_INDEXES):
        if int(r["table_oid"]) in indexes:
            indexes[int(r["table_oid"])].append(r)
    return {
        name: _table(name, columns[oid], constraints[oid], indexes[oid]) for oid, name in names.items()
    }


def _table(
    name: str, cols: list[dict[str, Any]], cons: list[dict[str, Any]], ixs: list[dict[str, Any]]
) -> TableSchema:
    primary_key: tuple[str, ...] = ()
    unique_constraints: set[str] = set()
    foreign_keys: list[ForeignKeySchema] = []
    for c in cons:
        if c["kind"] == "p":
            primary_key = tuple(c["columns"])
        elif c["kind"] == "u":
            unique_constraints.add(str(c["name"]))
        else:
            foreign_keys.append(
                ForeignKeySchema(
                    name=str(c["name"]),
                    columns=tuple(c["columns"]),
                    ref_table=str(c["ref_table"]),
                    ref_columns=tuple(c["ref_columns"]),
                    on_delete=_ON_DELETE.get(str(c["on_delete"]), "NO ACTION"),
                )
            )
    columns = []
    for c in cols:
        type_sql = str(c["type_sql"])
        col_type = portable_type(type_sql)
        default_sql = c["default_sql"]
        is_pk = c["name"] in primary_key
        generated = bool(c["identity"]) or (
            isinstance(default_sql, str) and default_sql.startswith("nextval(")
        )
        columns.append(
            ColumnSchema(
                name=str(c["name"]),
                type=col_type,
                nullable=not c["notnull"],
                default=None if generated else parse_default(default_sql, col_type.kind),
                primary_key=is_pk,
                auto_increment=generated,
                type_sql=type_sql,
            )
        )
    indexes = []
    for ix in ixs:
        if ix["is_primary"] or ix["partial"] or ix["on_expression"]:
            continue
        is_constraint = str(ix["name"]) in unique_constraints
        if ix["from_constraint"] and not is_constraint:
            continue  # e.g. an exclusion constraint's index
        indexes.append(
            IndexSchema(
                name=str(ix["name"]),
                columns=tuple(ix["columns"]),
                unique=bool(ix["is_unique"]),
                constraint=is_constraint,
            )
        )
    key_types = [c.type_sql for c in columns if c.primary_key]
    origin = ORIGIN_KAKAORM_04 if key_types == ["integer"] else None
    return TableSchema(name, tuple(columns), primary_key, tuple(indexes), tuple(foreign_keys), origin)


@asynccontextmanager
async def migration_lock(engine: SchemaExecutor) -> AsyncIterator[None]:
    """A transaction holding the migration advisory lock; PostgreSQL releases the lock
    when the transaction ends, so a waiting migrator sees everything this one did."""
    try:
        async with engine.transaction():
            await engine.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
            yield
    finally:
        forget = getattr(engine.dialect, "forget_statements", None)
        if forget is not None:
            await forget()
