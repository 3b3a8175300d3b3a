"""create / save / delete / get / first / last / all / to_dict / repr on every backend."""

from __future__ import annotations

import gc
from typing import Any

import pytest

import kakaorm
from kakaorm import BoolColumn, IntColumn, Model, StrColumn


class CrudTask(Model):
    title = StrColumn(nullable=False)
    done = BoolColumn(nullable=False, default=False)
    priority = IntColumn(nullable=False, default=3)

    class Meta:
        table_name = "task"


class CrudNote(Model):
    body = StrColumn()


class CrudTicket(Model):
    """Nothing but the generated key."""


class CrudLooked(Model):
    """Missing attributes read as a value: KakaORM must keep to the instance dict."""

    title = StrColumn(nullable=False)

    def __getattr__(self, name: str) -> Any:
        return "looked up"


def holds_a_dict(obj: object) -> bool:
    """Whether CPython built a ``__dict__`` for ``obj`` (one keeping its attributes
    inside itself shows the collector its values, one with a dict the dict)."""
    return any(type(r) is dict for r in gc.get_referents(obj))


async def test_create_inserts_a_row_and_sets_the_generated_key(engine):
    await engine.create_table(CrudTask)
    task = await CrudTask.create(title="Try KakaORM")
    assert (task.id, task.title, task.done, task.priority) == (1, "Try KakaORM", False, 3)
    assert task.is_saved
    assert await engine.fetchval("SELECT COUNT(*) FROM task") == 1


async def test_get_returns_an_equal_instance_with_python_types(engine):
    await engine.create_table(CrudTask)
    created = await CrudTask.create(title="a", done=True, priority=1)
    fetched = await CrudTask.get(CrudTask.id == created.id)
    assert fetched.to_dict() == {"id": 1, "title": "a", "done": True, "priority": 1}
    assert type(fetched.done) is bool
    assert fetched == created
    assert fetched is not created


async def test_save_inserts_a_new_instance_then_updates_it(engine):
    await engine.create_table(CrudTask)
    task = CrudTask(title="draft")
    assert not task.is_saved
    await task.save()
    assert task.id == 1
    task.title = "final"
    task.done = True
    await task.save()
    assert await CrudTask.count() == 1
    fresh = await CrudTask.get(CrudTask.id == 1)
    assert (fresh.title, fresh.done) == ("final", True)


async def test_writing_an_instance_builds_no_dict_for_it(engine):
    await engine.create_table(CrudTask)
    created = await CrudTask.create(title="a")
    built = CrudTask(title="b", priority=1)
    await built.save()
    built.done = True
    await built.save()
    loaded = await CrudTask.get(CrudTask.id == 2)
    assert (created.is_saved, built.is_saved, loaded == built, len({created, built, loaded})) == (True, True, True, 2)
    assert (repr(loaded), loaded.to_dict()) == ("<CrudTask id=2>", {"id": 2, "title": "b", "done": True, "priority": 1})
    await created.delete()
    assert created.is_saved is False
    assert [holds_a_dict(o) for o in (created, built, loaded)] == [False, False, False]
    assert vars(built) == {"id": 2, "title": "b", "done": True, "priority": 1, "_kakaorm_pk": 2}


async def test_writing_a_model_with_its_own_getattr_goes_through_the_dict(engine):
    await engine.create_table(CrudLooked)
    looked = CrudLooked(title="x")
    assert looked.is_saved is False  # the missing key is not read through __getattr__
    await looked.save()
    assert (looked.id, looked.is_saved, looked.__dict__["_kakaorm_pk"]) == (1, True, 1)
    del looked.title
    with pytest.raises(kakaorm.IntegrityError, match=r"^CrudLooked\.title is NOT NULL and has no value; "):
        await looked.save()
    assert [r.title for r in await CrudLooked.all()] == ["x"]


async def test_save_updates_only_its_own_row(engine):
    await engine.create_table(CrudTask)
    a = await CrudTask.create(title="a")
    b = await CrudTask.create(title="b")
    a.priority = 9
    await a.save()
    rows = await CrudTask.all().order_by(CrudTask.id)
    assert [(r.id, r.priority) for r in rows] == [(a.id, 9), (b.id, 3)]


async def test_save_of_a_row_deleted_meanwhile_raises_not_found(engine):
    await engine.create_table(CrudTask)
    task = await CrudTask.create(title="a")
    await CrudTask.where(CrudTask.id == task.id).delete()
    task.title = "b"
    with pytest.raises(CrudTask.NotFound, match="no CrudTask row with id=1"):
        await task.save()
    assert await CrudTask.count() == 0


async def test_delete_removes_the_row_and_marks_the_instance_unsaved(engine):
    await engine.create_table(CrudTask)
    a = await CrudTask.create(title="a")
    b = await CrudTask.create(title="b")
    await a.delete()
    assert [t.id for t in await CrudTask.all()] == [b.id]
    assert not a.is_saved
    with pytest.raises(kakaorm.QueryError, match="not in the database"):
        await a.delete()


async def test_deleted_instance_saved_again_is_inserted_as_a_new_row(engine):
    await engine.create_table(CrudNote)
    note = await CrudNote.create(body="x")
    await note.delete()
    await note.save()
    assert [(n.id, n.body) for n in await CrudNote.all()] == [(1, "x")]


async def test_get_raises_not_found_when_nothing_matches(engine):
    await engine.create_table(CrudTask)
    with pytest.raises(CrudTask.NotFound, match=r"CrudTask\.get\(\): no row matches"):
        await CrudTask.get(CrudTask.id == 1)
    with pytest.raises(kakaorm.NotFound):
        await CrudTask.get(CrudTask.title == "missing")


async def test_get_raises_multiple_results_when_several_rows_match(engine):
    await engine.create_table(CrudTask)
    await CrudTask.create(title="same")
    await CrudTask.create(title="same")
    with pytest.raises(CrudTask.MultipleResults, match="more than one row"):
        await CrudTask.get(CrudTask.title == "same")
    with pytest.raises(kakaorm.MultipleResults):
        await CrudTask.get_or_none(CrudTask.title == "same")


async def test_model_not_found_is_specific_to_its_model(engine):
    await engine.create_table(CrudTask)
    assert issubclass(CrudTask.NotFound, kakaorm.NotFound)
    assert issubclass(CrudTask.MultipleResults, kakaorm.MultipleResults)
    assert CrudTask.NotFound is not CrudNote.NotFound
    with pytest.raises(CrudTask.NotFound) as info:
        await CrudTask.get(CrudTask.id == 7)
    assert not isinstance(info.value, CrudNote.NotFound)


async def test_get_or_none_returns_the_row_or_none(engine):
    await engine.create_table(CrudTask)
    task = await CrudTask.create(title="a")
    assert await CrudTask.get_or_none(CrudTask.id == task.id) == task
    assert await CrudTask.get_or_none(CrudTask.id == task.id + 1) is None


async def test_first_and_last_follow_the_primary_key(engine):
    await engine.create_table(CrudTask)
    assert await CrudTask.first() is None
    assert await CrudTask.last() is None
    for title in ["b", "c", "a"]:
        await CrudTask.create(title=title)
    first, last = await CrudTask.first(), await CrudTask.last()
    assert first is not None and last is not None
    assert (first.id, first.title) == (1, "b")
    assert (last.id, last.title) == (3, "a")


async def test_all_returns_every_row_as_instances(engine):
    await engine.create_table(CrudTask)
    for title in ["a", "b", "c"]:
        await CrudTask.create(title=title)
    rows = await CrudTask.all()
    assert sorted(r.title for r in rows) == ["a", "b", "c"]
    assert all(type(r) is CrudTask and r.is_saved for r in rows)


async def test_to_dict_has_every_column_in_declaration_order(engine):
    await engine.create_table(CrudTask)
    task = await CrudTask.create(title="a")
    data = task.to_dict()
    assert list(data) == ["id", "title", "done", "priority"]
    assert data == {"id": 1, "title": "a", "done": False, "priority": 3}


async def test_repr_shows_the_class_and_primary_key(engine):
    await engine.create_table(CrudTask)
    task = await CrudTask.create(title="a")
    assert repr(task) == "<CrudTask id=1>"
    assert repr(CrudTask(title="unsaved")) == "<CrudTask id=None>"
    assert repr(await CrudTask.where(CrudTask.done == False)) == "[<CrudTask id=1>]"  # noqa: E712


async def test_refresh_reloads_values_changed_by_another_query(engine):
    await engine.create_table(CrudTask)
    task = await CrudTask.create(title="a")
    await CrudTask.where(CrudTask.id == task.id).update(title="changed")
    await task.refresh()
    assert task.title == "changed"


async def test_model_count_counts_rows(engine):
    await engine.create_table(CrudTask)
    assert await CrudTask.count() == 0
    await CrudTask.create(title="a")
    await CrudTask.create(title="b")
    assert await CrudTask.count() == 2


async def test_a_model_with_only_its_generated_key_can_be_created(engine):
    await engine.create_table(CrudTicket)
    first = await CrudTicket.create()
    second = await CrudTicket.create()
    assert (first.id, second.id) == (1, 2)
    assert [t.id for t in await CrudTicket.all().order_by(CrudTicket.id)] == [1, 2]
