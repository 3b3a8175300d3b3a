"""ArrayColumn: a native array of ints, strs, floats, bools, UUIDs, dates, datetimes
or times, held in Python as a ``list``.

Arrays are a capability of the dialect (``DialectFeatures.arrays``, True for
PostgreSQL): on a database without them, creating the table or running a query that
uses the column raises :class:`~kakaorm.exc.NotSupportedError` before anything is sent.
"""

from __future__ import annotations

import datetime as _dt
import uuid as _uuid
from collections.abc import Iterable
from typing import Any, Literal, TypeVar, Unpack, overload

from kakaorm.exc import ModelError
from kakaorm.expr.arrays import ArrayCondition
from kakaorm.expr.conditions import Condition
from kakaorm.expr.elements import Param
from kakaorm.orm.columns import Column, ColumnOptions
from kakaorm.types import BOOLEAN, DATE, DATETIME, FLOAT, INTEGER, TEXT, TIME, UUID, ArrayType, SQLType, check_value

__all__ = ["ArrayColumn"]

T = TypeVar("T")
Item = TypeVar("Item")

#: the item types an ArrayColumn takes, and the SQL type of each
ITEM_TYPES: dict[type, SQLType] = {
    int: INTEGER,
    str: TEXT,
    float: FLOAT,
    bool: BOOLEAN,
    _uuid.UUID: UUID,
    _dt.date: DATE,
    _dt.datetime: DATETIME,
    _dt.time: TIME,
}


class ArrayColumn(Column[T]):
    """A native array column (``BIGINT[]``, ``TEXT[]``, ``UUID[]``, ...) holding a list.

    ``item`` is the Python type of the items: ``int``, ``str``, ``float``, ``bool``,
    ``uuid.UUID``, ``datetime.date``, ``datetime.datetime`` or ``datetime.time``.
    Values are lists (a tuple given is stored and kept as a list); the empty list is a
    value, distinct from NULL. Items are never None. PostgreSQL only: other databases
    raise :class:`~kakaorm.exc.NotSupportedError` (use a JSONColumn there).

    Filters: ``==`` a list (same items in the same order), :meth:`contains`,
    :meth:`overlaps` and :meth:`any`. A default must be a callable, e.g.
    ``default=list``.

    Example::

        class Post(Model):
            tags = ArrayColumn(str, nullable=False, default=list)

        await Post.where(Post.tags.contains(["python"]))
    """

    @overload
    def __init__(
        self: ArrayColumn[list[Item]], item: type[Item], *, nullable: Literal[False], primary_key: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: ArrayColumn[list[Item] | None], item: type[Item], *, nullable: bool = ..., primary_key: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    def __init__(self, item: Any, **options: Any) -> None:
        item_type = ITEM_TYPES.get(item) if isinstance(item, type) else None
        if item_type is None:
            names = ", ".join(
                t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"
                for t in ITEM_TYPES
            )
            raise ModelError(f"ArrayColumn() takes the item type, one of {names}; got {item!r}")
        default = options.get("default")
        if isinstance(default, (list, tuple)):
            raise ModelError(
                f"ArrayColumn({item.__name__}, default={default!r}): a list default would be shared "
                "by every instance and cannot be written in DDL; give a callable, e.g. default=list"
            )
        self.item = item
        super().__init__(ArrayType("array", item=item_type), **options)
        if self.primary_key:
            raise ModelError("an ArrayColumn cannot be a primary key")

    def _value_subject(self, misfit: bool) -> str:
        return f"{self.display_name} is an ArrayColumn({self.item.__name__})"

    def contains(self, values: Iterable[Any]) -> Condition:
        """``column @> values``: the array holds every item of ``values`` (any order)."""
        return ArrayCondition(self, "contains", Param(self._check_value(list(values)), self.sql_type))

    def overlaps(self, values: Iterable[Any]) -> Condition:
        """``column && values``: the array and ``values`` share at least one item."""
        return ArrayCondition(self, "overlaps", Param(self._check_value(list(values)), self.sql_type))

    def any(self, value: Any) -> Condition:
        """``value = ANY(column)``: ``value`` is one of the array's items."""
        item_type = self.sql_type.item  # type: ignore[attr-defined]
        name = self.display_name
        if value is None:
            raise TypeError(f"{name}.any(None) is never true: the items of an ArrayColumn are never None")
        subject = f"the value of {name}.any() is an item of an ArrayColumn({self.item.__name__})"
        checked = check_value(item_type, value, exact=True, subject=lambda _: subject)
        return ArrayCondition(self, "any", Param(checked, item_type))
