"""EnumColumn: a Python ``enum.Enum`` stored as its members' values.

The column is plain ``VARCHAR(n)`` (n the longest value) or ``INTEGER`` in the
database, so every backend, the migration planner and schema reading see an ordinary
text or integer column; the conversion between members and values is the
:class:`~kakaorm.types.EnumType`'s, applied by the engine around the dialect's own.
"""

from __future__ import annotations

import enum as _enum
from typing import Any, Literal, TypeVar, Unpack, overload

from kakaorm.exc import ModelError
from kakaorm.orm.columns import Column, ColumnOptions
from kakaorm.types import EnumType

__all__ = ["EnumColumn", "enum_sql_type"]

T = TypeVar("T")
E = TypeVar("E", bound=_enum.Enum)


def enum_sql_type(enum_class: Any) -> EnumType:
    """The :class:`EnumType` of ``enum_class``: text sized to its longest value when
    every value is a str, integer when every value is an int.

    Raises:
        ModelError: not an Enum class, no members, or values of mixed or other types.
    """
    if not (isinstance(enum_class, type) and issubclass(enum_class, _enum.Enum)):
        raise ModelError(f"EnumColumn() takes an enum.Enum subclass, e.g. EnumColumn(Color), got {enum_class!r}")
    values = [m.value for m in enum_class]
    if not values:
        raise ModelError(f"EnumColumn({enum_class.__name__}): the enum has no members to store")
    if all(isinstance(v, str) for v in values):
        longest = max(len(v) for v in values)
        return EnumType("str", length=max(longest, 1), enum=enum_class)
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return EnumType("int", enum=enum_class)
    kinds = sorted({type(v).__name__ for v in values})
    raise ModelError(
        f"EnumColumn({enum_class.__name__}): its values are of types {', '.join(kinds)}; an "
        "EnumColumn stores enums whose values are all str or all int: give every member a "
        "str value (or every member an int value)"
    )


class EnumColumn(Column[T]):
    """A column holding members of an ``enum.Enum`` whose values are all str
    (``VARCHAR(n)``, n the longest value) or all int (``INTEGER``).

    The database holds each member's ``.value``; reading gives the member itself. A
    member or one of the enum's values may be written or compared (a value is turned
    into its member; anything else is a TypeError before any SQL is sent). A stored
    value of no member (written by raw SQL) is a :class:`~kakaorm.exc.DataError` when
    read.

    Example::

        class Color(enum.Enum):
            RED = "red"
            GREEN = "green"

        class Shirt(Model):
            color = EnumColumn(Color, nullable=False, default=Color.RED)
    """

    @overload
    def __init__(
        self: EnumColumn[E], enum: type[E], *, nullable: Literal[False], primary_key: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: EnumColumn[E], enum: type[E], *, primary_key: Literal[True], nullable: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: EnumColumn[E | None], enum: type[E], *, nullable: bool = ..., primary_key: bool = ...,
        **options: Unpack[ColumnOptions],
    ) -> None: ...
    def __init__(self, enum: Any, **options: Any) -> None:
        sql_type = enum_sql_type(enum)
        self.enum = enum
        super().__init__(sql_type, **options)
        # a member needs no check; anything else is turned into one (or refused)
        self.exact_type = self.write_exact_type = enum
        if self.has_default and not callable(self.default) and self.default is not None:
            try:
                self.default = sql_type.member(self.default, lambda _: "the default of an EnumColumn")
            except TypeError as err:
                raise ModelError(str(err)) from None

    def _value_subject(self, misfit: bool) -> str:
        return f"{self.display_name} is an EnumColumn"
