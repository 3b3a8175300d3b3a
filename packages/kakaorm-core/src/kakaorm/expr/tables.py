"""What the SQL layer knows of tables and of the queries it nests.

The SQL layer never sees a model. It sees:

* a :class:`TableRef`: a table's SQL name, its columns in table order, the shape key
  of that column list, its primary key and a name for messages. The ORM's
  ``Model._meta`` is one.
* a :class:`TableSource`: anything standing for a table through ``__table_ref__()``
  (a model class), so statements can be built from a model as they always were.
* a :class:`SubquerySource`: anything that can be nested as a subquery through
  ``__subquery__()`` returning a :class:`~kakaorm.statements.Select` (a QuerySet, a
  CTE, a Select itself).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from kakaorm.expr.columns import ColumnElement
    from kakaorm.statements import Select

__all__ = ["SubquerySource", "TableRef", "TableSource", "table_ref"]


class TableRef(Protocol):
    """The SQL layer's view of a table."""

    @property
    def table_name(self) -> str:
        """The table's name in SQL (unquoted)."""

    @property
    def display_name(self) -> str:
        """How messages name the table's owner, e.g. the model class name ``Post``."""

    @property
    def column_list(self) -> Sequence[ColumnElement[Any]]:
        """Every column of the table, in table order."""

    @property
    def columns_key(self) -> Hashable:
        """The compile-cache shape of :attr:`column_list`, made once per table."""

    @property
    def pk(self) -> ColumnElement[Any] | None:
        """The primary-key column, if the table has one."""


class TableSource(Protocol):
    """Anything that stands for a table in a statement (a model class)."""

    def __table_ref__(self) -> TableRef:
        """The table this object stands for."""


class SubquerySource(Protocol):
    """Anything usable as a subquery: ``in_()``, a scalar subquery, a CTE's body."""

    def __subquery__(self) -> Select:
        """The SELECT to nest; built once per call."""


def table_ref(source: TableRef | TableSource) -> TableRef:
    """The :class:`TableRef` ``source`` stands for (itself when it is one)."""
    hook = getattr(source, "__table_ref__", None)
    if hook is None:
        return cast("TableRef", source)
    ref: TableRef = hook()
    return ref
