"""model_dump / model_validate round trips through the database, on every backend.

The dump tests need no pydantic; the validation tests skip (saying why) without it."""

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
    belongs_to,
)

UTC = dt.UTC


class PzrShop(Model):
    name = StrColumn(nullable=False, max_length=50)


class PzrItem(Model):
    name = StrColumn(nullable=False, max_length=50)
    notes = StrColumn()
    quantity = IntColumn(nullable=False, default=1)
    ratio = FloatColumn()
    active = BoolColumn(nullable=False, default=True)
    sold_at = DateTimeColumn()
    created_at = DateTimeColumn(nullable=False, auto_now_add=True)
    day = DateColumn()
    at = TimeColumn()
    price = DecimalColumn(max_digits=10, decimal_places=2)
    shop_id = ForeignKey(PzrShop)
    shop = belongs_to(PzrShop, foreign_key="shop_id")


JSON_INPUT = {
    "name": "Überlampe ☃",
    "notes": "fragile",
    "quantity": "3",
    "ratio": 0.5,
    "active": False,
    "sold_at": "2024-03-10T21:30:15.123456+09:00",
    "day": "2024-02-29",
    "at": "08:15:30",
    "price": "1234.5",
}


def pydantic_or_skip():
    # pydantic_core first: without pydantic, "import pydantic" could find the tests/pydantic
    # directory (tests/ is on sys.path) as a namespace package
    pytest.importorskip("pydantic_core", reason="model_validate needs pydantic v2 (pip install pydantic)")
    import pydantic

    return pydantic


def without_generated(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in ("id", "created_at")}


async def test_validated_row_is_stored_and_dumped_with_exact_values(engine):
    pydantic_or_skip()
    await engine.create_table(PzrShop, PzrItem)
    shop = await PzrShop.create(name="corner")
    item = PzrItem.model_validate({**JSON_INPUT, "shop_id": shop.id})
    assert item.is_saved is False
    await item.save()

    fresh = await PzrItem.get(PzrItem.id == item.id)
    dumped = fresh.model_dump()
    assert isinstance(dumped.pop("created_at"), dt.datetime)
    assert dumped == {
        "id": item.id,
        "name": "Überlampe ☃",
        "notes": "fragile",
        "quantity": 3,
        "ratio": 0.5,
        "active": False,
        "sold_at": dt.datetime(2024, 3, 10, 12, 30, 15, 123456, tzinfo=UTC),
        "day": dt.date(2024, 2, 29),
        "at": dt.time(8, 15, 30),
        "price": Decimal("1234.50"),
        "shop_id": shop.id,
    }
    assert [type(v) for v in dumped.values()] == [int, str, str, int, float, bool, dt.datetime, dt.date, dt.time, Decimal, int]
    assert fresh.model_dump() == item.model_dump()


async def test_json_dump_of_a_loaded_row_is_json_safe_and_exact(engine):
    await engine.create_table(PzrShop, PzrItem)
    row = await PzrItem.create(
        name="n", ratio=0.25, sold_at=dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        day=dt.date(2023, 12, 31), at=dt.time(23, 59, 59), price=Decimal("0.10"),
    )
    fresh = await PzrItem.get(PzrItem.id == row.id)
    data = fresh.model_dump(mode="json", exclude={"created_at"})
    assert data == {
        "id": row.id, "name": "n", "notes": None, "quantity": 1, "ratio": 0.25, "active": True,
        "sold_at": "2024-01-02T03:04:05Z", "day": "2023-12-31", "at": "23:59:59", "price": "0.10",
        "shop_id": None,
    }
    assert json.loads(fresh.model_dump_json(exclude={"created_at"})) == data
    assert fresh.model_dump(mode="json", exclude_none=True, include={"notes", "price", "shop_id"}) == {"price": "0.10"}


async def test_json_round_trip_gives_back_the_same_row(engine):
    pydantic_or_skip()
    await engine.create_table(PzrShop, PzrItem)
    original = await PzrItem.create(**PzrItem.model_validate(JSON_INPUT).model_dump(exclude={"id", "created_at"}))
    loaded = await PzrItem.get(PzrItem.id == original.id)

    copy = PzrItem.model_validate(json.loads(loaded.model_dump_json(exclude={"id"})))
    assert copy.is_saved is False and copy.id is None
    assert copy.model_dump() == {**loaded.model_dump(), "id": None}
    await copy.save()

    assert await PzrItem.count() == 2
    again = await PzrItem.get(PzrItem.id == copy.id)
    assert copy.id != original.id
    assert without_generated(again.model_dump()) == without_generated(loaded.model_dump())
    assert again.created_at == loaded.created_at  # auto_now_add keeps a value that was given


async def test_validating_a_loaded_instance_gives_an_unsaved_copy_that_inserts_a_new_row(engine):
    pydantic_or_skip()
    await engine.create_table(PzrShop, PzrItem)
    loaded = await PzrItem.create(name="first", price=Decimal("2"))
    copy = PzrItem.model_validate(loaded)
    assert copy.is_saved is False and copy.id == loaded.id
    copy.id = None
    copy.name = "second"
    await copy.save()
    names = [(i.name, i.price) for i in await PzrItem.all().order_by(PzrItem.id)]
    assert names == [("first", Decimal("2.00")), ("second", Decimal("2.00"))]


async def test_request_schema_body_creates_a_row(engine):
    pydantic_or_skip()
    await engine.create_table(PzrShop, PzrItem)
    shop = await PzrShop.create(name="market")
    body = PzrItem.create_schema().model_validate_json(json.dumps({**JSON_INPUT, "shop_id": shop.id}))
    row = await PzrItem.create(**body.model_dump())
    assert (await row.shop).name == "market"
    fresh = await PzrItem.get(PzrItem.id == row.id)
    assert without_generated(fresh.model_dump(mode="json")) == {
        "name": "Überlampe ☃", "notes": "fragile", "quantity": 3, "ratio": 0.5, "active": False,
        "sold_at": "2024-03-10T12:30:15.123456Z", "day": "2024-02-29", "at": "08:15:30",
        "price": "1234.50", "shop_id": shop.id,
    }

    update = PzrItem.update_schema().model_validate({"quantity": 7, "notes": None})
    for name, value in update.model_dump(exclude_unset=True).items():
        setattr(fresh, name, value)
    await fresh.save()
    reloaded = await PzrItem.get(PzrItem.id == row.id)
    assert (reloaded.quantity, reloaded.notes, reloaded.name) == (7, None, "Überlampe ☃")


async def test_loaded_rows_serialize_through_a_type_adapter(engine):
    pydantic = pydantic_or_skip()
    await engine.create_table(PzrShop, PzrItem)
    await PzrShop.create(name="a")
    await PzrShop.create(name="b")
    shops = await PzrShop.all().order_by(PzrShop.id)
    adapter = pydantic.TypeAdapter(list[PzrShop])
    assert adapter.dump_python(shops, mode="json") == [{"id": shops[0].id, "name": "a"}, {"id": shops[1].id, "name": "b"}]
    assert adapter.validate_python(shops) == shops
