"""The FastAPI examples (examples/fastapi_*.py), driven through httpx's ASGITransport with
their lifespan running. The shop and pagination examples run on every backend."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType

import pytest

# pydantic_core first, so that without pydantic the module is skipped with its reason
# (this folder is not named tests/pydantic: that name would shadow the package)
pytest.importorskip("pydantic_core", reason="the pydantic integration needs pydantic v2 (pip install pydantic)")
pytest.importorskip("fastapi", reason="the FastAPI examples need fastapi")
httpx = pytest.importorskip("httpx", reason="the FastAPI examples need httpx")

from kakaorm.orm import options as _model_registry  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def load_example(monkeypatch):
    """Import an example afresh, with environment variables set; afterwards the model
    registry is restored, so the example's classes (Order, Product, ...) do not answer
    string references made by other tests' models."""
    saved = dict(_model_registry._models_by_name)

    def load(name: str, **env: str) -> ModuleType:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        spec = importlib.util.spec_from_file_location(f"kakaorm_example_{name}", EXAMPLES / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        # pydantic resolves the example's postponed annotations through sys.modules
        monkeypatch.setitem(sys.modules, spec.name, module)
        spec.loader.exec_module(module)
        return module

    yield load
    _model_registry._models_by_name.clear()
    _model_registry._models_by_name.update(saved)


@asynccontextmanager
async def serving(module: ModuleType):
    """The app's lifespan around an in-process client."""
    app = module.app
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


# -- fastapi_todo.py ---------------------------------------------------------------------


async def test_todo_example_crud_cycle(load_example):
    todo = load_example("fastapi_todo", TODO_DATABASE_URL="sqlite+aiosqlite:///:memory:")
    async with serving(todo) as client:
        first = await client.post("/todos", json={"title": "buy milk"})
        assert (first.status_code, first.json()) == (
            201, {"id": 1, "title": "buy milk", "description": None, "completed": False},
        )
        second = await client.post("/todos", json={"title": "call mum", "description": "sunday", "completed": True})
        assert second.json() == {"id": 2, "title": "call mum", "description": "sunday", "completed": True}

        assert [t["id"] for t in (await client.get("/todos")).json()] == [1, 2]
        assert [t["id"] for t in (await client.get("/todos", params={"completed": "false"})).json()] == [1]

        patched = await client.patch("/todos/1", json={"completed": True})
        assert patched.json() == {"id": 1, "title": "buy milk", "description": None, "completed": True}
        assert (await client.get("/todos/1")).json() == patched.json()

        deleted = await client.delete("/todos/2")
        assert (deleted.status_code, deleted.content) == (204, b"")
        missing = await client.get("/todos/2")
        assert (missing.status_code, missing.json()) == (404, {"detail": "no todo with id 2"})
        assert (await client.patch("/todos/2", json={"title": "x"})).status_code == 404
        assert (await client.delete("/todos/2")).status_code == 404
        assert await todo.Todo.count() == 1


async def test_todo_example_refuses_bad_bodies(load_example):
    todo = load_example("fastapi_todo", TODO_DATABASE_URL="sqlite+aiosqlite:///:memory:")
    async with serving(todo) as client:
        cases = {
            "missing title": ({"description": "d"}, [(["body", "title"], "missing")]),
            "unknown field": ({"title": "t", "id": 7}, [(["body", "id"], "extra_forbidden")]),
            "title too long": ({"title": "x" * 201}, [(["body", "title"], "string_too_long")]),
            "wrong type": ({"title": "t", "completed": "maybe"}, [(["body", "completed"], "bool_parsing")]),
        }
        for label, (body, expected) in cases.items():
            response = await client.post("/todos", json=body)
            assert response.status_code == 422, label
            assert [(e["loc"], e["type"]) for e in response.json()["detail"]] == expected, label
        null_title = await client.patch("/todos/1", json={"title": None})
        assert null_title.status_code == 422
        assert await todo.Todo.count() == 0


async def test_todo_example_openapi_shows_the_model_fields(load_example):
    todo = load_example("fastapi_todo", TODO_DATABASE_URL="sqlite+aiosqlite:///:memory:")
    async with serving(todo) as client:
        schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    assert schemas["Todo"] == {
        "title": "Todo",
        "type": "object",
        "description": "Something to do.",
        "properties": {
            "id": {"title": "Id", "type": "integer", "readOnly": True},
            "title": {"title": "Title", "type": "string", "maxLength": 200},
            "description": {"title": "Description", "anyOf": [{"type": "string"}, {"type": "null"}]},
            "completed": {"title": "Completed", "type": "boolean", "default": False},
        },
        "required": ["id", "title", "description", "completed"],
    }
    assert list(schemas["TodoCreate"]["properties"]) == ["title", "description", "completed"]
    assert schemas["TodoCreate"]["required"] == ["title"]
    assert list(schemas["TodoUpdate"]["properties"]) == ["title", "description", "completed"]


# -- fastapi_advanced.py (every backend) ---------------------------------------------------


async def test_shop_example_transactions_and_error_mapping(engine, connect_url, load_example):
    shop = load_example("fastapi_advanced", SHOP_DATABASE_URL=connect_url())
    async with serving(shop) as client:
        ada = await client.post("/customers", json={"name": "Ada", "email": "ada@example.com"})
        assert (ada.status_code, ada.json()) == (201, {"id": 1, "name": "Ada", "email": "ada@example.com"})
        duplicate = await client.post("/customers", json={"name": "Imposter", "email": "ada@example.com"})
        assert duplicate.status_code == 409
        assert duplicate.json() == {"detail": "conflict: a unique value is taken, or the row is still referenced"}
        absent = await client.get("/customers/99")
        assert (absent.status_code, absent.json()) == (404, {"detail": "Customer.get(): no row matches the query"})

        pen = await client.post("/products", json={"sku": "PEN", "name": "Pen", "price": "1.50", "stock": 10})
        ink = await client.post("/products", json={"sku": "INK", "name": "Ink", "price": 4.25, "stock": 1})
        assert pen.json() == {"id": 1, "sku": "PEN", "name": "Pen", "price": "1.50", "stock": 10}
        assert ink.json()["price"] == "4.25"

        order = await client.post("/orders", json={
            "customer_id": 1, "lines": [{"product_id": 1, "quantity": 3}, {"product_id": 2, "quantity": 1}],
        })
        assert order.status_code == 201
        placed = order.json()
        assert placed["order"]["total"] == "8.75"
        assert placed["customer"] == ada.json()
        assert [(line["product_id"], line["quantity"], line["unit_price"]) for line in placed["lines"]] == [
            (1, 3, "1.50"), (2, 1, "4.25"),
        ]

        # the second line fails: the order, its first line and the stock change roll back
        short = await client.post("/orders", json={
            "customer_id": 1, "lines": [{"product_id": 1, "quantity": 2}, {"product_id": 2, "quantity": 1}],
        })
        assert (short.status_code, short.json()) == (409, {"detail": "only 0 of INK in stock, 1 ordered"})
        unknown_customer = await client.post("/orders", json={"customer_id": 5, "lines": [{"product_id": 1, "quantity": 1}]})
        assert unknown_customer.status_code == 404
        empty = await client.post("/orders", json={"customer_id": 1, "lines": []})
        assert empty.status_code == 422

        stock = {p.sku: p.stock for p in await shop.Product.all()}
        assert stock == {"PEN": 7, "INK": 0}
        assert (await shop.Order.count(), await shop.OrderLine.count()) == (1, 2)

        fetched = await client.get(f"/orders/{placed['order']['id']}")
        assert fetched.json() == placed
        history = await client.get("/customers/1/orders")
        assert history.json() == [placed]

        still_referenced = await client.delete("/products/1")
        assert still_referenced.status_code == 409
        assert await shop.Product.count() == 2
        unused = await client.post("/products", json={"sku": "CAP", "name": "Cap", "price": "2", "stock": 0})
        assert (await client.delete(f"/products/{unused.json()['id']}")).status_code == 204
        assert await shop.Product.count() == 2


# -- fastapi_pagination.py (every backend) ------------------------------------------------


async def test_pagination_example_pages_filters_and_sort_whitelist(engine, connect_url, load_example):
    pages = load_example("fastapi_pagination", ARTICLES_DATABASE_URL=connect_url())
    async with serving(pages) as client:
        async def get(**params):
            response = await client.get("/articles", params=params)
            assert response.status_code == 200, response.text
            return response.json()

        first = await get(limit=3)
        assert (first["total"], first["limit"], first["offset"], first["next_offset"]) == (30, 3, 0, 3)
        assert [a["id"] for a in first["items"]] == [30, 29, 28]  # newest first by default
        assert first["items"][0] == {
            "id": 30, "title": "Python note 30", "category": "python", "views": 10,
            "published": False, "published_on": "2024-01-31",
        }

        python_by_views = await get(category="python", sort="-views", limit=3, offset=2)
        assert python_by_views["total"] == 10
        assert [(a["id"], a["views"]) for a in python_by_views["items"]] == [(21, 77), (18, 66), (15, 55)]
        assert python_by_views["next_offset"] == 5

        last_page = await get(category="web", limit=4, offset=8, sort="id")
        assert [a["id"] for a in last_page["items"]] == [26, 29]
        assert last_page["next_offset"] is None

        popular = await get(min_views=90, sort="views,-title")
        assert [(a["views"], a["title"]) for a in popular["items"]] == [
            (92, "Databases note 16"), (96, "Web note 08"), (99, "Python note 27"),
        ]
        drafts = await get(published="false", search="NOTE 1", sort="title")
        assert [a["title"] for a in drafts["items"]] == ["Databases note 10", "Python note 15"]

        walked = []
        offset = 0
        while offset is not None:
            page = await get(sort="title", limit=7, offset=offset)
            walked += [a["id"] for a in page["items"]]
            offset = page["next_offset"]
        assert sorted(walked) == list(range(1, 31)) and len(walked) == 30

        refused = await client.get("/articles", params={"sort": "-secret"})
        assert refused.status_code == 422
        assert refused.json() == {
            "detail": "cannot sort by '-secret'; sort by one of: id, published_on, title, views "
            "(prefix '-' for descending, separate keys with commas)",
        }
        too_big = await client.get("/articles", params={"limit": 101})
        assert [(e["loc"], e["type"]) for e in too_big.json()["detail"]] == [(["query", "limit"], "less_than_equal")]


async def test_shop_example_commits_before_the_response_is_sent(engine, connect_url, load_example):
    shop = load_example("fastapi_advanced", SHOP_DATABASE_URL=connect_url())
    seen_at_response_start: list[int] = []

    async def count_elsewhere() -> int:
        # another task: on SQLite it waits for an open transaction to end; on the
        # servers it uses another connection and sees only committed rows
        return await shop.Customer.count()

    async def watching(scope, receive, send):
        async def send_and_look(message):
            if message["type"] == "http.response.start" and scope["method"] == "POST":
                seen_at_response_start.append(await asyncio.wait_for(asyncio.create_task(count_elsewhere()), 10))
            await send(message)

        await shop.app(scope, receive, send_and_look)

    async with shop.app.router.lifespan_context(shop.app):
        transport = httpx.ASGITransport(app=watching)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            created = await client.post("/customers", json={"name": "Bo", "email": "bo@example.com"})
            assert created.status_code == 201
            refused = await client.post("/customers", json={"name": "Bo", "email": "bo@example.com"})
            assert refused.status_code == 409
    assert seen_at_response_start == [1, 1]


# -- fastapi_validation.py (every backend) ------------------------------------------------


async def test_validation_example_answers_422_per_field_in_the_clients_language(engine, connect_url, load_example):
    signup = load_example("fastapi_validation", SIGNUP_DATABASE_URL=connect_url())
    async with serving(signup) as client:
        bad = {"handle": "Al", "email": "al at home", "age": 12, "plan": "gold"}
        refused = await client.post("/signups", json=bad, headers={"accept-language": "en-US"})
        assert (refused.status_code, refused.json()) == (422, {"detail": [
            {"type": "kakaorm_validation", "loc": ["body", "handle"],
             "msg": 'Too short: at least 3 characters are required (got 2). '
                    'Wrong format: the value must match the pattern "^[a-z0-9_]+$".',
             "input": "Al", "ctx": {"rules": ["min_length", "regex"]}},
            {"type": "kakaorm_validation", "loc": ["body", "email"], "msg": "not an e-mail address",
             "input": "al at home", "ctx": {"rules": ["regex"]}},
            {"type": "kakaorm_validation", "loc": ["body", "age"],
             "msg": "Too small: the value must be 13 or more (got 12).", "input": 12, "ctx": {"rules": ["min_value"]}},
            {"type": "kakaorm_validation", "loc": ["body", "plan"],
             "msg": "Not allowed: the value must be one of 'free', 'pro' (got 'gold').", "input": "gold",
             "ctx": {"rules": ["one_of"]}},
        ]})
        japanese = await client.post("/signups", json={"handle": "root", "email": "r@example.com"})
        assert (japanese.status_code, japanese.json()["detail"]) == (422, [
            {"type": "kakaorm_validation", "loc": ["body", "handle"], "msg": "'root' is reserved",
             "input": "root", "ctx": {"rules": ["custom"]}},
        ])
        created = await client.post("/signups", json={"handle": "ada", "email": "ada@example.com", "age": 36})
        assert (created.status_code, created.json()) == (
            201, {"id": 1, "handle": "ada", "email": "ada@example.com", "age": 36, "plan": "free"},
        )

        too_long = await client.patch("/signups/1/handle", params={"first": "augusta", "last": "ada king lovelace"})
        assert (too_long.status_code, too_long.json()) == (422, {"detail": [
            {"type": "kakaorm_validation", "loc": ["body", "handle"],
             "msg": "長すぎます。20 文字以内にしてください（入力は 25 文字）。 "
                    "形式が正しくありません。パターン「^[a-z0-9_]+$」に合う値にしてください。",
             "input": "augusta_ada king lovelace", "ctx": {"rules": ["max_length", "regex"]}},
        ]})
        assert [s.handle for s in await signup.Signup.all()] == ["ada"]
        renamed = await client.patch("/signups/1/handle", params={"first": "Ada", "last": "L"})
        assert (renamed.status_code, renamed.json()["handle"]) == (200, "ada_l")
