"""CreateSchema[Model] / UpdateSchema[Model]: request bodies declared with a class
statement (so type checkers know them) are the generated schemas at run time."""

from __future__ import annotations

import pytest

pytest.importorskip("pydantic_core", reason="the pydantic integration needs pydantic v2 (pip install pydantic)")
import httpx
import pydantic
from fastapi import FastAPI

from kakaorm import Column, CreateSchema, IntColumn, Model, StrColumn, TypedModel, UpdateSchema


class PtsNote(TypedModel):
    title: Column[str] = StrColumn(nullable=False, max_length=10)
    stars: Column[int] = IntColumn(nullable=False, default=3)


class PtsNoteCreate(CreateSchema[PtsNote]):
    """A new note."""


class PtsNoteUpdate(UpdateSchema[PtsNote]):
    """Fields of a note to change."""


def test_a_create_schema_class_has_the_generated_fields_and_checks():
    assert issubclass(PtsNoteCreate, PtsNote.create_schema())
    assert issubclass(PtsNoteCreate, pydantic.BaseModel)
    assert list(PtsNoteCreate.model_fields) == ["title", "stars"]
    assert PtsNoteCreate.model_validate({"title": "hi"}).model_dump() == {"title": "hi", "stars": 3}
    with pytest.raises(pydantic.ValidationError) as info:
        PtsNoteCreate.model_validate({"title": "x" * 11, "extra": 1})
    assert sorted((e["type"], e["loc"]) for e in info.value.errors()) == [
        ("extra_forbidden", ("extra",)), ("string_too_long", ("title",))
    ]
    assert PtsNoteCreate.__doc__ == "A new note."


def test_an_update_schema_class_makes_every_field_optional():
    assert issubclass(PtsNoteUpdate, PtsNote.update_schema())
    body = PtsNoteUpdate.model_validate({"stars": 5})
    assert body.model_dump(exclude_unset=True) == {"stars": 5}


async def test_fastapi_reads_the_class_as_the_request_body():
    app = FastAPI()

    @app.post("/notes")
    async def make(body: PtsNoteCreate) -> dict[str, object]:
        return body.model_dump()

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        made = await client.post("/notes", json={"title": "ok"})
        refused = await client.post("/notes", json={})
    assert (made.status_code, made.json()) == (200, {"title": "ok", "stars": 3})
    assert refused.status_code == 422
    missing = refused.json()["detail"]
    assert [(e["type"], e["loc"]) for e in missing] == [("missing", ["body", "title"])]
    assert app.openapi()["components"]["schemas"]["PtsNoteCreate"]["required"] == ["title"]


def test_a_plain_model_works_too_and_a_bad_subscript_says_what_to_pass():
    class PtsPlain(Model):
        name = StrColumn(nullable=False)

    class PtsPlainCreate(CreateSchema[PtsPlain]):
        pass

    assert list(PtsPlainCreate.model_fields) == ["name"]
    with pytest.raises(TypeError, match=r"^CreateSchema\[\.\.\.\] takes a model class, e.g\. CreateSchema\[Todo\], got 3$"):
        CreateSchema[3]  # type: ignore[misc]
    with pytest.raises(TypeError, match=r"^UpdateSchema\[\.\.\.\] takes a model class, e.g\. UpdateSchema\[Todo\], got <class 'int'>$"):
        UpdateSchema[int]


def test_subclassing_without_the_model_is_a_type_error():
    with pytest.raises(TypeError, match=r"^class Bad\(CreateSchema\) needs the model: class Bad\(CreateSchema\[YourModel\]\)$"):

        class Bad(CreateSchema):  # type: ignore[type-arg]
            pass
