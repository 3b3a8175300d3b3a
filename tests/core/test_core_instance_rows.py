"""``instance_rows``: the values bulk_create writes, taken as they are when every value
already has its column's exact type, converted and checked row by row otherwise."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kakaorm import DecimalColumn, FloatColumn, IntColumn, IntegrityError, Model, StrColumn
from kakaorm.orm.persist import instance_rows


class IrItem(Model):
    title = StrColumn(nullable=False)
    qty = IntColumn(nullable=False, default=0)
    score = FloatColumn(nullable=True)
    price = DecimalColumn(max_digits=10, decimal_places=2, nullable=True)


COLUMNS = [IrItem._meta.columns[n] for n in ("title", "qty", "score", "price")]


def _items(n: int) -> list[IrItem]:
    return [IrItem(title=f"t{i}", qty=i, score=i / 2, price=Decimal(i)) for i in range(n)]


PLAIN = COLUMNS[:3]  # a decimal is always quantized to its scale, so never taken as it is


def test_a_batch_of_exact_values_is_taken_as_it_is() -> None:
    items = _items(3)
    rows = instance_rows(items, PLAIN)
    assert rows == [("t0", 0, 0.0), ("t1", 1, 0.5), ("t2", 2, 1.0)]
    assert [type(v) for v in rows[1]] == [str, int, float]
    # with the decimal column, every row goes through the conversion
    assert [list(r) for r in instance_rows(items, COLUMNS)] == [
        ["t0", 0, 0.0, Decimal("0.00")], ["t1", 1, 0.5, Decimal("1.00")], ["t2", 2, 1.0, Decimal("2.00")],
    ]


def test_values_set_after_construction_are_converted_in_their_row_only() -> None:
    items = _items(3)
    items[1].score = 7  # an int for a float column: written as 7.0
    items[2].price = "2.50"  # numeric text for a decimal column
    rows = instance_rows(items, COLUMNS)
    assert [list(r) for r in rows] == [
        ["t0", 0, 0.0, Decimal("0.00")], ["t1", 1, 7.0, Decimal("1.00")], ["t2", 2, 1.0, Decimal("2.50")],
    ]
    assert type(rows[1][2]) is float
    assert [list(r) for r in instance_rows(items, PLAIN)] == [["t0", 0, 0.0], ["t1", 1, 7.0], ["t2", 2, 1.0]]
    assert (items[1].score, type(items[1].score)) == (7.0, float)  # the instance holds what was written


def test_a_null_in_a_nullable_column_is_written_and_in_a_not_null_column_refused() -> None:
    items = _items(2)
    items[0].score = None
    assert [list(r) for r in instance_rows(items, PLAIN)] == [["t0", 0, None], ["t1", 1, 0.5]]
    items[1].title = None
    with pytest.raises(IntegrityError) as err:
        instance_rows(items, PLAIN)
    assert str(err.value) == "IrItem.title is NOT NULL and has no value; set it before saving"


def test_a_column_missing_from_an_instance_is_refused_by_name() -> None:
    items = _items(2)
    del items[1].__dict__["qty"]
    with pytest.raises(IntegrityError) as err:
        instance_rows(items, PLAIN)
    assert str(err.value) == "IrItem.qty is NOT NULL and has no value; set it before saving"


def test_a_value_of_the_wrong_type_is_refused() -> None:
    items = _items(2)
    items[1].qty = "many"
    with pytest.raises(TypeError) as err:
        instance_rows(items, PLAIN)
    assert str(err.value) == "IrItem.qty is a IntColumn and takes an int, not str ('many')"
