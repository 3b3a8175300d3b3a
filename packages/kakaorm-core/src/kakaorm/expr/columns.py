"""Columns as the SQL layer sees them: a table's column and a CTE's column.

The ORM's ``Column`` subclasses :class:`ColumnElement`; compilers know only these.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, TypeVar

from kakaorm.expr.elements import Expression, Param

if TYPE_CHECKING:
    from kakaorm.expr.tables import TableRef
    from kakaorm.types import SQLType

__all__ = ["CTEColumn", "ColumnElement"]

T = TypeVar("T")


class ColumnElement(Expression[T]):
    """A column of a table, compiled as ``table.column``.

    The ORM's ``Column`` is one (its table is then the model's ``_meta``). Instances
    keep a ``__dict__`` (no ``__slots__``) so a subclass can copy its state.

    Attributes:
        name: the column's name in SQL.
        type: the column's value type (a table column always has one).
        table: the table the column belongs to; None until it is bound to one.
        auto_increment: whether the database generates the column's values (an
            identity key), which a dialect may have to keep in step on INSERT.
    """

    name: str
    type: SQLType
    table: TableRef | None
    auto_increment: bool = False

    def __init__(self, name: str, type: SQLType, table: TableRef | None = None) -> None:
        self.name = name
        self.type = type
        self.table = table

    @property
    def display_name(self) -> str:
        """How messages name the column: ``Post.views``."""
        owner = self.table.display_name if self.table is not None else "?"
        return f"{owner}.{self.name}"

    def _column_name(self) -> str | None:
        return self.display_name if self.table is not None else None

    def _value_subject(self, misfit: bool) -> str:
        if misfit:
            t = self.value_type()
            assert t is not None
            return f"{self.display_name} is a DecimalColumn(max_digits={t.precision}, decimal_places={t.scale})"
        return f"{self.display_name} is a {type(self).__name__}"

    def _key(self, params: list[Param]) -> Hashable:
        return ("col", self.table, self.name)


class CTEColumn(Expression[Any]):
    """A column of a CTE, e.g. ``tree.c.depth``."""

    __slots__ = ("cte_name", "name", "type")

    def __init__(self, cte_name: str, name: str, type: SQLType | None) -> None:
        self.cte_name, self.name, self.type = cte_name, name, type

    def _key(self, params: list[Param]) -> Hashable:
        return ("ctecol", self.cte_name, self.name)

    def __repr__(self) -> str:
        return f"<CTEColumn {self.cte_name}.{self.name}>"
