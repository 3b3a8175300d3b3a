"""Model.model_validate(): an unsaved instance from a dict, a model instance or a pydantic
model, each value converted and checked against its column by pydantic."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

# pydantic_core first, so that without pydantic the module is skipped with its reason
# (this folder is not named tests/pydantic: that name would shadow the package)
pytest.importorskip("pydantic_core", reason="the pydantic integration needs pydantic v2 (pip install pydantic)")
import pydantic

from kakaorm import (
    BoolColumn,
    DateColumn,
    DateTimeColumn,
    DecimalColumn,
    FloatColumn,
    ForeignKey,
    IntColumn,
    Model,
    SoftDeleteModel,
    StrColumn,
    TimeColumn,
)

UTC = dt.UTC
ValidationError = pydantic.ValidationError


class PzvOwner(Model):
    name = StrColumn(nullable=False)


class PzvItem(Model):
    name = StrColumn(nullable=False, max_length=10)
    notes = StrColumn()
    quantity = IntColumn(nullable=False, default=1)
    ratio = FloatColumn()
    active = BoolColumn(nullable=False, default=True)
    happened_at = DateTimeColumn()
    created_at = DateTimeColumn(nullable=False, auto_now_add=True)
    day = DateColumn()
    at = TimeColumn()
    price = DecimalColumn(max_digits=6, decimal_places=2)
    owner_id = ForeignKey(PzvOwner)


class PzvCountry(Model):
    code = StrColumn(primary_key=True, max_length=2)
    name = StrColumn(nullable=False)


def errors(info: pytest.ExceptionInfo[ValidationError]) -> list[tuple[tuple, str]]:
    return [(e["loc"], e["type"]) for e in info.value.errors()]


def test_from_a_dict_converts_each_value_to_its_column_type():
    item = PzvItem.model_validate({
        "name": "bolt",
        "quantity": "12",
        "ratio": 2,
        "active": "false",
        "happened_at": "2024-01-02T03:04:05+09:00",
        "day": "2024-03-01",
        "at": "10:30",
        "price": 4.5,
        "owner_id": "3",
    })
    assert type(item) is PzvItem
    assert item.model_dump() == {
        "id": None,
        "name": "bolt",
        "notes": None,
        "quantity": 12,
        "ratio": 2.0,
        "active": False,
        "happened_at": dt.datetime(2024, 1, 1, 18, 4, 5, tzinfo=UTC),
        "created_at": None,
        "day": dt.date(2024, 3, 1),
        "at": dt.time(10, 30),
        "price": Decimal("4.50"),
        "owner_id": 3,
    }
    assert type(item.ratio) is float and type(item.price) is Decimal
    assert item.is_saved is False


def test_missing_columns_get_their_defaults():
    item = PzvItem.model_validate({"name": "nut"})
    assert (item.quantity, item.active, item.notes, item.id) == (1, True, None, None)


def test_a_wrong_type_is_a_validation_error_naming_the_field():
    with pytest.raises(ValidationError) as info:
        PzvItem.model_validate({"name": "nut", "quantity": "many", "day": "yesterday"})
    assert errors(info) == [(("quantity",), "int_parsing"), (("day",), "date_from_datetime_parsing")]
    assert info.value.title == "PzvItem"
    assert "quantity\n  Input should be a valid integer" in str(info.value)


def test_missing_required_column_unknown_key_and_null_in_not_null_column_are_refused():
    with pytest.raises(ValidationError) as info:
        PzvItem.model_validate({"notes": "x", "colour": "red", "active": None})
    assert sorted(errors(info)) == [
        (("active",), "bool_type"),
        (("colour",), "extra_forbidden"),
        (("name",), "missing"),
    ]


def test_column_constraints_are_checked():
    with pytest.raises(ValidationError) as info:
        PzvItem.model_validate({"name": "x" * 11, "price": "12345.6"})
    assert sorted(errors(info)) == [(("name",), "string_too_long"), (("price",), "decimal_whole_digits")]
    with pytest.raises(ValidationError) as info:
        PzvItem.model_validate({"name": "x", "price": "1.005"})
    assert errors(info) == [(("price",), "decimal_max_places")]


def test_generated_columns_may_be_null_or_given():
    item = PzvItem.model_validate({"name": "x", "id": None, "created_at": None})
    assert (item.id, item.created_at) == (None, None)
    given = PzvItem.model_validate({"name": "x", "id": 5, "created_at": "2020-01-01T00:00:00Z"})
    assert (given.id, given.created_at) == (5, dt.datetime(2020, 1, 1, tzinfo=UTC))


def test_strict_mode_refuses_conversions():
    with pytest.raises(ValidationError) as info:
        PzvItem.model_validate({"name": "x", "quantity": "3"}, strict=True)
    assert errors(info) == [(("quantity",), "int_type")]
    assert PzvItem.model_validate({"name": "x", "quantity": 3}, strict=True).quantity == 3


def test_from_an_instance_builds_a_new_unsaved_copy():
    source = PzvItem(name="orig", quantity=4, price=Decimal("1.10"))
    source.__dict__["_kakaorm_pk"] = 9  # as if loaded from the database
    source.id = 9
    copy = PzvItem.model_validate(source)
    assert copy is not source
    assert copy.model_dump() == source.model_dump()
    assert copy.is_saved is False and source.is_saved is True


def test_from_another_model_takes_the_columns_of_the_same_name():
    owner = PzvOwner(name="shared")
    item = PzvItem.model_validate(owner)
    assert (item.name, item.id, item.quantity) == ("shared", None, 1)
    with pytest.raises(ValidationError) as info:
        PzvItem.model_validate(PzvOwner(name="far too long a name"))
    assert errors(info) == [(("name",), "string_too_long")]


def test_from_a_pydantic_model_takes_its_fields():
    class Body(pydantic.BaseModel):
        name: str
        quantity: int
        unrelated: str = "ignored"

    item = PzvItem.model_validate(Body(name="gear", quantity=2))
    assert (item.name, item.quantity, item.id) == ("gear", 2, None)


def test_other_input_is_refused_as_not_a_dictionary():
    with pytest.raises(ValidationError) as info:
        PzvItem.model_validate(["name", "x"])
    assert errors(info) == [((), "dict_type")]


def test_custom_primary_keys_are_required():
    assert PzvCountry.model_validate({"code": "JP", "name": "Japan"}).code == "JP"
    with pytest.raises(ValidationError) as info:
        PzvCountry.model_validate({"name": "Japan"})
    assert errors(info) == [(("code",), "missing")]


def test_a_type_error_from_the_model_itself_becomes_a_validation_error():
    class PzvChecked(Model):
        name = StrColumn()

        def __init__(self, **values):
            super().__init__(**values)
            if self.name == "forbidden":
                raise TypeError("PzvChecked.name may not be 'forbidden'")

    with pytest.raises(ValidationError) as info:
        PzvChecked.model_validate({"name": "forbidden"})
    assert errors(info) == [((), "value_error")]
    assert info.value.errors()[0]["msg"] == "Value error, PzvChecked.name may not be 'forbidden'"


def test_abstract_models_cannot_be_validated():
    with pytest.raises(TypeError, match="model_validate\\(\\): SoftDeleteModel is abstract"):
        SoftDeleteModel.model_validate({})
