"""The six model hooks run around save()/delete(), never for QuerySet.update/delete."""

from __future__ import annotations

import pytest

from kakaorm import IntColumn, Model, StrColumn

calls: list[tuple[str, object]] = []


class HookArticle(Model):
    title = StrColumn(nullable=False)
    version = IntColumn(nullable=False, default=0)
    slug = StrColumn()

    async def before_insert(self) -> None:
        calls.append(("before_insert", self.id))
        self.slug = self.title.lower().replace(" ", "-")

    async def after_insert(self) -> None:
        calls.append(("after_insert", self.id))

    async def before_update(self) -> None:
        calls.append(("before_update", self.version))
        self.version += 1

    async def after_update(self) -> None:
        calls.append(("after_update", self.version))

    async def before_delete(self) -> None:
        calls.append(("before_delete", self.is_saved))

    async def after_delete(self) -> None:
        calls.append(("after_delete", self.is_saved))


class HookGuarded(Model):
    name = StrColumn(nullable=False)

    async def before_insert(self) -> None:
        if self.name == "forbidden":
            raise ValueError("this name is not allowed")

    async def before_delete(self) -> None:
        raise PermissionError("rows of this table are never deleted")


@pytest.fixture(autouse=True)
def clear_calls():
    calls.clear()


async def test_insert_hooks_run_around_the_insert_and_see_the_new_key(engine):
    await engine.create_table(HookArticle)
    article = await HookArticle.create(title="Hello World")
    assert calls == [("before_insert", None), ("after_insert", 1)]
    stored = await HookArticle.get(HookArticle.id == article.id)
    assert stored.slug == "hello-world"


async def test_update_hooks_run_on_save_of_a_saved_instance(engine):
    await engine.create_table(HookArticle)
    article = await HookArticle.create(title="a")
    calls.clear()
    article.title = "b"
    await article.save()
    await article.save()
    assert calls == [
        ("before_update", 0), ("after_update", 1), ("before_update", 1), ("after_update", 2)
    ]
    stored = await HookArticle.get(HookArticle.id == article.id)
    assert (stored.title, stored.version) == ("b", 2)


async def test_delete_hooks_run_around_the_delete(engine):
    await engine.create_table(HookArticle)
    article = await HookArticle.create(title="a")
    calls.clear()
    await article.delete()
    assert calls == [("before_delete", True), ("after_delete", False)]
    assert await HookArticle.count() == 0


async def test_queryset_update_and_delete_run_no_hooks(engine):
    await engine.create_table(HookArticle)
    await HookArticle.create(title="a")
    await HookArticle.create(title="b")
    calls.clear()
    assert await HookArticle.all().update(title="c") == 2
    assert await HookArticle.where(HookArticle.id == 1).delete() == 1
    assert calls == []
    assert [(a.title, a.version) for a in await HookArticle.all()] == [("c", 0)]


async def test_bulk_create_runs_no_hooks(engine):
    await engine.create_table(HookArticle)
    await HookArticle.bulk_create([HookArticle(title="a"), HookArticle(title="b")])
    assert calls == []
    assert [a.slug for a in await HookArticle.all()] == [None, None]


async def test_an_exception_in_a_before_hook_stops_the_statement(engine):
    await engine.create_table(HookGuarded)
    with pytest.raises(ValueError, match="not allowed"):
        await HookGuarded.create(name="forbidden")
    row = await HookGuarded.create(name="fine")
    with pytest.raises(PermissionError):
        await row.delete()
    assert [r.name for r in await HookGuarded.all()] == ["fine"]
    assert row.is_saved


class AuditMixin:
    """Hooks that a model gets from a base class rather than defining them itself."""

    async def after_update(self) -> None:
        calls.append(("after_update", type(self).__name__))

    async def before_delete(self) -> None:
        calls.append(("before_delete", type(self).__name__))


class HookInherited(AuditMixin, Model):
    name = StrColumn(nullable=False)


async def test_hooks_inherited_from_a_mixin_run(engine):
    await engine.create_table(HookInherited)
    row = await HookInherited.create(name="a")
    row.name = "b"
    await row.save()
    await row.delete()
    assert calls == [("after_update", "HookInherited"), ("before_delete", "HookInherited")]
    assert await HookInherited.count() == 0
    assert row.is_saved is False


async def test_a_hook_assigned_on_one_instance_runs_for_that_instance_only(engine):
    await engine.create_table(HookInherited)
    row = HookInherited(name="own")

    async def mark() -> None:
        calls.append(("before_insert", row.name))

    row.before_insert = mark  # type: ignore[method-assign]
    await row.save()
    await HookInherited.create(name="other")
    assert calls == [("before_insert", "own")]
    assert [r.name for r in await HookInherited.all().order_by(HookInherited.id)] == ["own", "other"]
