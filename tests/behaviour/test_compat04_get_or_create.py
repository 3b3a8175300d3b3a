"""0.4's row helpers on every backend: Model.find(), get_or_create() and
update_or_create(), including concurrent calls racing for one row."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from kakaorm import (
    DateTimeColumn,
    IntColumn,
    IntegrityError,
    Model,
    MultipleResults,
    SoftDeleteModel,
    StrColumn,
)


class GcTag(Model):
    name = StrColumn(nullable=False, unique=True, max_length=50)
    color = StrColumn()
    code = StrColumn(unique=True, max_length=10)


class GcCounter(Model):
    """Two fields that concurrent update_or_create calls set independently."""

    slug = StrColumn(nullable=False, unique=True, max_length=50)
    left = IntColumn()
    right = IntColumn()
    touched = DateTimeColumn(auto_now=True)


class GcCountry(Model):
    code = StrColumn(primary_key=True, max_length=2)
    name = StrColumn(nullable=False)


class GcLabel(Model):
    """No unique constraint: get_or_create cannot be race-safe here."""

    text = StrColumn(nullable=False)


class GcHooked(Model):
    key = StrColumn(nullable=False, unique=True, max_length=20)
    value = IntColumn(nullable=False, default=0)
    hook_log: list[str] = []

    async def before_insert(self) -> None:
        GcHooked.hook_log.append(f"insert {self.key}={self.value}")

    async def before_update(self) -> None:
        GcHooked.hook_log.append(f"update {self.key}={self.value}")


class GcSoft(SoftDeleteModel):
    email = StrColumn(nullable=False, unique=True, max_length=50)


# -- find -------------------------------------------------------------------------


async def test_find_returns_the_row_with_that_primary_key_or_none(engine):
    await engine.create_table(GcTag)
    first = await GcTag.create(name="a")
    second = await GcTag.create(name="b")
    found = await GcTag.find(second.id)
    assert found is not None and found is not second
    assert found.to_dict() == {"id": 2, "name": "b", "color": None, "code": None}
    assert (await GcTag.find(first.id)) == first
    assert await GcTag.find(99) is None
    assert await GcTag.find(None) is None


async def test_find_works_with_a_primary_key_that_is_not_id(engine):
    await engine.create_table(GcCountry)
    await GcCountry.create(code="JP", name="Japan")
    found = await GcCountry.find("JP")
    assert found is not None and found.to_dict() == {"code": "JP", "name": "Japan"}
    assert await GcCountry.find("FR") is None


async def test_find_with_a_key_of_the_wrong_type_is_a_type_error(engine):
    await engine.create_table(GcTag)
    with pytest.raises(TypeError, match=r"^GcTag\.id is a IntColumn and takes an int, not str \('1'\)$"):
        await GcTag.find("1")


async def test_find_skips_soft_deleted_rows(engine):
    await engine.create_table(GcSoft)
    row = await GcSoft.create(email="a@x")
    await row.delete()
    assert await GcSoft.find(row.id) is None


# -- get_or_create ----------------------------------------------------------------


async def test_get_or_create_creates_the_row_from_lookup_and_defaults(engine):
    await engine.create_table(GcTag)
    tag, created = await GcTag.get_or_create(name="python", defaults={"color": "blue"})
    assert created is True
    assert tag.is_saved
    assert tag.to_dict() == {"id": 1, "name": "python", "color": "blue", "code": None}
    assert [t.to_dict() for t in await GcTag.all()] == [tag.to_dict()]


async def test_get_or_create_returns_the_existing_row_and_ignores_defaults(engine):
    await engine.create_table(GcTag)
    await GcTag.create(name="python", color="green")
    tag, created = await GcTag.get_or_create(name="python", defaults={"color": "blue"})
    assert created is False
    assert tag.to_dict() == {"id": 1, "name": "python", "color": "green", "code": None}
    assert await GcTag.count() == 1


async def test_get_or_create_looks_up_by_every_field_given(engine):
    await engine.create_table(GcTag)
    await GcTag.create(name="a", color="red")
    tag, created = await GcTag.get_or_create(name="b", color="red")
    assert (created, tag.id, tag.name, tag.color) == (True, 2, "b", "red")
    again, created = await GcTag.get_or_create(color="red", name="a")
    assert (created, again.id) == (False, 1)


async def test_get_or_create_matches_a_none_lookup_value_with_is_null(engine):
    await engine.create_table(GcTag)
    await GcTag.create(name="plain")
    tag, created = await GcTag.get_or_create(name="plain", color=None)
    assert (created, tag.id) == (False, 1)


async def test_concurrent_get_or_create_creates_exactly_one_row(engine):
    await engine.create_table(GcTag)
    results = await asyncio.gather(
        *(GcTag.get_or_create(name="race", defaults={"color": f"c{i}"}) for i in range(20))
    )
    assert [created for _, created in results].count(True) == 1
    winner = next(tag for tag, created in results if created)
    assert {tag.id for tag, _ in results} == {winner.id}
    assert all(tag.to_dict() == winner.to_dict() for tag, _ in results)
    rows = await GcTag.all()
    assert [r.to_dict() for r in rows] == [winner.to_dict()]


async def test_concurrent_get_or_create_of_different_rows_creates_each_once(engine):
    await engine.create_table(GcTag)
    results = await asyncio.gather(*(GcTag.get_or_create(name=f"t{i % 4}") for i in range(20)))
    assert [created for _, created in results].count(True) == 4
    by_name: dict[str, set[int]] = {}
    for tag, _ in results:
        by_name.setdefault(tag.name, set()).add(tag.id)
    assert sorted(by_name) == ["t0", "t1", "t2", "t3"]
    assert all(len(ids) == 1 for ids in by_name.values())
    assert await GcTag.count() == 4


@pytest.mark.backends("postgres", "mysql")
async def test_get_or_create_in_a_transaction_returns_the_row_another_task_committed_first(engine):
    """Needs two connections: on SQLite the other task would wait for this transaction."""
    await engine.create_table(GcHooked)
    competitor_done = False

    class Racing(GcHooked):
        class Meta:
            table_name = "gc_hooked"

        async def before_insert(self) -> None:
            nonlocal competitor_done
            if not competitor_done:
                competitor_done = True
                # another task (another connection) commits the same key first
                await asyncio.create_task(GcHooked.create(key="k", value=7))

    async with engine.transaction():
        row, created = await Racing.get_or_create(key="k", defaults={"value": 1})
        assert (created, row.key, row.value) == (False, "k", 7)
        # the failed INSERT rolled back to its savepoint: the transaction goes on
        await Racing.create(key="other", value=2)
    assert sorted((r.key, r.value) for r in await GcHooked.all()) == [("k", 7), ("other", 2)]


async def test_get_or_create_reraises_an_integrity_error_of_another_constraint(engine):
    await engine.create_table(GcTag)
    await GcTag.create(name="holder", code="X1")
    with pytest.raises(IntegrityError):
        await GcTag.get_or_create(name="new", defaults={"code": "X1"})
    assert [t.name for t in await GcTag.all()] == ["holder"]


async def test_get_or_create_when_several_rows_match_raises_multiple_results(engine):
    await engine.create_table(GcLabel)
    await GcLabel.create(text="dup")
    await GcLabel.create(text="dup")
    with pytest.raises(MultipleResults, match=r"^GcLabel\.get\(\): more than one row matches the query"):
        await GcLabel.get_or_create(text="dup")


async def test_get_or_create_does_not_see_a_soft_deleted_row_whose_value_blocks_the_insert(engine):
    await engine.create_table(GcSoft)
    row = await GcSoft.create(email="a@x")
    await row.delete()
    with pytest.raises(IntegrityError):
        await GcSoft.get_or_create(email="a@x")
    assert await GcSoft.include_deleted().count() == 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: GcTag.get_or_create(nmae="x"),
            "Unknown field 'nmae' in the lookup of GcTag.get_or_create(); did you mean 'name'?; "
            "valid fields: code, color, id, name",
        ),
        (
            lambda: GcTag.get_or_create(name="x", defaults={"colour": "red"}),
            "Unknown field 'colour' in the defaults of GcTag.get_or_create(); did you mean 'color'?; "
            "valid fields: code, color, id, name",
        ),
        (
            lambda: GcTag.update_or_create(zzz=1),
            "Unknown field 'zzz' in the lookup of GcTag.update_or_create(); valid fields: code, color, id, name",
        ),
        (
            lambda: GcTag.update_or_create(name="x", defaults={"zzz": 1}),
            "Unknown field 'zzz' in the defaults of GcTag.update_or_create(); valid fields: code, color, id, name",
        ),
        (
            lambda: GcTag.get_or_create(defaults={"name": "x"}),
            "GcTag.get_or_create() needs at least one field=value to look the row up by, e.g. "
            "get_or_create(email='a@example.com', defaults={...})",
        ),
        (
            lambda: GcTag.get_or_create(name="x", defaults=[("color", "red")]),
            "GcTag.get_or_create(defaults=...) takes a dict of field values, got list",
        ),
        (
            lambda: GcTag.get_or_create(name=GcTag.color),
            "GcTag.get_or_create(name=...) takes a value, not a column or expression; filter with where() instead",
        ),
        (
            lambda: GcTag.update_or_create(name=5),
            "GcTag.name is a StrColumn and takes a str, not int (5)",
        ),
    ],
)
async def test_bad_arguments_raise_type_error_before_any_statement(engine, sql_log, call, message):
    await engine.create_table(GcTag)
    sql_log.clear()
    with pytest.raises(TypeError) as info:
        await call()
    assert str(info.value) == message
    assert sql_log.statements == []


# -- update_or_create ---------------------------------------------------------------


async def test_update_or_create_creates_the_row_when_none_matches(engine):
    await engine.create_table(GcCounter)
    row, created = await GcCounter.update_or_create(slug="s", defaults={"left": 1})
    assert created is True
    assert (row.id, row.slug, row.left, row.right) == (1, "s", 1, None)
    assert isinstance(row.touched, dt.datetime)


async def test_update_or_create_updates_the_matching_row_and_its_auto_now_column(engine):
    await engine.create_table(GcCounter)
    old = await GcCounter.create(slug="s", left=1, right=2)
    row, created = await GcCounter.update_or_create(slug="s", defaults={"left": 10})
    assert created is False
    assert (row.id, row.left, row.right) == (old.id, 10, 2)
    assert row.touched > old.touched
    fresh = await GcCounter.get(GcCounter.id == old.id)
    assert fresh.to_dict() == row.to_dict()


async def test_update_or_create_runs_the_save_hooks(engine):
    await engine.create_table(GcHooked)
    GcHooked.hook_log.clear()
    await GcHooked.update_or_create(key="a", defaults={"value": 1})
    await GcHooked.update_or_create(key="a", defaults={"value": 2})
    assert GcHooked.hook_log == ["insert a=1", "update a=2"]


async def test_concurrent_update_or_create_creates_one_row_and_applies_every_call(engine):
    await engine.create_table(GcCounter)
    results = await asyncio.gather(
        *(GcCounter.update_or_create(slug="race", defaults={"left": i}) for i in range(20))
    )
    assert [created for _, created in results].count(True) == 1
    rows = await GcCounter.all()
    assert len(rows) == 1
    # every call got the one row (its key need not be 1: InnoDB spends a key on each
    # INSERT that loses the race)
    assert {row.id for row, _ in results} == {rows[0].id}
    assert rows[0].left in range(20)


async def test_update_or_create_keeps_a_change_another_call_makes_meanwhile(engine):
    await engine.create_table(GcCounter)
    await GcCounter.create(slug="shared")
    other: list[asyncio.Task[Any]] = []

    class Slow(GcCounter):
        class Meta:
            table_name = "gc_counter"

        async def before_update(self) -> None:
            if not other:
                # between reading the row and writing it, another task changes the
                # other field of the same row; it must wait for this call's lock
                other.append(asyncio.create_task(
                    GcCounter.update_or_create(slug="shared", defaults={"right": 5})
                ))
                await asyncio.wait(other, timeout=0.5)

    row, created = await Slow.update_or_create(slug="shared", defaults={"left": 1})
    assert (created, row.left, row.right) == (False, 1, None)
    theirs, created = await other[0]
    assert (created, theirs.left, theirs.right) == (False, 1, 5)
    final = await GcCounter.get(GcCounter.slug == "shared")
    assert (final.left, final.right) == (1, 5)
