"""create_schema() / update_schema(): request-body models derived from a model's columns,
checked on every column type."""

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
    belongs_to,
    has_many,
)

ValidationError = pydantic.ValidationError


def stamp() -> str:
    return "generated"


class PzsOwner(Model):
    name = StrColumn(nullable=False)
    gadgets = has_many("PzsGadget", foreign_key="owner_id")


class PzsGadget(Model):
    name = StrColumn(nullable=False, max_length=20)
    notes = StrColumn()
    label = StrColumn(nullable=False, default=stamp)
    quantity = IntColumn(nullable=False, default=1)
    ratio = FloatColumn()
    active = BoolColumn(nullable=False, default=True)
    happened_at = DateTimeColumn()
    created_at = DateTimeColumn(nullable=False, auto_now_add=True)
    updated_at = DateTimeColumn(auto_now=True)
    day = DateColumn(nullable=False)
    at = TimeColumn()
    price = DecimalColumn(nullable=False, max_digits=6, decimal_places=2, default=Decimal("9.5"))
    owner_id = ForeignKey(PzsOwner, nullable=False)
    owner = belongs_to(PzsOwner, foreign_key="owner_id")


class PzsCountry(Model):
    code = StrColumn(primary_key=True, max_length=2)
    name = StrColumn(nullable=False)


class PzsNote(SoftDeleteModel):
    text = StrColumn(nullable=False)


def describe(schema: type[pydantic.BaseModel]) -> dict[str, tuple[object, bool, object]]:
    """{field: (annotation, required, default)}"""
    return {
        name: (f.annotation, f.is_required(), None if f.is_required() else f.get_default(call_default_factory=True))
        for name, f in schema.model_fields.items()
    }


def test_create_schema_leaves_out_generated_columns_and_relations():
    schema = PzsGadget.create_schema()
    assert issubclass(schema, pydantic.BaseModel)
    assert schema.__name__ == "PzsGadgetCreate"
    assert describe(schema) == {
        "name": (str, True, None),
        "notes": (str | None, False, None),
        "label": (str, False, "generated"),
        "quantity": (int, False, 1),
        "ratio": (float | None, False, None),
        "active": (bool, False, True),
        "happened_at": (dt.datetime | None, False, None),
        "day": (dt.date, True, None),
        "at": (dt.time | None, False, None),
        "price": (Decimal, False, Decimal("9.50")),
        "owner_id": (int, True, None),
    }


def test_create_schema_validates_and_converts_a_request_body():
    body = PzsGadget.create_schema().model_validate(
        {"name": "gizmo", "day": "2024-06-01", "owner_id": "2", "price": "3.25", "at": "08:15:00"}
    )
    assert body.model_dump() == {
        "name": "gizmo", "notes": None, "label": "generated", "quantity": 1, "ratio": None,
        "active": True, "happened_at": None, "day": dt.date(2024, 6, 1), "at": dt.time(8, 15),
        "price": Decimal("3.25"), "owner_id": 2,
    }
    gadget = PzsGadget(**body.model_dump())
    assert (gadget.name, gadget.price, gadget.id, gadget.created_at) == ("gizmo", Decimal("3.25"), None, None)


def test_create_schema_refuses_unknown_fields_generated_fields_and_broken_constraints():
    with pytest.raises(ValidationError) as info:
        PzsGadget.create_schema().model_validate({
            "name": "n" * 21, "day": "2024-06-01", "owner_id": 1, "price": "1.234",
            "id": 5, "created_at": "2024-01-01T00:00:00Z", "owner": {"name": "x"},
        })
    assert sorted((e["loc"], e["type"]) for e in info.value.errors()) == [
        (("created_at",), "extra_forbidden"),
        (("id",), "extra_forbidden"),
        (("name",), "string_too_long"),
        (("owner",), "extra_forbidden"),
        (("price",), "decimal_max_places"),
    ]


def test_update_schema_makes_every_field_optional_and_drops_the_primary_key():
    schema = PzsGadget.update_schema()
    assert schema.__name__ == "PzsGadgetUpdate"
    assert describe(schema) == {
        "name": (str, False, None),
        "notes": (str | None, False, None),
        "label": (str, False, None),
        "quantity": (int, False, None),
        "ratio": (float | None, False, None),
        "active": (bool, False, None),
        "happened_at": (dt.datetime | None, False, None),
        "day": (dt.date, False, None),
        "at": (dt.time | None, False, None),
        "price": (Decimal, False, None),
        "owner_id": (int, False, None),
    }


def test_update_schema_reports_only_what_was_sent_and_refuses_null_for_not_null_columns():
    schema = PzsGadget.update_schema()
    body = schema.model_validate({"quantity": "4", "notes": None})
    assert body.model_dump(exclude_unset=True) == {"quantity": 4, "notes": None}
    with pytest.raises(ValidationError) as info:
        schema.model_validate({"name": None, "colour": "red"})
    assert sorted((e["loc"], e["type"]) for e in info.value.errors()) == [
        (("colour",), "extra_forbidden"),
        (("name",), "string_type"),
    ]


def test_update_schema_json_shows_no_null_default_for_not_null_columns():
    props = PzsGadget.update_schema().model_json_schema()["properties"]
    assert props["name"] == {"maxLength": 20, "title": "Name", "type": "string"}
    assert props["notes"] == {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None, "title": "Notes"}
    assert "required" not in PzsGadget.update_schema().model_json_schema()


def test_custom_primary_key_is_required_to_create_and_absent_from_updates():
    assert describe(PzsCountry.create_schema()) == {"code": (str, True, None), "name": (str, True, None)}
    assert describe(PzsCountry.update_schema()) == {"name": (str, False, None)}
    with pytest.raises(ValidationError):
        PzsCountry.create_schema().model_validate({"code": "JPN", "name": "Japan"})


def test_soft_delete_mark_is_not_part_of_request_bodies():
    assert list(PzsNote.create_schema().model_fields) == ["text"]
    assert list(PzsNote.update_schema().model_fields) == ["text"]


def test_schemas_are_built_once_per_model():
    assert PzsGadget.create_schema() is PzsGadget.create_schema()
    assert PzsGadget.update_schema() is PzsGadget.update_schema()
    assert PzsGadget.create_schema() is not PzsOwner.create_schema()
    assert PzsGadget.create_schema().__module__ == __name__


def test_abstract_models_have_no_request_schema():
    with pytest.raises(TypeError, match=r"create_schema\(\): SoftDeleteModel is abstract"):
        SoftDeleteModel.create_schema()
