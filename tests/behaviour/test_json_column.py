"""JSONColumn: exact round trips, path filters, refused values, defaults, migrations
and pydantic schemas, on every backend."""

from __future__ import annotations

from kakaorm import IntColumn, JSONColumn, Model

DOCS = [
    {"a": {"b": 1}, "tags": ["x", "y"], "n": 3, "s": "abc", "t": True},
    {"a": {"b": 2}, "tags": ["y"], "n": 2.5, "s": "ABC", "t": False},
    {"a": {"b": "1"}, "tags": [], "n": "3", "s": None, "t": 1},
    {"a": {"b": True}, "tags": ["x"], "n": None, "t": 0},
    [1, 2, 3],
]


class JsDoc(Model):
    n = IntColumn()
    data = JSONColumn()
    items = JSONColumn(nullable=False, default=list)


async def _seed() -> None:
    for i, doc in enumerate(DOCS, start=1):
        await JsDoc.create(n=i, data=doc)
    await JsDoc.create(n=len(DOCS) + 1, data=None)


async def _ns(*conditions) -> list[int]:
    return sorted(d.n for d in await JsDoc.where(*conditions))


async def test_smoke(engine):
    await engine.create_table(JsDoc)
    await _seed()
    got = [d.data for d in await JsDoc.all().order_by("n")]
    assert got == [*DOCS, None]
    assert await _ns(JsDoc.data["a"]["b"] == 1) == [1]
    assert await _ns(JsDoc.data["a"]["b"] == "1") == [3]
    assert await _ns(JsDoc.data["a"]["b"] == True) == [4]  # noqa: E712
    assert await _ns(JsDoc.data["tags"][0] == "x") == [1, 4]
    assert await _ns(JsDoc.data["n"] > 2) == [1, 2]
    assert await _ns(JsDoc.data["n"] == None) == [4, 5, 6]  # noqa: E711
