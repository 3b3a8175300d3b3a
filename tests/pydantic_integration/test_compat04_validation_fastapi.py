"""Column validators in the pydantic/FastAPI integration: a model (or its derived request
schema) as a request body answers 422 with one entry per failing field, and a
ValidationError raised by save() inside an endpoint becomes the same 422 through
kakaorm.fastapi's handler, with nothing written, on every backend."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Annotated, Any

import pytest

# pydantic_core first, so that without pydantic the module is skipped with its reason
pytest.importorskip("pydantic_core", reason="the pydantic integration needs pydantic v2 (pip install pydantic)")
fastapi = pytest.importorskip("fastapi", reason="the FastAPI tests need fastapi")
httpx = pytest.importorskip("httpx", reason="the FastAPI tests need httpx")
import pydantic  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import Response  # noqa: E402

import kakaorm  # noqa: E402
from kakaorm import IntColumn, Model, StrColumn, ValidationError  # noqa: E402
from kakaorm.fastapi import install_validation_handler, validation_error_handler  # noqa: E402
from kakaorm.i18n import set_locale, use_locale  # noqa: E402
from kakaorm.validators import max_value, min_length, min_value, one_of, regex  # noqa: E402


@pytest.fixture(autouse=True)
def japanese_by_default() -> Iterator[None]:
    set_locale("ja")
    yield
    set_locale("ja")


def even(value: Any) -> None:
    if value is not None and value % 2:
        raise ValidationError("must be even")


class FvMember(Model):
    name = StrColumn(nullable=False, max_length=50, validators=[min_length(2), regex(r"^[a-z]+$")])
    age = IntColumn(validators=[min_value(0), max_value(150), even])
    role = StrColumn(max_length=20, default="member", validators=[one_of("admin", "member")])

    class Meta:
        table_name = "fv_member"


# module level: the endpoint's postponed annotation is looked up in the module
MemberCreate = FvMember.create_schema()

JA = {
    "name": "短すぎます。2 文字以上にしてください（入力は 1 文字）。 形式が正しくありません。パターン「^[a-z]+$」に合う値にしてください。",
    "age": "小さすぎます。0 以上にしてください（入力値: -1）。 must be even",
}
EN = {
    "name": 'Too short: at least 2 characters are required (got 1). Wrong format: the value must match the pattern "^[a-z]+$".',
    "age": "Too small: the value must be 0 or more (got -1). must be even",
}


def expected_errors(messages: dict[str, str], prefix: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [
        {"type": "kakaorm_validation", "loc": [*prefix, "name"], "msg": messages["name"], "input": "X",
         "ctx": {"rules": ["min_length", "regex"]}},
        {"type": "kakaorm_validation", "loc": [*prefix, "age"], "msg": messages["age"], "input": -1,
         "ctx": {"rules": ["min_value", "custom"]}},
    ]


def plain(errors: list[Any]) -> list[dict[str, Any]]:
    """pydantic's errors as JSON would carry them (tuples as lists, no url)."""
    return [{**{k: v for k, v in e.items() if k != "url"}, "loc": list(e["loc"])} for e in errors]


# -- model_validate and the request schemas ------------------------------------------------


def test_model_validate_reports_each_failing_field_as_one_pydantic_error():
    with pytest.raises(pydantic.ValidationError) as info:
        FvMember.model_validate({"name": "X", "age": -1})
    assert plain(info.value.errors()) == expected_errors(JA)
    with use_locale("en"), pytest.raises(pydantic.ValidationError) as info:
        FvMember.model_validate({"name": "X", "age": -1})
    assert plain(info.value.errors()) == expected_errors(EN)


def test_model_validate_runs_the_rules_after_the_type_checks_and_accepts_good_values():
    with pytest.raises(pydantic.ValidationError) as info:
        FvMember.model_validate({"name": "X", "age": "old"})
    assert [(e["loc"], e["type"]) for e in info.value.errors()] == [(("name",), "kakaorm_validation"), (("age",), "int_parsing")]
    member = FvMember.model_validate({"name": "ann", "age": "30"})
    assert member.to_dict() == {"id": None, "name": "ann", "age": 30, "role": "member"}


@pytest.mark.parametrize("kind", ["create", "update"])
def test_the_derived_request_schemas_run_the_rules(kind):
    schema = FvMember.create_schema() if kind == "create" else FvMember.update_schema()
    with use_locale("en"), pytest.raises(pydantic.ValidationError) as info:
        schema.model_validate({"name": "X", "age": -1})
    assert plain(info.value.errors()) == expected_errors(EN)
    assert schema.model_validate({"name": "ann", "age": None}).model_dump(exclude_unset=True) == {"name": "ann", "age": None}


# -- a FastAPI app ---------------------------------------------------------------------------


def make_app() -> Any:
    app = fastapi.FastAPI()
    install_validation_handler(app)

    @app.middleware("http")
    async def message_language(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        locale = "en" if request.headers.get("accept-language", "").startswith("en") else "ja"
        with use_locale(locale):
            return await call_next(request)

    @app.post("/members", response_model=FvMember, status_code=201)
    async def create_member(body: Annotated[FvMember, fastapi.Body()]) -> FvMember:
        await body.save()
        return body

    @app.post("/members/form", response_model=FvMember, status_code=201)
    async def create_from_form(body: MemberCreate) -> FvMember:  # type: ignore[valid-type]
        return await FvMember.create(**body.model_dump())

    @app.post("/members/{member_id}/rename", response_model=FvMember)
    async def rename(member_id: int, name: str) -> FvMember:
        member = await FvMember.get(FvMember.id == member_id)
        member.name = name  # set by the endpoint: checked when it saves
        await member.save()
        return member

    return app


async def post(app: Any, path: str, body: Any = None, *, language: str = "ja", **params: Any) -> tuple[int, Any]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post(path, json=body, params=params, headers={"accept-language": language})
    return response.status_code, response.json()


@pytest.mark.parametrize("path", ["/members", "/members/form"])
@pytest.mark.parametrize(("language", "messages"), [("ja", JA), ("en-GB", EN)])
async def test_a_request_body_breaking_the_rules_gets_422_with_an_entry_per_field(engine, path, language, messages):
    await engine.create_table(FvMember)
    app = make_app()
    status, body = await post(app, path, {"name": "X", "age": -1}, language=language)
    assert (status, body) == (422, {"detail": expected_errors(messages, ("body",))})
    assert await FvMember.count() == 0
    status, body = await post(app, path, {"name": "ann", "age": 4})
    assert (status, body) == (201, {"id": 1, "name": "ann", "age": 4, "role": "member"})


async def test_a_validation_error_from_save_in_an_endpoint_becomes_422_and_nothing_is_written(engine):
    await engine.create_table(FvMember)
    await FvMember.create(name="ann", age=4)
    app = make_app()
    status, body = await post(app, "/members/1/rename", language="en", name="Ann Lee")
    assert (status, body) == (422, {"detail": [{
        "type": "kakaorm_validation", "loc": ["body", "name"],
        "msg": 'Wrong format: the value must match the pattern "^[a-z]+$".',
        "input": "Ann Lee", "ctx": {"rules": ["regex"]},
    }]})
    assert [m.to_dict() for m in await FvMember.all()] == [{"id": 1, "name": "ann", "age": 4, "role": "member"}]
    status, body = await post(app, "/members/1/rename", name="annie")
    assert (status, body) == (200, {"id": 1, "name": "annie", "age": 4, "role": "member"})


async def transaction() -> AsyncIterator[kakaorm.Transaction]:
    async with kakaorm.get_engine().transaction() as tx:
        yield tx


Tx = Annotated[kakaorm.Transaction, fastapi.Depends(transaction, scope="function")]


async def test_with_a_transaction_per_request_the_earlier_writes_of_the_request_roll_back(engine):
    await engine.create_table(FvMember)
    app = make_app()

    @app.post("/pair", status_code=201)
    async def create_pair(first: str, second: str, tx: Tx) -> dict[str, int]:
        await FvMember.create(name=first)
        await FvMember.create(name=second)  # refused: the first one rolls back with it
        return {"count": await FvMember.count()}

    status, body = await post(app, "/pair", first="ann", second="b")
    assert (status, body["detail"][0]["loc"]) == (422, ["body", "name"])
    assert await FvMember.count() == 0
    assert await post(app, "/pair", first="ann", second="bob") == (201, {"count": 2})


async def test_the_handler_refuses_an_exception_that_is_not_a_validation_error():
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": []})
    with pytest.raises(TypeError) as info:
        await validation_error_handler(request, KeyError("x"))
    assert str(info.value) == "validation_error_handler() handles kakaorm.ValidationError, got KeyError('x')"
