"""The changes to one table a migration is made of; each op has an ``inverse()``."""

from __future__ import annotations

import decimal as _decimal
import uuid as _uuid
from dataclasses import dataclass
from typing import Any

from kakaorm.schema.tables import ColumnSchema, ForeignKeySchema, IndexSchema

__all__ = [
    "AddColumnOp",
    "AddForeignKeyOp",
    "AddIndexOp",
    "AlterColumnOp",
    "DropColumnOp",
    "DropForeignKeyOp",
    "DropIndexOp",
    "TableOp",
    "same_default",
]


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
TableOp = (
    AddColumnOp | DropColumnOp | AlterColumnOp | AddIndexOp | DropIndexOp | AddForeignKeyOp | DropForeignKeyOp
)


def same_default(a: Any, b: Any) -> bool:
    """Whether two parsed defaults are the same (``1 == 1.0``, aware datetimes by instant,
    a UUID and its canonical text)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, _uuid.UUID) and isinstance(b, str):
        a, b = b, a
    if isinstance(a, str) and isinstance(b, _uuid.UUID):
        # a UUIDColumn stored as text (SQLite) reads its default back as the text
        return a == str(b)
    return bool(type(a) is type(b) and a == b) or (
        isinstance(a, (int, float, _decimal.Decimal))
        and isinstance(b, (int, float, _decimal.Decimal))
        and _decimal.Decimal(str(a)) == _decimal.Decimal(str(b))
    )
