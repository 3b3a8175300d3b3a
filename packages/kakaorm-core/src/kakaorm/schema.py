"""A database schema described in portable terms, and the changes between two schemas.

A dialect reads the live schema (:meth:`kakaorm.dialect.Dialect.read_schema`) into
these frozen dataclasses; the migration planner builds the same description from the
models and compares the two. Types are compared as :class:`ColumnType` (a kind plus
length, precision and scale), so ``int4`` and ``INTEGER``, or ``VARCHAR(255)`` and
``character varying(255)``, are the same type. Defaults are compared as Python values
(``'abc'::text`` and ``'abc'`` are the same default).

Tables written by KakaORM 0.4.x are recognised by the dialect that reads them
(:attr:`TableSchema.origin` is :data:`ORIGIN_KAKAORM_04`): 0.4 never wrote column
defaults, and on SQLite it spelled some types its own way
(:attr:`ColumnSchema.also_matches`); the planner takes both as what the models declare.

The ``*Op`` classes describe one change to one table. A dialect's compiler turns
them into DDL (:meth:`kakaorm.compiler.SQLCompiler.alter_table`); every op has an
``inverse()`` from which the down migration is built.
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import re
from dataclasses import dataclass, field
from typing import Any, Protocol, Union, runtime_checkable

from kakaorm.types import SQLType

__all__ = [
    "AddColumnOp",
    "AddForeignKeyOp",
    "AddIndexOp",
    "AlterColumnOp",
    "ArchiveTableSource",
    "ColumnSchema",
    "ColumnSource",
    "ColumnType",
    "DefaultExpression",
    "DropColumnOp",
    "DropForeignKeyOp",
    "DropIndexOp",
    "ForeignKeySchema",
    "IndexSchema",
    "NULL_DEFAULT",
    "ORIGIN_KAKAORM_04",
    "TableOp",
    "TableSchema",
    "TableSource",
    "parse_default",
    "portable_type",
]

#: the kinds of :class:`kakaorm.types.SQLType`, plus "other" for anything else
KINDS = ("int", "str", "float", "bool", "datetime", "date", "time", "decimal", "other")

#: :attr:`TableSchema.origin` of a table KakaORM 0.4.x created
ORIGIN_KAKAORM_04 = "kakaorm 0.4"


@dataclass(frozen=True)
class ColumnType:
    """A column type in portable terms; two spellings of one type compare equal.

    Attributes:
        kind: a :class:`~kakaorm.types.SQLType` kind, or ``"other"`` for types
            KakaORM does not model (then ``name`` says which).
        length: the maximum length of a bounded string (VARCHAR), else None.
        precision, scale: the digits of a decimal, else None.
        name: the database's type name, for ``"other"`` kinds only.
    """

    kind: str
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    name: str | None = None

    def sql_type(self) -> SQLType:
        """The :class:`~kakaorm.types.SQLType` of this type (``"other"`` reads as text)."""
        kind = self.kind if self.kind != "other" else "str"
        return SQLType(kind, self.length, self.precision, self.scale)

    def __str__(self) -> str:
        if self.kind == "other":
            return self.name or "other"
        if self.kind == "str" and self.length is not None:
            return f"str({self.length})"
        if self.kind == "decimal" and self.precision is not None:
            return f"decimal({self.precision}, {self.scale or 0})"
        return self.kind


@dataclass(frozen=True)
class DefaultExpression:
    """A column default that is an SQL expression (``CURRENT_TIMESTAMP``), not a value."""

    sql: str


#: the default of a column declared with ``default=None``: an explicit ``DEFAULT NULL``
NULL_DEFAULT = DefaultExpression("NULL")


@dataclass(frozen=True)
class ColumnSchema:
    """One column.

    Attributes:
        name: the column name.
        type: its portable type (compared).
        nullable: NULL allowed (primary-key columns are never nullable).
        default: the default as a Python value; None for no default (or DEFAULT NULL);
            a :class:`DefaultExpression` for an expression default.
        primary_key: the column is (part of) the primary key.
        auto_increment: the database generates its values.
        type_sql: the type as the database spells it, for DDL (not compared). Empty in
            a description the models give (:class:`TableSource`): the dialect's compiler
            spells the type (``SQLCompiler.table_schema``).
        check: a CHECK constraint written by the model's author, for DDL (not compared;
            not read back from databases).
        also_matches: other portable types this column already stores exactly as a
            column of that type would (not compared). The dialect sets it where an older
            writer spelled a type differently, e.g. KakaORM 0.4 declared booleans
            ``INTEGER`` on SQLite; the planner takes them as no change of type.
    """

    name: str
    type: ColumnType
    nullable: bool = True
    default: Any = None
    primary_key: bool = False
    auto_increment: bool = False
    type_sql: str = field(default="", compare=False)
    check: str | None = field(default=None, compare=False)
    also_matches: tuple[ColumnType, ...] = field(default=(), compare=False)

    def stores(self, wanted: ColumnType) -> bool:
        """Whether this column already holds values of type ``wanted`` as such a column would."""
        return self.type == wanted or wanted in self.also_matches


@dataclass(frozen=True)
class IndexSchema:
    """An index, or a UNIQUE constraint (``unique=True, constraint=True``).

    Attributes:
        name: the index (or constraint) name; empty in a description the models give
            (the dialect's compiler names it to fit its identifier limit).
        columns: the indexed columns, in order.
        unique: it enforces uniqueness.
        constraint: it is a UNIQUE table constraint rather than a plain index
            (PostgreSQL drops those with ``DROP CONSTRAINT``; SQLite cannot drop them).
        implicit: the database created it by itself (MySQL's index behind a foreign
            key); migrations neither drop nor create such indexes.
    """

    name: str
    columns: tuple[str, ...]
    unique: bool = False
    constraint: bool = False
    implicit: bool = False

    @property
    def key(self) -> tuple[tuple[str, ...], bool]:
        """What makes two indexes the same index: columns and uniqueness."""
        return (self.columns, self.unique)


@dataclass(frozen=True)
class ForeignKeySchema:
    """A foreign key: ``columns`` reference ``ref_columns`` of ``ref_table``.

    ``name`` is None where the database does not keep constraint names (SQLite).
    ``on_delete`` is upper case: CASCADE, SET NULL, RESTRICT, NO ACTION or SET DEFAULT.
    """

    name: str | None
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    on_delete: str = "NO ACTION"

    @property
    def key(self) -> tuple[tuple[str, ...], str, tuple[str, ...], str]:
        """What makes two foreign keys the same: everything but the name."""
        return (self.columns, self.ref_table, self.ref_columns, self.on_delete)


@dataclass(frozen=True)
class TableSchema:
    """One table: its columns in order, primary key, indexes and foreign keys.

    ``origin`` (not compared) says who created the table, where the dialect can tell:
    :data:`ORIGIN_KAKAORM_04` for a table KakaORM 0.4.x made, else None.
    ``declared_by`` (not compared) names what declares the table (a model class), for
    error messages; None for a table read from a database.
    """

    name: str
    columns: tuple[ColumnSchema, ...]
    primary_key: tuple[str, ...] = ()
    indexes: tuple[IndexSchema, ...] = ()
    foreign_keys: tuple[ForeignKeySchema, ...] = ()
    origin: str | None = field(default=None, compare=False)
    declared_by: str | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        """What error messages call the table: its declaring model, else its name."""
        return self.declared_by or self.name

    def column(self, name: str) -> ColumnSchema | None:
        """The column called ``name``, or None."""
        for col in self.columns:
            if col.name == name:
                return col
        return None

    @property
    def column_names(self) -> tuple[str, ...]:
        """The column names in table order."""
        return tuple(c.name for c in self.columns)

    def foreign_key_of(self, column: str) -> ForeignKeySchema | None:
        """The single-column foreign key on ``column``, or None."""
        for fk in self.foreign_keys:
            if fk.columns == (column,):
                return fk
        return None


@runtime_checkable
class TableSource(Protocol):
    """Anything that describes a table: what ``engine.create_table()`` and the compiler's
    DDL methods take besides a :class:`TableSchema` (an ORM model class is one).

    The description is portable: column types as :class:`ColumnType` with ``type_sql``
    empty, index names empty; the dialect's compiler fills both in.
    """

    def __table_schema__(self) -> TableSchema:
        """The table, described in portable terms."""
        ...


@runtime_checkable
class ArchiveTableSource(Protocol):
    """Something that keeps deleted rows in a table of their own (an ArchiveModel):
    what ``engine.create_archive_table()`` takes."""

    def __archive_table_schema__(self) -> TableSchema:
        """The archive table, described as :meth:`TableSource.__table_schema__` does."""
        ...


@runtime_checkable
class ColumnSource(Protocol):
    """A column of a :class:`TableSource` (an ORM model's column): what the compiler's
    per-column DDL methods (``column_type``, ``column_definition``) take."""

    def __column_schema__(self) -> tuple[TableSchema, ColumnSchema]:
        """The column's table and the column, described as the table source does."""
        ...


# -- ops: one change to one table -----------------------------------------------------


@dataclass(frozen=True)
class AddColumnOp:
    """Add ``column`` (with its foreign key ``fk``, if any).

    ``fill_now`` gives the rows already in the table the current time (as the
    dialect stores a datetime): the planner sets it for a NOT NULL ``auto_now`` /
    ``auto_now_add`` DateTimeColumn, which has no database default.
    """

    column: ColumnSchema
    fk: ForeignKeySchema | None = None
    fill_now: bool = False

    def inverse(self) -> DropColumnOp:
        """The op that undoes this one."""
        return DropColumnOp(self.column, self.fk)


@dataclass(frozen=True)
class DropColumnOp:
    """Drop ``column`` (and its foreign key ``fk``, if any)."""

    column: ColumnSchema
    fk: ForeignKeySchema | None = None

    def inverse(self) -> AddColumnOp:
        """The op that undoes this one."""
        return AddColumnOp(self.column, self.fk)


@dataclass(frozen=True)
class AlterColumnOp:
    """Change a column's type, nullability or default from ``old`` to ``new``."""

    old: ColumnSchema
    new: ColumnSchema

    def inverse(self) -> AlterColumnOp:
        """The op that undoes this one."""
        return AlterColumnOp(self.new, self.old)

    @property
    def type_changed(self) -> bool:
        """The type differs."""
        return self.old.type != self.new.type

    @property
    def null_changed(self) -> bool:
        """The nullability differs."""
        return self.old.nullable != self.new.nullable

    @property
    def default_changed(self) -> bool:
        """The default differs."""
        return not same_default(self.old.default, self.new.default)


@dataclass(frozen=True)
class AddIndexOp:
    """Create an index or a unique index."""

    index: IndexSchema

    def inverse(self) -> DropIndexOp:
        """The op that undoes this one."""
        return DropIndexOp(self.index)


@dataclass(frozen=True)
class DropIndexOp:
    """Drop an index or a UNIQUE constraint."""

    index: IndexSchema

    def inverse(self) -> AddIndexOp:
        """The op that undoes this one."""
        return AddIndexOp(self.index)


@dataclass(frozen=True)
class AddForeignKeyOp:
    """Add a foreign key to existing columns."""

    fk: ForeignKeySchema

    def inverse(self) -> DropForeignKeyOp:
        """The op that undoes this one."""
        return DropForeignKeyOp(self.fk)


@dataclass(frozen=True)
class DropForeignKeyOp:
    """Drop a foreign key (the columns stay)."""

    fk: ForeignKeySchema

    def inverse(self) -> AddForeignKeyOp:
        """The op that undoes this one."""
        return AddForeignKeyOp(self.fk)


#: any change to one table
TableOp = Union[
    AddColumnOp, DropColumnOp, AlterColumnOp, AddIndexOp, DropIndexOp, AddForeignKeyOp, DropForeignKeyOp
]


def same_default(a: Any, b: Any) -> bool:
    """Whether two parsed defaults are the same (``1 == 1.0``, aware datetimes by instant)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(type(a) is type(b) and a == b) or (
        isinstance(a, (int, float, _decimal.Decimal))
        and isinstance(b, (int, float, _decimal.Decimal))
        and _decimal.Decimal(str(a)) == _decimal.Decimal(str(b))
    )


# -- reading type names and default expressions ------------------------------------------

_ARGS = re.compile(r"\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)")

_INT = {"int", "integer", "bigint", "smallint", "mediumint", "tinyint", "int2", "int4", "int8",
        "serial", "bigserial", "smallserial"}
_TEXT = {"text", "longtext", "mediumtext", "tinytext", "clob"}
_VARCHAR = {"varchar", "character varying", "nvarchar", "varying character"}
_FLOAT = {"real", "double", "double precision", "float", "float4", "float8"}
_BOOL = {"bool", "boolean"}
_DATETIME = {"timestamp with time zone", "timestamptz", "datetime"}
_DATE = {"date"}
_TIME = {"time", "time without time zone"}
_DECIMAL = {"numeric", "decimal"}


def portable_type(type_sql: str) -> ColumnType:
    """The portable type of a type name as a database spells it.

    Knows the names KakaORM's compilers write and the names PostgreSQL, MySQL/MariaDB
    and SQLite report (``bigint``, ``character varying(255)``, ``decimal(10,2)``,
    ``timestamp with time zone``, ``datetime(6)``, ...). Anything else is
    ``ColumnType("other", name=...)``.
    """
    text = " ".join(type_sql.lower().replace("unsigned", " ").split())
    m = _ARGS.search(text)
    first = int(m.group(1)) if m else None
    second = int(m.group(2)) if m and m.group(2) else None
    base = " ".join(_ARGS.sub(" ", text).split())
    if base in _INT:
        return ColumnType("int")
    if base in _VARCHAR:
        return ColumnType("str", length=first)
    if base in _TEXT:
        return ColumnType("str")
    if base in _FLOAT:
        return ColumnType("float")
    if base in _BOOL:
        return ColumnType("bool")
    if base in _DATETIME:
        return ColumnType("datetime")
    if base in _DATE:
        return ColumnType("date")
    if base in _TIME:
        return ColumnType("time")
    if base in _DECIMAL:
        return ColumnType("decimal", precision=first, scale=second if first is not None else None)
    return ColumnType("other", name=text)


_CAST = re.compile(r"^(.*?)::[a-z_][a-z0-9_ ]*(\(\d+(,\s*\d+)?\))?( with(out)? time zone)?(\[\])?$", re.S)


def parse_default(text: str | None, kind: str, *, backslash_escapes: bool = False) -> Any:
    """A default as a database reports it (``'abc'::text``, ``0``, ``'2020-01-01'``)
    read into a Python value of the column's kind.

    Args:
        text: the default's SQL text; None means no default.
        kind: the column's portable kind.
        backslash_escapes: a backslash escapes inside string literals (MySQL).

    Returns:
        The value; None for no default or DEFAULT NULL; a :class:`DefaultExpression`
        when the text is not a constant of the column's kind.
    """
    if text is None:
        return None
    sql = text.strip()
    while sql.startswith("(") and sql.endswith(")") and _balanced(sql[1:-1]):
        sql = sql[1:-1].strip()
    m = _CAST.match(sql)
    if m:
        sql = m.group(1).strip()
        while sql.startswith("(") and sql.endswith(")") and _balanced(sql[1:-1]):
            sql = sql[1:-1].strip()
    if sql.upper() == "NULL":
        return None
    quoted = len(sql) >= 2 and sql[0] == "'" and sql[-1] == "'"
    value = _unquote(sql[1:-1], backslash_escapes) if quoted else sql
    try:
        converted = _convert(value, kind, quoted)
    except (ValueError, ArithmeticError):
        converted = None
    return DefaultExpression(text.strip()) if converted is None else converted


def _balanced(inner: str) -> bool:
    depth = 0
    in_string = False
    for ch in inner:
        if ch == "'":
            in_string = not in_string
        elif not in_string:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth < 0:
                    return False
    return depth == 0 and not in_string


def _unquote(body: str, backslash_escapes: bool) -> str:
    if not backslash_escapes:
        return body.replace("''", "'")
    out: list[str] = []
    i = 0
    escapes = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "Z": "\x1a", "b": "\b"}
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append(escapes.get(nxt, nxt))
            i += 2
            continue
        if ch == "'" and body[i + 1 : i + 2] == "'":
            out.append("'")
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _convert(value: str, kind: str, quoted: bool) -> Any:
    """The value of a constant for ``kind``, or None when it is not one."""
    if kind == "str" or kind == "other":
        return value if quoted else None
    if kind == "bool":
        lowered = value.strip().lower()
        if lowered in ("1", "true", "t", "b'1'"):
            return True
        if lowered in ("0", "false", "f", "b'0'"):
            return False
        return None
    if kind == "int":
        return int(value) if re.fullmatch(r"[+-]?\d+", value.strip()) else None
    if kind == "float":
        return float(value) if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", value.strip()) else None
    if kind == "decimal":
        return _decimal.Decimal(value.strip())
    if not quoted:
        return None
    if kind == "datetime":
        parsed = _dt.datetime.fromisoformat(value.strip())
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=_dt.timezone.utc)
        return parsed.astimezone(_dt.timezone.utc)
    if kind == "date":
        return _dt.date.fromisoformat(value.strip())
    if kind == "time":
        return _dt.time.fromisoformat(value.strip())
    return None
