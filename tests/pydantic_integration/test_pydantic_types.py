"""A model class as a pydantic type: inside BaseModel fields, list[Model], Model | None,
TypeAdapter; and its JSON schema, exactly."""

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
    StrColumn,
    TimeColumn,
    belongs_to,
    has_many,
)

UTC = dt.UTC
BaseModel = pydantic.BaseModel
TypeAdapter = pydantic.TypeAdapter


class PztAuthor(Model):
    """Someone who writes."""

    name = StrColumn(nullable=False, max_length=50)
    books = has_many("PztBook", foreign_key="author_id")


class PztBook(Model):
    title = StrColumn(nullable=False)
    pages = IntColumn(nullable=False, default=100)
    rating = FloatColumn()
    in_print = BoolColumn(nullable=False, default=True)
    published_at = DateTimeColumn()
    added_at = DateTimeColumn(nullable=False, auto_now_add=True)
    release_day = DateColumn()
    reading_time = TimeColumn()
    price = DecimalColumn(max_digits=7, decimal_places=2, default=Decimal("0"))
    author_id = ForeignKey(PztAuthor, nullable=True)
    author = belongs_to(PztAuthor, foreign_key="author_id")


class Shelf(BaseModel):
    label: str
    books: list[PztBook]
    featured: PztBook | None = None
    owner: PztAuthor


def saved_book(**values) -> PztBook:
    book = PztBook(**values)
    book.__dict__["_kakaorm_pk"] = book.id  # as if loaded from the database
    return book


def test_model_instances_pass_through_pydantic_fields_unchanged():
    book = saved_book(id=1, title="Dune", release_day=dt.date(1965, 8, 1))
    shelf = Shelf(label="sf", books=[book], featured=book, owner=PztAuthor(name="Frank"))
    assert shelf.books[0] is book and shelf.featured is book
    assert shelf.books[0].is_saved


def test_dicts_in_pydantic_fields_become_unsaved_instances():
    shelf = Shelf.model_validate({
        "label": "x", "books": [{"title": "Emma", "pages": "320"}], "owner": {"name": "Jane"},
    })
    assert type(shelf.books[0]) is PztBook and shelf.books[0].pages == 320
    assert shelf.books[0].is_saved is False
    assert type(shelf.owner) is PztAuthor and shelf.owner.name == "Jane"


def test_errors_inside_nested_models_carry_the_full_location():
    with pytest.raises(pydantic.ValidationError) as info:
        Shelf.model_validate({"label": "x", "books": [{"title": "ok"}, {"pages": 3, "isbn": "1"}], "owner": {"name": 1}})
    assert sorted((e["loc"], e["type"]) for e in info.value.errors()) == [
        (("books", 1, "isbn"), "extra_forbidden"),
        (("books", 1, "title"), "missing"),
        (("owner", "name"), "string_type"),
    ]


def test_nested_dump_in_python_and_json_mode():
    book = saved_book(
        id=2, title="Dune", published_at=dt.datetime(1965, 8, 1, 12, 0), release_day=dt.date(1965, 8, 1),
        reading_time=dt.time(9, 30), price=Decimal("12.5"), rating=4.5,
    )
    shelf = Shelf(label="sf", books=[book], owner=PztAuthor(id=3, name="Frank"))
    assert shelf.model_dump()["books"] == [book.model_dump()]
    assert shelf.model_dump_json() == (
        '{"label":"sf","books":[{"id":2,"title":"Dune","pages":100,"rating":4.5,"in_print":true,'
        '"published_at":"1965-08-01T12:00:00Z","added_at":null,"release_day":"1965-08-01",'
        '"reading_time":"09:30:00","price":"12.50","author_id":null}],"featured":null,'
        '"owner":{"id":3,"name":"Frank"}}'
    )


def test_the_callers_include_exclude_and_exclude_none_reach_nested_models():
    shelf = Shelf(label="sf", books=[saved_book(id=2, title="Dune", price=1)], owner=PztAuthor(id=3, name="Frank"))
    assert shelf.model_dump(include={"books": {0: {"title", "pages"}}, "owner": {"name"}}) == {
        "books": [{"title": "Dune", "pages": 100}], "owner": {"name": "Frank"},
    }
    assert shelf.model_dump(mode="json", exclude_none=True)["books"] == [
        {"id": 2, "title": "Dune", "pages": 100, "in_print": True, "price": "1.00"},
    ]


def test_type_adapter_of_a_list_and_an_optional_model():
    books = TypeAdapter(list[PztBook]).validate_python([{"title": "A"}, saved_book(id=9, title="B")])
    assert [b.title for b in books] == ["A", "B"] and books[1].is_saved
    assert TypeAdapter(PztBook | None).validate_python(None) is None
    assert TypeAdapter(list[PztAuthor]).dump_json([PztAuthor(id=1, name="Ann")]) == b'[{"id":1,"name":"Ann"}]'
    from_json = TypeAdapter(PztBook).validate_json('{"title": "J", "release_day": "2001-02-03"}')
    assert (from_json.title, from_json.release_day) == ("J", dt.date(2001, 2, 3))


BOOK_PROPERTIES = {
    "id": {"title": "Id", "type": "integer", "readOnly": True},
    "title": {"title": "Title", "type": "string"},
    "pages": {"title": "Pages", "type": "integer", "default": 100},
    "rating": {"title": "Rating", "anyOf": [{"type": "number"}, {"type": "null"}], "default": None},
    "in_print": {"title": "In Print", "type": "boolean", "default": True},
    "published_at": {
        "title": "Published At", "anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}], "default": None,
    },
    "added_at": {"title": "Added At", "type": "string", "format": "date-time", "readOnly": True},
    "release_day": {"title": "Release Day", "anyOf": [{"type": "string", "format": "date"}, {"type": "null"}], "default": None},
    "reading_time": {"title": "Reading Time", "anyOf": [{"type": "string", "format": "time"}, {"type": "null"}], "default": None},
    "price": {"title": "Price", "anyOf": [{"type": "string", "format": "decimal"}, {"type": "null"}], "default": "0.00"},
    "author_id": {"title": "Author Id", "anyOf": [{"type": "integer"}, {"type": "null"}], "default": None},
}


def test_serialization_json_schema_lists_every_column_as_required():
    assert PztBook.model_json_schema(mode="serialization") == {
        "title": "PztBook",
        "type": "object",
        "properties": BOOK_PROPERTIES,
        "required": list(BOOK_PROPERTIES),
    }


def test_validation_json_schema_requires_only_columns_without_default_and_takes_decimal_numbers():
    properties = dict(BOOK_PROPERTIES)
    properties["price"] = {
        "title": "Price",
        "anyOf": [{"type": "number"}, {"type": "string", "format": "decimal"}, {"type": "null"}],
        "default": "0.00",
    }
    assert PztBook.model_json_schema() == {
        "title": "PztBook",
        "type": "object",
        "properties": properties,
        "required": ["title"],
        "additionalProperties": False,
    }


def test_json_schema_carries_the_docstring_and_max_length_and_no_relations():
    schema = PztAuthor.model_json_schema(mode="serialization")
    assert schema == {
        "title": "PztAuthor",
        "type": "object",
        "description": "Someone who writes.",
        "properties": {
            "id": {"title": "Id", "type": "integer", "readOnly": True},
            "name": {"title": "Name", "type": "string", "maxLength": 50},
        },
        "required": ["id", "name"],
    }


def test_a_pydantic_model_refers_to_the_model_schema_by_its_name():
    schema = Shelf.model_json_schema(mode="serialization")
    assert sorted(schema["$defs"]) == ["PztAuthor", "PztBook"]
    assert schema["properties"]["books"] == {"items": {"$ref": "#/$defs/PztBook"}, "title": "Books", "type": "array"}
    assert schema["properties"]["featured"]["anyOf"] == [{"$ref": "#/$defs/PztBook"}, {"type": "null"}]
    assert schema["properties"]["owner"] == {"$ref": "#/$defs/PztAuthor"}
    assert schema["$defs"]["PztBook"]["properties"] == BOOK_PROPERTIES


def test_an_unknown_json_schema_mode_is_a_value_error():
    with pytest.raises(ValueError, match=r"model_json_schema\(mode='both'\): mode is 'validation' or 'serialization'"):
        PztBook.model_json_schema(mode="both")


def test_abstract_model_is_not_a_pydantic_type():
    with pytest.raises(TypeError, match="pydantic schema: Model is abstract"):
        TypeAdapter(Model)
