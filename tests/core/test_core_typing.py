"""Type checkers see typed columns: ``Task.title`` is a column of str, ``task.title`` a str."""

from __future__ import annotations

import importlib.util

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None,
    reason="mypy is not installed in this environment (pip install mypy to run the typing test)",
)

SNIPPET = '''
from kakaorm import BoolColumn, DecimalColumn, IntColumn, Model, StrColumn


class Task(Model):
    title = StrColumn(nullable=False)
    note = StrColumn()
    done = BoolColumn(nullable=False, default=False)
    views = IntColumn(nullable=False)
    budget = DecimalColumn(max_digits=10, decimal_places=2)


async def check() -> None:
    reveal_type(Task.title)
    task = await Task.get(Task.id == 1)
    reveal_type(task)
    reveal_type(task.title)
    reveal_type(task.note)
    reveal_type(task.done)
    reveal_type(task.id)
    reveal_type(task.budget)
    query = Task.where(Task.title == "x").order_by(Task.views.desc)
    reveal_type(query)
    reveal_type(await query)
    reveal_type(await query.select(Task.title))
    reveal_type(await Task.get_or_none(Task.views > 3))
'''

EXPECTED = [
    "kakaorm.orm.column_types.StrColumn[str]",
    "snippet.Task",
    "str",
    "str | None",
    "bool",
    "int",
    "decimal.Decimal | None",
    "kakaorm.orm.queryset.QuerySet[snippet.Task]",
    "list[snippet.Task]",
    "list[dict[str, Any]]",
    "snippet.Task | None",
]


def test_mypy_strict_reveals_the_column_and_query_types(revealed_types) -> None:
    assert revealed_types(SNIPPET) == EXPECTED
