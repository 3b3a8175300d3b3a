"""0.4's table keywords on every backend: create_table(if_not_exists=),
drop_table(if_exists=, cascade=), truncate(restart_identity=) on the engine and the
model, next to the variadic create_table(*models)/drop_table(*models)."""

from __future__ import annotations

import pytest

from kakaorm import ForeignKey, IntegrityError, Model, ProgrammingError, QueryError, StrColumn


class DdShelf(Model):
    label = StrColumn(nullable=False)


class DdBox(Model):
    shelf = ForeignKey(DdShelf, nullable=True, on_delete="CASCADE")
    name = StrColumn()


class DdNode(Model):
    """Refers to itself only: nothing else depends on it."""

    parent = ForeignKey("DdNode", nullable=True)


async def _tables(engine) -> list[str]:
    family = engine.dialect.name
    if family == "sqlite":
        rows = await engine.fetch("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'dd_%%'")
    elif family == "postgresql":
        rows = await engine.fetch(
            "SELECT table_name AS name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_name LIKE 'dd_%%'"
        )
    else:
        rows = await engine.fetch(
            "SELECT table_name AS name FROM information_schema.tables "
            "WHERE table_schema = DATABASE() AND table_name LIKE 'dd_%%'"
        )
    return sorted(str(r["name"]) for r in rows)


# -- create_table ----------------------------------------------------------------------


async def test_create_table_if_not_exists_is_the_default_and_keeps_the_rows(engine):
    await engine.create_table(DdShelf, DdBox)
    await DdShelf.create(label="kept")
    await engine.create_table(DdShelf, DdBox)
    await engine.create_table(DdShelf, if_not_exists=True)
    assert [s.label for s in await DdShelf.all()] == ["kept"]
    assert await _tables(engine) == ["dd_box", "dd_shelf"]


async def test_create_table_without_if_not_exists_refuses_an_existing_table(engine):
    await engine.create_table(DdShelf, if_not_exists=False)
    with pytest.raises(ProgrammingError, match="dd_shelf"):
        await engine.create_table(DdShelf, if_not_exists=False)
    assert await _tables(engine) == ["dd_shelf"]


# -- drop_table ------------------------------------------------------------------------


async def test_drop_table_if_exists_is_the_default(engine):
    await engine.drop_table(DdShelf)
    await engine.drop_table(DdShelf, if_exists=True)
    await engine.create_table(DdShelf)
    await engine.drop_table(DdShelf, if_exists=False)
    assert await _tables(engine) == []


async def test_drop_table_without_if_exists_refuses_a_missing_table(engine):
    with pytest.raises(ProgrammingError, match="dd_shelf"):
        await engine.drop_table(DdShelf, if_exists=False)


async def test_drop_table_refuses_a_table_other_tables_reference_and_keeps_their_rows(engine):
    await engine.create_table(DdShelf, DdBox)
    shelf = await DdShelf.create(label="s")
    await DdBox.create(shelf=shelf.id, name="b")
    with pytest.raises(IntegrityError):
        await engine.drop_table(DdShelf)
    # nothing dropped, no referencing row deleted (SQLite's own DROP TABLE would
    # delete the shelf rows first, cascading to the boxes)
    assert await _tables(engine) == ["dd_box", "dd_shelf"]
    assert [(b.name, b.shelf) for b in await DdBox.all()] == [("b", shelf.id)]
    await engine.drop_table(DdBox, DdShelf)
    assert await _tables(engine) == []


@pytest.mark.backends("sqlite")
async def test_drop_table_on_sqlite_names_the_referencing_tables(engine):
    await engine.create_table(DdShelf, DdBox)
    with pytest.raises(IntegrityError) as info:
        await engine.drop_table(DdShelf)
    assert str(info.value) == (
        "cannot drop table 'dd_shelf': dd_box reference it with a foreign key. Drop the "
        "referencing tables first (engine.drop_table(<referencing models>, DdShelf)); SQLite "
        "cannot drop the keys alone (cascade=True)"
    )


@pytest.mark.backends("postgres", "mysql")
async def test_drop_table_cascade_drops_the_referencing_foreign_keys_and_keeps_the_rows(engine):
    await engine.create_table(DdShelf, DdBox)
    shelf = await DdShelf.create(label="s")
    await DdBox.create(shelf=shelf.id, name="b")
    await engine.drop_table(DdShelf, cascade=True)
    assert await _tables(engine) == ["dd_box"]
    assert [(b.name, b.shelf) for b in await DdBox.all()] == [("b", shelf.id)]
    # the foreign key went with the table: a box may name any shelf id now
    await DdBox.create(shelf=12345, name="free")
    assert await DdBox.count() == 2


@pytest.mark.backends("sqlite")
async def test_drop_table_cascade_of_a_referenced_table_is_a_query_error_on_sqlite(engine):
    await engine.create_table(DdShelf, DdBox)
    await DdShelf.create(label="s")
    with pytest.raises(QueryError) as info:
        await engine.drop_table(DdShelf, cascade=True)
    assert str(info.value) == (
        "drop_table(DdShelf, cascade=True): SQLite cannot drop the foreign keys that dd_box hold "
        "on 'dd_shelf' without rebuilding those tables. Drop them first "
        "(engine.drop_table(<referencing models>, DdShelf)), or remove the foreign keys with a migration"
    )
    assert await _tables(engine) == ["dd_box", "dd_shelf"]
    assert await DdShelf.count() == 1


async def test_drop_table_cascade_of_an_unreferenced_table_drops_it_everywhere(engine):
    await engine.create_table(DdShelf, DdBox, DdNode)
    await engine.drop_table(DdBox, cascade=True)
    node = await DdNode.create()
    await DdNode.create(parent=node.id)
    await engine.drop_table(DdNode, cascade=True)  # its own key does not count
    await engine.drop_table(DdShelf, cascade=True, if_exists=False)
    await engine.drop_table(DdShelf, cascade=True)  # gone already: if_exists
    assert await _tables(engine) == []


# -- truncate --------------------------------------------------------------------------


async def _three_shelves() -> None:
    for label in "abc":
        await DdShelf.create(label=label)


@pytest.mark.parametrize("how", ["model", "engine"])
async def test_truncate_restarts_the_keys_by_default(engine, how):
    await engine.create_table(DdShelf)
    await _three_shelves()
    if how == "model":
        await DdShelf.truncate()
    else:
        await engine.truncate(DdShelf)
    assert await DdShelf.count() == 0
    assert (await DdShelf.create(label="new")).id == 1


@pytest.mark.parametrize("how", ["model", "engine"])
async def test_truncate_with_restart_identity_false_keeps_counting(engine, how):
    await engine.create_table(DdShelf)
    await _three_shelves()
    if how == "model":
        await DdShelf.truncate(restart_identity=False)
    else:
        await engine.truncate(DdShelf, restart_identity=False)
    assert await DdShelf.count() == 0
    assert (await DdShelf.create(label="new")).id == 4


async def test_truncate_with_restart_identity_true_restarts(engine):
    await engine.create_table(DdShelf, DdNode)
    await _three_shelves()
    await DdNode.create()
    await engine.truncate(DdShelf, DdNode, restart_identity=True)
    assert ((await DdShelf.create(label="x")).id, (await DdNode.create()).id) == (1, 1)


async def test_engine_table_methods_refuse_a_class_that_is_not_a_concrete_model(engine):
    for call in (engine.create_table, engine.drop_table, engine.truncate):
        with pytest.raises(TypeError, match=r"^<class 'kakaorm\.orm\.model\.Model'> is not a concrete model class$"):
            await call(Model)
