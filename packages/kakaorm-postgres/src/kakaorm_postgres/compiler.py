"""SQL generation for PostgreSQL: one driver-free base, one subclass per placeholder style."""

from __future__ import annotations

from typing import Any, ClassVar

from kakaorm.compiler import SQLCompiler
from kakaorm.compiler.ddl import TableLike
from kakaorm.expr import Expression, InList, JSONPath, Lag, Lead, Param, ParamList, WindowFunction
from kakaorm.expr.columns import ColumnElement
from kakaorm.schema import ColumnSchema
from kakaorm.statements import Insert
from kakaorm.types import ArrayType, SQLType

__all__ = ["AsyncpgCompiler", "PostgresCompiler", "PsycopgCompiler"]

#: IntColumn is 64-bit, as on the other backends (SQLite's INTEGER, MySQL's BIGINT)
_TYPES = {
    "int": "BIGINT",
    "float": "DOUBLE PRECISION",
    "bool": "BOOLEAN",
    "datetime": "TIMESTAMP WITH TIME ZONE",
    "date": "DATE",
    "time": "TIME",
    "bytes": "BYTEA",
    "uuid": "UUID",
    "json": "JSONB",
}

#: jsonb_typeof() of each typed JSON reading, and the cast that reads it
_JSON_READINGS = {"str": ("string", "text"), "number": ("number", "numeric"), "bool": ("boolean", "boolean")}

#: CTE name of the rows an INSERT with explicit generated keys wrote
_INSERTED = "_kakaorm_inserted"


#: value types an IN list of a column is sent as one array for (keys, mostly)
_ARRAY_IN_KINDS = frozenset({"int", "str", "uuid"})


class PostgresCompiler(SQLCompiler):
    """PostgreSQL spelling shared by both drivers: IDENTITY keys, native ILIKE,
    ``TRUNCATE ... RESTART IDENTITY CASCADE``."""

    quote_char: ClassVar[str] = '"'
    max_identifier_length: ClassVar[int] = 63
    type_names: ClassVar[dict[str, str]] = _TYPES

    def visit_InList(self, node: InList, params: list[Param]) -> str:
        """``column = ANY($1)`` (``<> ALL`` for NOT IN) for a column's list of plain
        int, str or uuid values: one parameter whatever the list's length, so every
        length is one statement to the server and to the drivers' statement caches,
        and the driver encodes one array instead of a parameter per value.

        Same result as IN: the values are never NULL (in_() refuses None), and the
        array is not cast, so the server types it from the column as it types each
        value of an IN list: a char(n) or citext column compares as itself, strings
        given for a uuid column are read as uuids, and psycopg sends an int beyond
        bigint in a numeric array (matching nothing, as in IN) instead of failing."""
        sql_type = node.values_type
        if (
            len(node.items) < 2
            or sql_type is None
            or sql_type.kind not in _ARRAY_IN_KINDS
            or sql_type.converts
            or not isinstance(node.expr, ColumnElement)
        ):
            return super().visit_InList(node, params)
        values = ParamList(node.items, ArrayType("array", item=sql_type))  # type: ignore[arg-type]
        op = "<> ALL" if node.negate else "= ANY"
        return f"{self.visit(node.expr, params)} {op}({self.visit(values, params)})"

    def like_escape(self, escape: Expression[Any] | None, params: list[Param]) -> str:
        """``ESCAPE ''`` for a pattern without an escape character: PostgreSQL's
        default one is the backslash, which would otherwise not stand for itself as
        it does on SQLite (only % and _ are wildcards)."""
        if escape is None:
            return " ESCAPE ''"
        return super().like_escape(escape, params)

    def ilike(self, left: str, right: str) -> str:
        """PostgreSQL's own case-insensitive LIKE."""
        return f"{left} ILIKE {right}"

    # -- JSON paths ---------------------------------------------------------------------
    def _json_at(self, path: JSONPath, params: list[Param]) -> str:
        """``column -> key -> index``: each step a bind parameter cast to ``text`` (an
        object key) or ``integer`` (an array index), so the operator is never ambiguous."""
        sql = self.visit(path.column, params)
        for segment, param in zip(path.segments, path.segment_params):
            sql = f"{sql} -> {self.bind(param, params)}::{'text' if type(segment) is str else 'integer'}"
        return sql

    def json_document(self, path: JSONPath, params: list[Param]) -> str:
        """The jsonb value at the path (NULL when missing)."""
        return f"({self._json_at(path, params)})"

    def json_value(self, path: JSONPath, kind: str, params: list[Param]) -> str:
        """The value at the path as ``text`` (compared in code point order, as on the
        other backends), ``numeric`` or ``boolean`` when ``jsonb_typeof`` says it has
        that type; ``#>> '{}'`` is NULL for a missing path and for JSON null."""
        if kind == "present":
            return f"({self._json_at(path, params)} #>> '{{}}')"
        typeof, cast = _JSON_READINGS[kind]
        test = f"jsonb_typeof({self._json_at(path, params)}) = '{typeof}'"
        value = self._json_at(path, params)
        if kind == "str":
            return f"(CASE WHEN {test} THEN {value} #>> '{{}}' END) COLLATE \"C\""
        return f"CASE WHEN {test} THEN ({value})::{cast} END"

    def begin_isolated(self, isolation: str) -> tuple[str, ...]:
        """``BEGIN ISOLATION LEVEL ...``: one statement, as PgBouncer's transaction
        mode wants."""
        return (f"BEGIN ISOLATION LEVEL {isolation.upper()}",)

    def truncate(self, table: TableLike, restart_identity: bool = True) -> list[str]:
        """Empty the table (and the tables referencing it); restart its identity, or
        with ``restart_identity=False`` let it continue."""
        identity = "RESTART IDENTITY" if restart_identity else "CONTINUE IDENTITY"
        return [f"TRUNCATE TABLE {self.quote(self.describe_table(table).name)} {identity} CASCADE"]

    def finish_insert(self, stmt: Insert, sql: str, params: list[Param]) -> str:
        """An INSERT; one that writes explicit values into an identity key also moves
        the key's sequence past them, so later generated keys do not collide (as
        AUTOINCREMENT does on the other backends)."""
        pk = stmt.table.pk
        if pk is None or not pk.auto_increment or not any(c is pk for c in stmt.columns):
            return super().finish_insert(stmt, sql, params)
        key = self.quote(pk.name)
        returned = [self.quote(c.name) for c in stmt.returning]
        inserted = self.quote(_INSERTED)
        # the table argument is parsed as a (quoted) name
        table_name = stmt.table.table_name
        sequence = (
            f"pg_get_serial_sequence({self.identifier_literal(table_name)}, "
            f"{self.string_literal(pk.name)})"
        )
        # The scalar subquery runs once, after the INSERT (a data-modifying CTE always
        # runs to completion); it only ever moves the sequence forward.
        bump = (
            f"(SELECT COUNT(setval({sequence}, {self.quote('m')})) FROM "
            f"(SELECT MAX({key}) AS {self.quote('m')} FROM {inserted}) AS {self.quote('top')} "
            f"WHERE {self.quote('m')} > COALESCE(pg_sequence_last_value({sequence}::regclass), 0))"
        )
        columns = ", ".join(returned) if returned else key
        return (
            f"WITH {inserted} AS ({sql} RETURNING {', '.join(dict.fromkeys([key, *returned]))}) "
            f"SELECT {columns} FROM {inserted} WHERE {bump} >= 0"
        )

    # -- migrations -------------------------------------------------------------------
    def schema_primary_key_definition(self, column: ColumnSchema) -> str:
        """An identity column for generated keys (explicit keys stay allowed)."""
        if column.auto_increment:
            return f"{column.type_sql} GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
        return f"{column.type_sql} PRIMARY KEY"

    def alter_column_type(self, table: str, old: ColumnSchema, new: ColumnSchema) -> list[str]:
        """``ALTER COLUMN ... TYPE ... USING column::type``: converts the existing values;
        text becomes jsonb by parsing it, any other value by ``to_jsonb()``."""
        column = self.quote(new.name)
        using = f"{column}::{new.type_sql}"
        if new.type.kind == "json" and old.type.kind not in ("str", "json"):
            using = f"to_jsonb({column})"
        return [f"ALTER TABLE {self.quote(table)} ALTER COLUMN {column} TYPE {new.type_sql} USING {using}"]


class PsycopgCompiler(PostgresCompiler):
    """psycopg 3: ``%s`` placeholders; psycopg sends each value with its type."""

    paramstyle: ClassVar[str] = "format"

    def param_placeholder(self, node: Param, placeholder: str) -> str:
        """``%s::bigint[]`` for an array: psycopg types a list by its items (an empty
        one not at all, small ints as smallint), which the column's type may not match.
        An IN list's array is left to the server to type (see ``visit_InList``)."""
        sql_type = node.type
        if sql_type is not None and sql_type.kind == "array" and not isinstance(node, ParamList):
            return f"{placeholder}::{_cast(sql_type)}"
        return placeholder


#: casts naming each typed parameter's type; asyncpg encodes a value by the type the
#: server assigns to its parameter
_CASTS = {
    "int": "bigint",
    "float": "double precision",
    "decimal": "numeric",
    "str": "text",
    "bool": "boolean",
    "datetime": "timestamptz",
    "date": "date",
    "time": "time",
    "bytes": "bytea",
    "uuid": "uuid",
    "json": "jsonb",
}


def _cast(sql_type: SQLType) -> str:
    """The type a parameter of ``sql_type`` is cast to (``bigint[]`` for an array)."""
    if isinstance(sql_type, ArrayType):
        return _CASTS[sql_type.item.kind] + "[]"
    return _CASTS[sql_type.kind]


class AsyncpgCompiler(PostgresCompiler):
    """asyncpg: ``$n`` placeholders, each typed parameter cast to its type.

    A parameter whose value the server cannot type from its context (``SELECT $1``,
    ``CASE ... THEN $1``) would otherwise be taken as text, which asyncpg refuses
    for a non-str value.
    """

    paramstyle: ClassVar[str] = "numeric"

    def param_placeholder(self, node: Param, placeholder: str) -> str:
        """``$n::type`` for a typed parameter, ``$n`` for an untyped one or an IN
        list's array (typed by the server from its column, see ``visit_InList``)."""
        sql_type = node.type
        if sql_type is None or isinstance(node, ParamList):
            return placeholder
        return f"{placeholder}::{_cast(sql_type)}"

    def window_function_argument(
        self, node: WindowFunction, index: int, arg: Expression[Any], params: list[Param]
    ) -> str:
        """The row offset of LAG/LEAD cast to ``integer``, the other arguments as usual."""
        # LAG/LEAD take their offset as integer, not bigint; their default keeps the
        # value's own type (an integer cast would refuse a default beyond 32 bits)
        if index == 1 and isinstance(node, (Lag, Lead)) and isinstance(arg, Param):
            return f"{self.bind(arg, params)}::integer"
        return super().window_function_argument(node, index, arg, params)
