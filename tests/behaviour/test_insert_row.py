"""save() of a new instance: after a model's first INSERT (per way of getting the key),
later ones run its compiled statement under the cache key kept for the model
(kakaorm.orm.persist.insert_row), and must write and report exactly what building
the statement again would."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

import kakaorm
from kakaorm import BoolColumn, DateTimeColumn, DecimalColumn, IntColumn, Model, StrColumn, UUIDColumn
from kakaorm.orm import persist


class IrRow(Model):
    name = StrColumn(nullable=False, max_length=40, unique=True)
    size = IntColumn(nullable=False, default=0)


class IrTyped(Model):
    at = DateTimeColumn(nullable=False)
    price = DecimalColumn(nullable=False, max_digits=8, decimal_places=2)
    flag = BoolColumn(nullable=False)
    ref = UUIDColumn(nullable=False)


class IrCoded(Model):
    code = StrColumn(primary_key=True, max_length=10)
    size = IntColumn(nullable=False, default=0)


def _no_statement(*args: object, **kwargs: object) -> None:
    raise AssertionError("a remembered INSERT built a statement")


async def _rows(engine: kakaorm.Engine) -> list[tuple[int, str, int]]:
    return [(r.id, r.name, r.size) for r in await IrRow.all().order_by(IrRow.id)]


async def test_a_repeated_create_runs_without_building_a_statement(engine, monkeypatch):
    await engine.create_table(IrRow)
    first = await IrRow.create(name="a", size=1)
    # kept on the model (for every engine), the statement in this engine's cache
    assert IrRow._meta.insert_keys[True, engine._key_returned()] in engine._cache
    monkeypatch.setattr(persist, "Insert", _no_statement)
    made = [await IrRow.create(name=n, size=i) for i, n in enumerate("bcd", 2)]
    assert [(m.id, type(m.id), m.is_saved) for m in (first, *made)] == [
        (1, int, True), (2, int, True), (3, int, True), (4, int, True)
    ]
    assert await _rows(engine) == [(1, "a", 1), (2, "b", 2), (3, "c", 3), (4, "d", 4)]


async def test_a_given_key_and_a_generated_one_keep_their_own_statements(engine):
    await engine.create_table(IrRow)
    for round_ in range(2):  # the first round compiles, the second reuses
        given = await IrRow.create(id=50 + 10 * round_, name=f"given{round_}", size=round_)
        made = await IrRow.create(name=f"made{round_}", size=round_)
        # where the database numbers on after a given key differs by backend
        assert (given.id, type(made.id), made.id != given.id) == (50 + 10 * round_, int, True)
        assert [(await IrRow.get(IrRow.id == o.id)).name for o in (given, made)] == [
            f"given{round_}", f"made{round_}"
        ]
    keys = IrRow._meta.insert_keys
    assert keys[False, False] in engine._cache and keys[True, engine._key_returned()] in engine._cache
    assert keys[False, False] != keys[True, engine._key_returned()]
    await engine.create_table(IrCoded)
    for code in ("x1", "x2", "x3"):
        assert (await IrCoded.create(code=code, size=len(code))).code == code
    assert IrCoded._meta.insert_keys[False, False] in engine._cache
    assert [(c.code, c.size) for c in await IrCoded.all().order_by(IrCoded.code)] == [
        ("x1", 2), ("x2", 2), ("x3", 2)
    ]


async def test_values_that_bind_through_a_conversion_are_written_exactly(engine):
    await engine.create_table(IrTyped)
    base = dt.datetime(2026, 12, 7, 9, 15, 30, 125000, tzinfo=dt.UTC)
    for i in range(3):
        await IrTyped.create(
            at=base + dt.timedelta(minutes=i), price=Decimal(f"{i}.75"), flag=i == 1, ref=uuid.UUID(int=i + 7)
        )
    rows = [(r.id, r.at, r.price, r.flag, r.ref) for r in await IrTyped.all().order_by(IrTyped.id)]
    assert rows == [
        (i + 1, base + dt.timedelta(minutes=i), Decimal(f"{i}.75"), i == 1, uuid.UUID(int=i + 7)) for i in range(3)
    ]
    assert [type(v) for v in rows[2]] == [int, dt.datetime, Decimal, bool, uuid.UUID]


async def test_a_refused_row_on_the_remembered_statement_leaves_the_instance_unsaved(engine):
    await engine.create_table(IrRow)
    await IrRow.create(name="a")
    again = IrRow(name="a", size=9)
    with pytest.raises(kakaorm.IntegrityError):
        await again.save()
    assert (again.is_saved, again.id) == (False, None)
    assert await _rows(engine) == [(1, "a", 0)]
    await IrRow.create(name="b", size=2)
    assert [r[1:] for r in await _rows(engine)] == [("a", 0), ("b", 2)]


async def test_a_remembered_insert_in_a_rolled_back_transaction_leaves_no_row(engine):
    await engine.create_table(IrRow)
    await IrRow.create(name="kept")
    with pytest.raises(RuntimeError, match="undo"):
        async with engine.transaction():
            inside = await IrRow.create(name="inside", size=5)
            assert (await IrRow.get(IrRow.id == inside.id)).name == "inside"
            raise RuntimeError("undo")
    assert [r[1:] for r in await _rows(engine)] == [("kept", 0)]


async def test_a_statement_dropped_from_the_compile_cache_is_built_again(engine):
    await engine.create_table(IrRow)
    await IrRow.create(name="a", size=1)
    engine._cache.clear()
    assert (await IrRow.create(name="b", size=2)).id == 2
    assert IrRow._meta.insert_keys[True, engine._key_returned()] in engine._cache
    assert (await IrRow.create(name="c", size=3)).id == 3


async def test_listeners_see_the_same_statement_each_time(engine):
    await engine.create_table(IrRow)
    seen: list[tuple[str, list[object]]] = []
    with engine.listening(after_execute=lambda event: seen.append((event.sql, list(event.params)))):
        await IrRow.create(name="a", size=1)
        await IrRow.create(name="b", size=2)
    assert len(seen) == 2
    assert seen[0][0] == seen[1][0] and seen[0][0].startswith("INSERT INTO ")
    assert [params for _, params in seen] == [["a", 1], ["b", 2]]
