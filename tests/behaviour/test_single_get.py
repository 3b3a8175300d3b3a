"""get()/get_or_none() of one own column compared with a value: after the first call
of a column, operator and value type, later calls reuse its compiled statement under
a short cache key (kakaorm.orm.single_get) and must answer exactly as a QuerySet would."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

import kakaorm
from kakaorm import (
    BoolColumn,
    DateTimeColumn,
    DecimalColumn,
    IntColumn,
    Model,
    QueryError,
    SoftDeleteModel,
    StrColumn,
    UUIDColumn,
)
from kakaorm.orm import single_get


class SgRow(Model):
    name = StrColumn(nullable=False, max_length=40)
    size = IntColumn(nullable=False, default=0)


class SgTyped(Model):
    at = DateTimeColumn(nullable=False)
    price = DecimalColumn(nullable=False, max_digits=8, decimal_places=2)
    flag = BoolColumn(nullable=False)
    ref = UUIDColumn(nullable=False)


class SgSoft(SoftDeleteModel):
    name = StrColumn(nullable=False, max_length=40)


def _short_keys(engine: kakaorm.Engine) -> list[tuple[object, ...]]:
    return [k for k in engine._cache if isinstance(k, tuple) and k[:1] == ("single-get",)]


async def _rows(engine: kakaorm.Engine) -> None:
    await engine.create_table(SgRow)
    await SgRow.bulk_create([SgRow(name=f"n{i}", size=i) for i in range(10)])


async def test_a_repeated_get_runs_without_building_a_query(engine, monkeypatch):
    await _rows(engine)
    assert (await SgRow.get(SgRow.size == 4)).name == "n4"
    assert len(_short_keys(engine)) == 1

    def no_queryset(*args: object) -> None:
        raise AssertionError("a remembered get() built a QuerySet")

    monkeypatch.setattr(single_get.QuerySet, "_for", no_queryset)
    monkeypatch.setattr(single_get, "model_query_key", no_queryset)
    assert [(await SgRow.get(SgRow.size == i)).name for i in (0, 7, 9)] == ["n0", "n7", "n9"]
    assert (await SgRow.get_or_none(SgRow.size == 5)).name == "n5"  # type: ignore[union-attr]
    assert await SgRow.get_or_none(SgRow.size == 42) is None


async def test_each_operator_of_a_column_keeps_its_own_statement(engine):
    await _rows(engine)
    for _ in range(2):  # the first round compiles, the second reuses
        assert (await SgRow.get(SgRow.size == 3)).size == 3
        assert (await SgRow.get(SgRow.size > 8)).size == 9
        assert (await SgRow.get(SgRow.size < 1)).size == 0
        assert (await SgRow.get(SgRow.size >= 9)).size == 9
        assert (await SgRow.get(SgRow.size <= 0)).size == 0
        assert (await SgRow.get(SgRow.name == "n6")).size == 6
        with pytest.raises(SgRow.MultipleResults):
            await SgRow.get(SgRow.size != 3)
    assert len(_short_keys(engine)) == 7


async def test_a_remembered_get_raises_not_found_and_multiple_results(engine):
    await _rows(engine)
    await SgRow.get(SgRow.size == 1)
    with pytest.raises(SgRow.NotFound, match=r"^SgRow\.get\(\): no row matches the query$"):
        await SgRow.get(SgRow.size == 10)
    assert await SgRow.get_or_none(SgRow.size == 10) is None
    await SgRow.create(name="again", size=1)
    with pytest.raises(SgRow.MultipleResults, match=r"^SgRow\.get\(\): more than one row matches"):
        await SgRow.get(SgRow.size == 1)
    with pytest.raises(kakaorm.MultipleResults):
        await SgRow.get_or_none(SgRow.size == 1)


async def test_a_first_get_that_finds_nothing_is_remembered_too(engine):
    await _rows(engine)
    assert await SgRow.get_or_none(SgRow.size == 99) is None
    with pytest.raises(SgRow.NotFound):
        await SgRow.get(SgRow.size == 98)
    assert len(_short_keys(engine)) == 1
    assert (await SgRow.get(SgRow.size == 2)).name == "n2"


async def test_values_that_bind_through_a_conversion_find_their_rows(engine):
    await engine.create_table(SgTyped)
    base = dt.datetime(2026, 12, 6, 10, 30, 15, 250000, tzinfo=dt.UTC)
    refs = [uuid.UUID(int=i + 1) for i in range(4)]
    await SgTyped.bulk_create([
        SgTyped(at=base + dt.timedelta(minutes=i), price=Decimal(f"{i}.25"), flag=i == 2, ref=refs[i])
        for i in range(4)
    ])
    for i in (1, 3, 0):
        row = await SgTyped.get(SgTyped.at == base + dt.timedelta(minutes=i))
        assert (row.price, type(row.price)) == (Decimal(f"{i}.25"), Decimal)
        assert (await SgTyped.get(SgTyped.price == Decimal(f"{i}.25"))).ref == refs[i]
        assert (await SgTyped.get(SgTyped.ref == refs[i])).at == base + dt.timedelta(minutes=i)
    assert (await SgTyped.get(SgTyped.flag == True)).ref == refs[2]  # noqa: E712
    assert (await SgTyped.get(SgTyped.flag == True)).ref == refs[2]  # noqa: E712
    assert len(_short_keys(engine)) == 4


async def test_a_model_with_a_deletion_scope_is_filtered_on_every_get(engine):
    await engine.create_table(SgSoft)
    kept = await SgSoft.create(name="kept")
    gone = await SgSoft.create(name="gone")
    assert (await SgSoft.get(SgSoft.id == gone.id)).name == "gone"
    await gone.delete()
    for _ in range(2):
        with pytest.raises(SgSoft.NotFound):
            await SgSoft.get(SgSoft.id == gone.id)
        assert await SgSoft.get_or_none(SgSoft.id == gone.id) is None
        assert (await SgSoft.get(SgSoft.id == kept.id)).name == "kept"
    assert _short_keys(engine) == []


async def test_a_column_of_another_model_is_refused_every_time(engine):
    await _rows(engine)
    await engine.create_table(SgSoft)
    await SgSoft.create(name="x")
    assert (await SgSoft.get(SgSoft.id == 1)).name == "x"  # not remembered (scope)
    assert (await SgRow.get(SgRow.id == 1)).name == "n0"  # remembered
    for _ in range(2):
        with pytest.raises(QueryError, match=r"SgRow\.id is used, but SgRow is not in this query"):
            await SgSoft.get(SgRow.id == 1)


async def test_a_remembered_get_in_a_transaction_reads_its_uncommitted_row(engine):
    await _rows(engine)
    assert (await SgRow.get(SgRow.name == "n1")).size == 1
    with pytest.raises(RuntimeError, match="undo"):
        async with engine.transaction():
            await SgRow.create(name="inside", size=50)
            assert (await SgRow.get(SgRow.name == "inside")).size == 50
            raise RuntimeError("undo")
    assert await SgRow.get_or_none(SgRow.name == "inside") is None


async def test_a_remembered_get_shows_its_statement_to_listeners(engine):
    await _rows(engine)
    await SgRow.get(SgRow.size == 2)
    seen: list[tuple[str, list[object]]] = []
    with engine.listening(after_execute=lambda event: seen.append((event.sql, list(event.params)))):
        await SgRow.get(SgRow.size == 8)
    assert len(seen) == 1
    sql, params = seen[0]
    assert sql.startswith("SELECT ") and "size" in sql
    assert params == [8, 2]  # the value, then get()'s LIMIT of two rows
