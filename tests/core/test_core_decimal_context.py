"""Decimal columns compute in a context of their own width, never Python's current one,
and make no decimal context per value."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest

from kakaorm import DataError, DecimalColumn, Model
from kakaorm.types import SQLType, read_decimal


class CtxPrice(Model):
    wide = DecimalColumn(max_digits=38, decimal_places=10)
    small = DecimalColumn(max_digits=5, decimal_places=2)


def test_a_wide_decimal_keeps_every_digit_whatever_the_current_context():
    text = "1234567890123456789012345678.1234567891"
    with decimal.localcontext(decimal.Context(prec=3, rounding=decimal.ROUND_DOWN)):
        row = CtxPrice(wide=Decimal(text), small="12.345")
    assert str(row.wide) == text
    assert str(row.small) == "12.34"  # half to even, not the current context's ROUND_DOWN


def test_reading_keeps_every_digit_of_a_value_wider_than_its_type():
    read = read_decimal(2)
    value = Decimal("9" * 70 + ".125")
    assert str(read(value)) == "9" * 70 + ".12"
    assert str(read(int("7" * 40))) == "7" * 40 + ".00"
    assert str(read(2.5)) == "2.50"


def test_normalizing_makes_no_decimal_context_per_value(monkeypatch):
    wide = CtxPrice.wide.sql_type

    def refuse(*args, **kwargs):
        raise AssertionError("a decimal.Context was made for a value")

    monkeypatch.setattr(decimal, "Context", refuse)
    values = [wide.normalize(Decimal(n) / 7) for n in range(1, 200)]
    assert len(values) == 199 and all(v.as_tuple().exponent == -10 for v in values)


def test_an_unsized_decimal_type_quantizes_without_a_digit_limit():
    t = SQLType("decimal", scale=1)
    assert str(t.normalize(Decimal("1" * 50 + ".25"))) == "1" * 50 + ".2"


def test_normalize_names_the_type_when_no_column_is_known():
    t = SQLType("decimal", precision=4, scale=1)
    with pytest.raises(DataError) as err:
        t.normalize(Decimal("1000"))
    assert str(err.value) == (
        "the type NUMERIC(4, 1), which holds at most 3 digits before the decimal point; "
        "Decimal('1000') has 4: use a smaller value, or a column with a larger max_digits"
    )
