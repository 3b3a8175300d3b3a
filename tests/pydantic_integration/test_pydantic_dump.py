"""model_dump() and model_dump_json(): every column type in python and JSON mode, with
include / exclude / exclude_none. No database is needed: instances are built in memory."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from kakaorm import (
    BoolColumn,
    DateColumn,
    DateTimeColumn,
    DecimalColumn,
    FloatColumn,
    ForeignKey,
    IntColumn,
    Model,
    StrColumn,
    TimeColumn,
    has_many,
)

UTC = dt.UTC


class PzdOwner(Model):
    name = StrColumn(nullable=False)
    things = has_many("PzdThing", foreign_key="owner_id")


class PzdThing(Model):
    name = StrColumn(nullable=False, max_length=40)
    notes = StrColumn()
    quantity = IntColumn(nullable=False, default=0)
    ratio = FloatColumn()
    active = BoolColumn(nullable=False, default=True)
    happened_at = DateTimeColumn()
    day = DateColumn()
    at = TimeColumn()
    price = DecimalColumn(max_digits=8, decimal_places=2)
    owner_id = ForeignKey(PzdOwner)


def full_thing() -> PzdThing:
    return PzdThing(
        id=7,
        name="lamp",
        notes="zürich ☃",
        quantity=3,
        ratio=0.25,
        active=False,
        happened_at=dt.datetime(2024, 5, 6, 7, 8, 9, 120000, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        day=dt.date(2024, 2, 29),
        at=dt.time(23, 59, 1),
        price=Decimal("12.5"),
        owner_id=4,
    )


def test_python_mode_gives_the_column_values_with_their_types():
    assert full_thing().model_dump() == {
        "id": 7,
        "name": "lamp",
        "notes": "zürich ☃",
        "quantity": 3,
        "ratio": 0.25,
        "active": False,
        "happened_at": dt.datetime(2024, 5, 6, 5, 8, 9, 120000, tzinfo=UTC),
        "day": dt.date(2024, 2, 29),
        "at": dt.time(23, 59, 1),
        "price": Decimal("12.50"),
        "owner_id": 4,
    }


def test_python_mode_keeps_column_order_and_leaves_relations_out():
    assert list(full_thing().model_dump()) == [
        "id", "name", "notes", "quantity", "ratio", "active", "happened_at", "day", "at", "price", "owner_id",
    ]
    assert PzdOwner(name="x").model_dump() == {"id": None, "name": "x"}


def test_json_mode_makes_dates_times_and_decimals_strings():
    data = full_thing().model_dump(mode="json")
    assert data == {
        "id": 7,
        "name": "lamp",
        "notes": "zürich ☃",
        "quantity": 3,
        "ratio": 0.25,
        "active": False,
        "happened_at": "2024-05-06T05:08:09.120000Z",
        "day": "2024-02-29",
        "at": "23:59:01",
        "price": "12.50",
        "owner_id": 4,
    }
    assert json.loads(json.dumps(data)) == data


def test_json_mode_turns_non_finite_floats_into_null():
    for value in (float("nan"), float("inf"), float("-inf")):
        assert PzdThing(name="n", ratio=value).model_dump(mode="json")["ratio"] is None
    assert PzdThing(name="n", ratio=float("nan")).model_dump()["ratio"] != 0  # python mode keeps nan


def test_json_mode_of_a_whole_second_datetime_has_no_fraction():
    thing = PzdThing(name="t", happened_at=dt.datetime(2020, 1, 1, 0, 0, 0))
    assert thing.model_dump(mode="json")["happened_at"] == "2020-01-01T00:00:00Z"


def test_include_exclude_and_exclude_none():
    thing = PzdThing(name="bare")
    assert thing.model_dump(include={"name", "notes"}) == {"name": "bare", "notes": None}
    assert thing.model_dump(exclude_none=True) == {"name": "bare", "quantity": 0, "active": True}
    assert thing.model_dump(exclude_none=True, exclude={"quantity"}) == {"name": "bare", "active": True}
    assert thing.model_dump(include=["name", "quantity"], exclude=("quantity",)) == {"name": "bare"}
    assert thing.model_dump(include={"name": True, "notes": False}) == {"name": "bare"}


def test_unknown_names_in_include_or_exclude_are_a_value_error_listing_the_columns():
    with pytest.raises(ValueError) as info:
        PzdThing(name="x").model_dump(include={"name", "nmae"})
    assert str(info.value) == (
        "model_dump(include=...): 'nmae' is not a column of PzdThing; its columns are: id, name, "
        "notes, quantity, ratio, active, happened_at, day, at, price, owner_id"
    )
    with pytest.raises(ValueError, match=r"model_dump\(exclude=\.\.\.\): 'a', 'b' are not columns of PzdThing"):
        PzdThing(name="x").model_dump(exclude={"b", "a"})


def test_a_bare_string_for_include_is_a_type_error():
    with pytest.raises(TypeError, match=r"include= takes a set of column names, e.g. \{'name'\}, not a str"):
        PzdThing(name="x").model_dump(include="name")


def test_an_unknown_mode_is_a_value_error():
    with pytest.raises(ValueError, match=r"model_dump\(mode='xml'\): mode is 'python' or 'json'"):
        PzdThing(name="x").model_dump(mode="xml")


def test_model_dump_json_is_compact_utf8_json():
    text = full_thing().model_dump_json(include={"id", "notes", "price", "day"})
    assert text == '{"id":7,"notes":"zürich ☃","day":"2024-02-29","price":"12.50"}'


def test_model_dump_json_indents_and_honours_exclude_none():
    text = PzdThing(name="bare").model_dump_json(indent=2, exclude_none=True)
    assert text == '{\n  "name": "bare",\n  "quantity": 0,\n  "active": true\n}'


def test_model_dump_json_matches_pydantic_for_the_same_values():
    # pydantic_core first: without pydantic, "import pydantic" would have found a folder named tests/pydantic
    pytest.importorskip("pydantic_core", reason="comparison with pydantic's own JSON needs pydantic")
    import pydantic

    class Mirror(pydantic.BaseModel):
        happened_at: dt.datetime
        day: dt.date
        at: dt.time
        ratio: float

    thing = full_thing()
    mine = json.loads(thing.model_dump_json(include={"happened_at", "day", "at", "ratio"}))
    theirs = json.loads(Mirror(**thing.model_dump(include={"happened_at", "day", "at", "ratio"})).model_dump_json())
    assert mine == theirs
