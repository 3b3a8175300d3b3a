"""Tables, columns, indexes and foreign keys described in portable terms, and the
protocols through which anything (an ORM model) gives such a description."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from kakaorm.types import ArrayType, SQLType

__all__ = [
    "KINDS",
    "NULL_DEFAULT",
    "ORIGIN_KAKAORM_04",
    "ArchiveTableSource",
    "ColumnSchema",
    "ColumnSource",
    "ColumnType",
    "DefaultExpression",
    "ForeignKeySchema",
    "IndexSchema",
    "TableSchema",
    "TableSource",
]

#: the kinds of :class:`kakaorm.types.SQLType`, plus "other" for anything else
KINDS = ("int", "str", "float", "bool", "datetime", "date", "time", "decimal", "array", "other")

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
        item: the type of an ``"array"``'s items, else None.
    """

    kind: str
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    name: str | None = None
    item: ColumnType | None = None

    @classmethod
    def of(cls, sql_type: SQLType) -> ColumnType:
        """The portable column type of a value type (an array's with its item type)."""
        item = cls.of(sql_type.item) if isinstance(sql_type, ArrayType) else None
        return cls(sql_type.kind, sql_type.length, sql_type.precision, sql_type.scale, item=item)

    def sql_type(self) -> SQLType:
        """The :class:`~kakaorm.types.SQLType` of this type (``"other"`` reads as text)."""
        if self.kind == "array" and self.item is not None:
            return ArrayType("array", item=self.item.sql_type())
        kind = self.kind if self.kind != "other" else "str"
        return SQLType(kind, self.length, self.precision, self.scale)

    def __str__(self) -> str:
        if self.kind == "array":
            return f"array({self.item})"
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
