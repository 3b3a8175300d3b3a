"""Model.validate() on a value of the wrong type raises the TypeError save() raises for
it (naming the column and the type it takes), not a rule's complaint about the column
it was put on."""

from __future__ import annotations

import pytest

from kakaorm import IntColumn, Model, StrColumn
from kakaorm.validators import max_value, min_length


class VwItem(Model):
    name = StrColumn(nullable=False, validators=[min_length(3)])
    qty = IntColumn(validators=[max_value(10)])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("qty", "x", "VwItem.qty is a IntColumn and takes an int, not str ('x')"),
        ("name", 12345, "VwItem.name is a StrColumn and takes a str, not int (12345)"),
    ],
)
def test_validate_reports_a_value_of_the_wrong_type_as_a_write_would(field, value, message):
    item = VwItem(name="abcd", qty=1)
    setattr(item, field, value)  # attribute assignment converts nothing; the write checks the type
    with pytest.raises(TypeError) as info:
        item.validate()
    assert str(info.value) == message
    with pytest.raises(TypeError) as write:
        item._row_values(item._meta.column_list[1:])
    assert str(write.value) == message
