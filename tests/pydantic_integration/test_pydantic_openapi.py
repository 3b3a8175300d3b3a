"""Models in a FastAPI app: response_model (plain, list, optional, nested in a pydantic
model), request bodies from create_schema()/update_schema(), and the OpenAPI document
checked field by field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

import pytest

# pydantic_core first, so that without pydantic the module is skipped with its reason
# (this folder is not named tests/pydantic: that name would shadow the package)
pytest.importorskip("pydantic_core", reason="the pydantic integration needs pydantic v2 (pip install pydantic)")
fastapi = pytest.importorskip("fastapi", reason="the FastAPI tests need fastapi")
httpx = pytest.importorskip("httpx", reason="the FastAPI tests need httpx")

from pydantic import BaseModel  # noqa: E402

import kakaorm  # noqa: E402
from kakaorm import (  # noqa: E402
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


class PzoVenue(Model):
    """Where events happen."""

    name = StrColumn(nullable=False, max_length=80)
    events = has_many("PzoEvent", foreign_key="venue_id")


class PzoEvent(Model):
    """Something that happens at a venue."""

    title = StrColumn(nullable=False, max_length=120)
    summary = StrColumn()
    seats = IntColumn(nullable=False, default=50)
    rating = FloatColumn()
    public = BoolColumn(nullable=False, default=True)
    starts_at = DateTimeColumn(nullable=False)
    created_at = DateTimeColumn(nullable=False, auto_now_add=True)
    day = DateColumn()
    doors = TimeColumn()
    fee = DecimalColumn(nullable=False, max_digits=8, decimal_places=2, default=0)
    venue_id = ForeignKey(PzoVenue)


class Envelope(BaseModel):
    event: PzoEvent
    venue: PzoVenue | None
    others: list[PzoEvent]


EventCreate = PzoEvent.create_schema()
EventUpdate = PzoEvent.update_schema()

app = fastapi.FastAPI()


@app.get("/events", response_model=list[PzoEvent])
async def list_events() -> list[PzoEvent]:
    return await PzoEvent.all().order_by(PzoEvent.id)


@app.post("/events", response_model=PzoEvent, status_code=201)
async def create_event(body: EventCreate) -> PzoEvent:
    return await PzoEvent.create(**body.model_dump())


@app.patch("/events/{event_id}", response_model=PzoEvent)
async def update_event(event_id: int, body: EventUpdate) -> PzoEvent:
    event = await PzoEvent.get(PzoEvent.id == event_id)
    for name, value in body.model_dump(exclude_unset=True).items():
        setattr(event, name, value)
    await event.save()
    return event


@app.get("/events/{event_id}/maybe", response_model=PzoEvent | None)
async def maybe_event(event_id: int) -> PzoEvent | None:
    return await PzoEvent.get_or_none(PzoEvent.id == event_id)


@app.get("/events/{event_id}/envelope")
async def envelope(event_id: int) -> Envelope:
    event = await PzoEvent.get(PzoEvent.id == event_id)
    venue = await PzoVenue.get_or_none(PzoVenue.id == event.venue_id)
    others = await PzoEvent.where(PzoEvent.id != event_id).order_by(PzoEvent.id)
    return Envelope(event=event, venue=venue, others=others)


@app.get("/raw-dict", response_model=PzoVenue)
async def raw_dict() -> dict:
    return {"id": 99, "name": "from a dict"}


@app.post("/venues-as-body", response_model=PzoVenue)
async def venue_body(venue: Annotated[PzoVenue, fastapi.Body()]) -> PzoVenue:
    return venue


@pytest.fixture
async def client():
    engine = await kakaorm.connect("sqlite+aiosqlite:///:memory:")
    await engine.create_table(PzoVenue, PzoEvent)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
    await engine.disconnect()


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


# FastAPI writes its document with exclude_none, which drops "default": null
EVENT_PROPERTIES = {
    "id": {"title": "Id", "type": "integer", "readOnly": True},
    "title": {"title": "Title", "type": "string", "maxLength": 120},
    "summary": {"title": "Summary", **nullable({"type": "string"})},
    "seats": {"title": "Seats", "type": "integer", "default": 50},
    "rating": {"title": "Rating", **nullable({"type": "number"})},
    "public": {"title": "Public", "type": "boolean", "default": True},
    "starts_at": {"title": "Starts At", "type": "string", "format": "date-time"},
    "created_at": {"title": "Created At", "type": "string", "format": "date-time", "readOnly": True},
    "day": {"title": "Day", **nullable({"type": "string", "format": "date"})},
    "doors": {"title": "Doors", **nullable({"type": "string", "format": "time"})},
    "fee": {"title": "Fee", "type": "string", "format": "decimal", "default": "0.00"},
    "venue_id": {"title": "Venue Id", **nullable({"type": "integer"})},
}


async def openapi(client) -> dict:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def response_schema(doc: dict, path: str, method: str, status: str = "200") -> dict:
    return doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]


async def test_openapi_names_every_schema_after_its_class(client):
    doc = await openapi(client)
    assert doc["openapi"].startswith("3.1")
    assert sorted(doc["components"]["schemas"]) == [
        "Envelope", "HTTPValidationError", "PzoEvent", "PzoEventCreate", "PzoEventUpdate",
        "PzoVenue-Input", "PzoVenue-Output", "ValidationError",
    ]


async def test_openapi_documents_every_column_with_type_format_and_nullability(client):
    event = (await openapi(client))["components"]["schemas"]["PzoEvent"]
    assert event["title"] == "PzoEvent"
    assert event["type"] == "object"
    assert event["description"] == "Something that happens at a venue."
    assert list(event["properties"]) == list(EVENT_PROPERTIES)
    for name, expected in EVENT_PROPERTIES.items():
        assert event["properties"][name] == expected, name
    assert event["required"] == list(EVENT_PROPERTIES)
    assert "additionalProperties" not in event


async def test_openapi_responses_refer_to_the_model_as_plain_list_optional_and_nested(client):
    doc = await openapi(client)
    ref = {"$ref": "#/components/schemas/PzoEvent"}
    assert response_schema(doc, "/events", "get") == {"type": "array", "items": ref, "title": "Response List Events Events Get"}
    assert response_schema(doc, "/events", "post", "201") == ref
    assert response_schema(doc, "/events/{event_id}", "patch") == ref
    assert response_schema(doc, "/events/{event_id}/maybe", "get") == {
        "anyOf": [ref, {"type": "null"}], "title": "Response Maybe Event Events  Event Id  Maybe Get",
    }
    assert response_schema(doc, "/events/{event_id}/envelope", "get") == {"$ref": "#/components/schemas/Envelope"}
    env = doc["components"]["schemas"]["Envelope"]
    assert env["properties"] == {
        "event": ref,
        "venue": {"anyOf": [{"$ref": "#/components/schemas/PzoVenue-Output"}, {"type": "null"}]},
        "others": {"type": "array", "items": ref, "title": "Others"},
    }
    assert env["required"] == ["event", "venue", "others"]


async def test_openapi_request_bodies_come_from_the_derived_schemas(client):
    doc = await openapi(client)
    post = doc["paths"]["/events"]["post"]["requestBody"]
    assert post["required"] is True
    assert post["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/PzoEventCreate"}
    create = doc["components"]["schemas"]["PzoEventCreate"]
    assert list(create["properties"]) == [
        "title", "summary", "seats", "rating", "public", "starts_at", "day", "doors", "fee", "venue_id",
    ]
    assert create["required"] == ["title", "starts_at"]
    assert create["additionalProperties"] is False
    assert create["properties"]["title"] == {"type": "string", "maxLength": 120, "title": "Title"}
    assert create["properties"]["starts_at"] == {"type": "string", "format": "date-time", "title": "Starts At"}
    update = doc["components"]["schemas"]["PzoEventUpdate"]
    assert "required" not in update
    assert list(update["properties"]) == list(create["properties"])


async def test_a_model_used_as_body_and_response_gets_an_input_and_an_output_schema(client):
    schemas = (await openapi(client))["components"]["schemas"]
    assert schemas["PzoVenue-Input"]["required"] == ["name"]
    assert schemas["PzoVenue-Input"]["additionalProperties"] is False
    assert schemas["PzoVenue-Output"]["required"] == ["id", "name"]
    assert schemas["PzoVenue-Output"]["properties"] == schemas["PzoVenue-Input"]["properties"]


async def test_responses_carry_json_safe_values(client):
    created = await client.post("/events", json={
        "title": "Launch", "starts_at": "2024-07-01T18:00:00+02:00", "day": "2024-07-01",
        "doors": "17:30:00", "fee": "12.5", "rating": 4,
    })
    assert created.status_code == 201
    body = created.json()
    created_at = body.pop("created_at")
    assert body == {
        "id": 1, "title": "Launch", "summary": None, "seats": 50, "rating": 4.0, "public": True,
        "starts_at": "2024-07-01T16:00:00Z", "day": "2024-07-01", "doors": "17:30:00",
        "fee": "12.50", "venue_id": None,
    }
    parsed = dt.datetime.fromisoformat(created_at)
    assert parsed.tzinfo is not None and parsed.utcoffset() == dt.timedelta(0)
    stored = await PzoEvent.get(PzoEvent.id == 1)
    assert (stored.fee, stored.starts_at) == (Decimal("12.50"), dt.datetime(2024, 7, 1, 16, tzinfo=UTC))


async def test_list_optional_and_nested_responses(client):
    venue = await PzoVenue.create(name="Hall")
    first = await PzoEvent.create(title="A", starts_at=dt.datetime(2024, 1, 1, tzinfo=UTC), venue_id=venue.id)
    await PzoEvent.create(title="B", starts_at=dt.datetime(2024, 1, 2, tzinfo=UTC))
    listed = (await client.get("/events")).json()
    assert [e["title"] for e in listed] == ["A", "B"]
    assert (await client.get("/events/3/maybe")).json() is None
    assert (await client.get("/events/1/maybe")).json()["title"] == "A"
    env = (await client.get(f"/events/{first.id}/envelope")).json()
    assert env["event"]["title"] == "A"
    assert env["venue"] == {"id": venue.id, "name": "Hall"}
    assert [e["title"] for e in env["others"]] == ["B"]


async def test_patch_changes_only_the_fields_sent_and_422_on_bad_input(client):
    await client.post("/events", json={"title": "T", "starts_at": "2024-01-01T00:00:00Z", "summary": "keep"})
    patched = await client.patch("/events/1", json={"seats": "80"})
    assert (patched.status_code, patched.json()["seats"], patched.json()["summary"]) == (200, 80, "keep")
    bad = await client.patch("/events/1", json={"seats": None, "colour": "red"})
    assert bad.status_code == 422
    assert sorted((e["loc"][-1], e["type"]) for e in bad.json()["detail"]) == [
        ("colour", "extra_forbidden"), ("seats", "int_type"),
    ]


async def test_a_dict_returned_for_a_model_response_is_validated_and_serialized(client):
    assert (await client.get("/raw-dict")).json() == {"id": 99, "name": "from a dict"}


async def test_a_model_taken_as_a_body_is_validated_like_model_validate(client):
    ok = await client.post("/venues-as-body", json={"name": "Club"})
    assert ok.json() == {"id": None, "name": "Club"}
    bad = await client.post("/venues-as-body", json={"name": "x" * 81})
    assert bad.status_code == 422
    assert [(e["loc"], e["type"]) for e in bad.json()["detail"]] == [(["body", "name"], "string_too_long")]
