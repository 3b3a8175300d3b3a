"""Compliance: every column type of :data:`~kakaorm.testing.columns.COLUMN_CASES`
gives back exactly what was written, of the same Python type."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kakaorm import Engine, Model

from ._gates import require_feature
from .columns import COLUMN_CASES, ColumnCase, value_model

#: small, repeatable example counts: the suite runs on every backend in CI
PROPERTY = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

CASES = pytest.mark.parametrize("case", COLUMN_CASES, ids=[c.name for c in COLUMN_CASES])
_FILTERABLE = [c for c in COLUMN_CASES if c.filterable]
FILTERABLE_CASES = pytest.mark.parametrize("case", _FILTERABLE, ids=[c.name for c in _FILTERABLE])


async def _table(engine: Engine, case: ColumnCase) -> type[Model]:
    if case.requires is not None:
        require_feature(engine, case.requires)
    model = value_model(case)
    await engine.create_table(model)
    return model


async def _written_and_read(model: Any, value: Any) -> list[Any]:
    """``value`` written by create(), bulk_create() and update(), as each instance
    holds it after the write and as read back (models, then ``select()`` dicts)."""
    created = await model.create(v=value)
    [bulk] = await model.bulk_create([model(v=value)])
    updated = await model.create(v=None)
    assert await model.where(model.id == updated.id).update(v=value) == 1
    ids = [created.id, bulk.id, updated.id]
    models = {row.id: row.v for row in await model.where(model.id.in_(ids))}
    dicts = {row["id"]: row["v"] for row in await model.where(model.id.in_(ids)).select(model.id, model.v)}
    return [created.v, bulk.v] + [models[i] for i in ids] + [dicts[i] for i in ids]


def _assert_exactly(expected: Any, outs: list[Any]) -> None:
    assert [type(out) for out in outs] == [type(expected)] * len(outs), (expected, outs)
    assert outs == [expected] * len(outs), (expected, outs)


@pytest.mark.asyncio
class TestColumnRoundTrips:
    """Each column type's values come back equal and of the same type."""

    @CASES
    @PROPERTY
    @given(data=st.data())
    async def test_every_value_of_the_type_round_trips_exactly(
        self, compliance_engine: Engine, case: ColumnCase, data: st.DataObject
    ) -> None:
        model = await _table(compliance_engine, case)
        strategy = st.sampled_from(case.examples) | case.values if case.examples else case.values
        value = data.draw(strategy, label=case.name)
        _assert_exactly(case.expected(value), await _written_and_read(model, value))

    @CASES
    async def test_none_round_trips_in_a_nullable_column(self, compliance_engine: Engine, case: ColumnCase) -> None:
        model: Any = await _table(compliance_engine, case)
        row = await model.create(v=None)
        assert (await model.get(model.id == row.id)).v is None
        assert await model.where(model.v.is_null()).count() == 1

    @FILTERABLE_CASES
    async def test_a_stored_value_is_found_by_equality_and_in(
        self, compliance_engine: Engine, case: ColumnCase
    ) -> None:
        assert len(case.examples) >= 2, f"the {case.name} ColumnCase needs two distinct examples"
        model: Any = await _table(compliance_engine, case)
        first, second = case.examples[0], case.examples[1]
        a = await model.create(v=first)
        b = await model.create(v=second)
        await model.create(v=None)
        assert [r.id for r in await model.where(model.v == first)] == [a.id]
        assert sorted(r.id for r in await model.where(model.v.in_([first, second]))) == sorted([a.id, b.id])

    async def test_json_paths_filter_by_key_and_index_with_the_operand_type(self, compliance_engine: Engine) -> None:
        [case] = [c for c in COLUMN_CASES if c.name == "json"]
        model: Any = await _table(compliance_engine, case)
        docs = [
            {"n": 1, "name": "ann", "tags": ["x", "y"], "deep": {"ok": True}},
            {"n": 2.5, "name": "bob", "tags": ["y"], "deep": {"ok": False}},
            {"n": "1", "name": "it's", "tags": [], "deep": {"ok": None}},
            {"name": "d"},
        ]
        ids = [(await model.create(v=doc)).id for doc in docs]
        v = model.v

        async def found(condition: Any) -> list[int]:
            return sorted(ids.index(r.id) for r in await model.where(condition))

        assert await found(v["n"] == 1) == [0]  # the string "1" is another JSON type
        assert await found(v["n"] == "1") == [2]
        assert await found(v["n"] > 1) == [1]
        assert await found(v["name"] == "it's") == [2]
        assert await found(v["name"].in_(["ann", "d"])) == [0, 3]
        assert await found(v["tags"][0] == "y") == [1]
        assert await found(v["deep"]["ok"] == True) == [0]  # noqa: E712 (a JSON true, not 1)
        assert await found(v["n"].is_null()) == [3]
        assert await found(v["deep"]["ok"].is_null()) == [2, 3]  # JSON null and a missing key
