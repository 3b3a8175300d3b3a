"""Type checkers see EnumColumn as a column of its enum and ArrayColumn as a column of
a list of its item type, nullable unless declared otherwise."""

from __future__ import annotations

import importlib.util

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None,
    reason="mypy is not installed in this environment (pip install mypy to run the typing test)",
)

SNIPPET = '''
import enum
import uuid

from kakaorm import ArrayColumn, EnumColumn, Model


class Color(enum.Enum):
    RED = "red"


class Shirt(Model):
    color = EnumColumn(Color, nullable=False)
    maybe = EnumColumn(Color)
    tags = ArrayColumn(str, nullable=False, default=list)
    ids = ArrayColumn(uuid.UUID)


async def check() -> None:
    reveal_type(Shirt.color)
    shirt = await Shirt.get(Shirt.color == Color.RED)
    reveal_type(shirt.color)
    reveal_type(shirt.maybe)
    reveal_type(shirt.tags)
    reveal_type(shirt.ids)
    reveal_type(Shirt.tags.contains(["a"]))
'''

EXPECTED = [
    "kakaorm.orm.enum_column.EnumColumn[snippet.Color]",
    "snippet.Color",
    "snippet.Color | None",
    "list[str]",
    "list[uuid.UUID] | None",
    "kakaorm.expr.conditions.Condition",
]


def test_mypy_strict_reveals_enum_and_array_column_types(revealed_types) -> None:
    assert revealed_types(SNIPPET) == EXPECTED
