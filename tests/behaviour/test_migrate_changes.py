"""Migrator plans: each kind of change, applied and rolled back, keeping the rows, on
every backend (SQLite rebuilds tables it cannot ALTER)."""

from __future__ import annotations

import pytest

from kakaorm import (
    BoolColumn,
    FloatColumn,
    ForeignKey,
    IntColumn,
    IntegrityError,
    MigrationError,
    Model,
    StrColumn,
)
from kakaorm.migration import Migrator


async def plan(engine, *models, drop=False):
    migrator = Migrator(engine)
    return await (migrator.plan_with_drop(models) if drop else migrator.plan(models))


async def rows(engine, table, *cols):
    names = ", ".join(cols)
    return [tuple(r[c] for c in cols) for r in await engine.fetch(f"SELECT {names} FROM {table} ORDER BY id")]


# -- adding columns --------------------------------------------------------------------


class AddV1(Model):
    title = StrColumn(nullable=False)

    class Meta:
        table_name = "chg_add"


class AddV2(Model):
    title = StrColumn(nullable=False)
    bio = StrColumn()
    rank = IntColumn(nullable=False, default=5)
    flag = BoolColumn(nullable=False, default=True)

    class Meta:
        table_name = "chg_add"


async def test_adding_columns_keeps_rows_and_fills_defaults(engine):
    await engine.create_table(AddV1)
    await AddV1.create(title="a")
    await AddV1.create(title="b")
    p = await plan(engine, AddV2)
    assert p.summary == ["add column chg_add.bio", "add column chg_add.rank", "add column chg_add.flag"]
    assert p.blockers == []
    await p.apply()
    assert await rows(engine, "chg_add", "title", "bio", "rank") == [("a", None, 5), ("b", None, 5)]
    assert [r.flag for r in await AddV2.all().order_by(AddV2.id)] == [True, True]
    assert (await plan(engine, AddV2)).statements == []
    await p.apply_down()
    assert (await plan(engine, AddV1)).statements == []
    assert await rows(engine, "chg_add", "id", "title") == [(1, "a"), (2, "b")]


class AddRequired(Model):
    title = StrColumn(nullable=False)
    code = StrColumn(nullable=False)

    class Meta:
        table_name = "chg_add"


async def test_not_null_column_without_default_on_a_table_with_rows_blocks_the_plan(engine):
    await engine.create_table(AddV1)
    await AddV1.create(title="a")
    p = await plan(engine, AddRequired)
    assert len(p.blockers) == 1
    assert "chg_add.code is added as NOT NULL without a default" in p.blockers[0]
    assert "default=" in p.blockers[0]
    with pytest.raises(MigrationError, match=r"cannot be applied:\n- column chg_add\.code"):
        await p.apply()
    assert (await plan(engine, AddV1)).statements == []  # nothing ran


async def test_not_null_column_without_default_on_an_empty_table_is_added(engine):
    await engine.create_table(AddV1)
    p = await plan(engine, AddRequired)
    assert p.blockers == []
    await p.apply()
    assert (await plan(engine, AddRequired)).statements == []
    await AddRequired.create(title="t", code="c")
    with pytest.raises(IntegrityError):
        await engine.execute("INSERT INTO chg_add (title) VALUES (%s)", ["no code"])


# -- changing columns ---------------------------------------------------------------------


class TypeV1(Model):
    name = StrColumn(max_length=20, nullable=False)
    amount = IntColumn()
    note = StrColumn(nullable=False, default="x")

    class Meta:
        table_name = "chg_type"


class TypeV2(Model):
    name = StrColumn(max_length=200, nullable=False)
    amount = FloatColumn()
    note = StrColumn(nullable=True)

    class Meta:
        table_name = "chg_type"


async def test_type_nullability_and_default_changes_keep_rows(engine):
    await engine.create_table(TypeV1)
    await TypeV1.create(name="short", amount=3)
    await TypeV1.create(name="other", amount=None, note="kept")
    p = await plan(engine, TypeV2)
    assert p.summary == [
        "alter column chg_type.name: type str(20) -> str(200)",
        "alter column chg_type.amount: type int -> float",
        "alter column chg_type.note: nullable, default 'x' -> None",
    ]
    await p.apply()
    assert (await plan(engine, TypeV2)).statements == []
    fetched = await TypeV2.all().order_by(TypeV2.id)
    assert [(r.id, r.name, r.amount, r.note) for r in fetched] == [(1, "short", 3.0, "x"), (2, "other", None, "kept")]
    long_name = "n" * 150
    await TypeV2.create(name=long_name, amount=2.5)
    assert (await TypeV2.get(TypeV2.amount == 2.5)).name == long_name
    await engine.execute("DELETE FROM chg_type WHERE amount = %s", [2.5])
    await p.apply_down()
    assert (await plan(engine, TypeV1)).statements == []
    assert await rows(engine, "chg_type", "id", "name", "note") == [(1, "short", "x"), (2, "other", "kept")]


class NullV1(Model):
    label = StrColumn()

    class Meta:
        table_name = "chg_null"


class NullV2(Model):
    label = StrColumn(nullable=False)

    class Meta:
        table_name = "chg_null"


async def test_making_a_column_not_null_is_blocked_while_it_holds_nulls(engine):
    await engine.create_table(NullV1)
    await NullV1.create(label=None)
    p = await plan(engine, NullV2)
    assert p.summary == ["alter column chg_null.label: NOT NULL"]
    assert p.blockers == [
        "column chg_null.label becomes NOT NULL but has NULL values: set them first (e.g. with "
        "an UPDATE), or keep the column nullable"
    ]
    await NullV1.all().update(label="filled")
    p = await plan(engine, NullV2)
    assert p.blockers == []
    await p.apply()
    assert (await plan(engine, NullV2)).statements == []
    with pytest.raises(IntegrityError):
        await engine.execute("INSERT INTO chg_null (label) VALUES (NULL)")
    assert await rows(engine, "chg_null", "label") == [("filled",)]


class DefaultV1(Model):
    level = IntColumn(nullable=False, default=0)
    kind = StrColumn(max_length=10)

    class Meta:
        table_name = "chg_default"


class DefaultV2(Model):
    level = IntColumn(nullable=False, default=10)
    kind = StrColumn(max_length=10, default="plain")

    class Meta:
        table_name = "chg_default"


async def test_default_changes_apply_to_new_rows_and_roll_back(engine):
    await engine.create_table(DefaultV1)
    p = await plan(engine, DefaultV2)
    assert p.summary == [
        "alter column chg_default.level: default 0 -> 10",
        "alter column chg_default.kind: default None -> 'plain'",
    ]
    await p.apply()
    await engine.execute("INSERT INTO chg_default (id) VALUES (1)")
    assert await rows(engine, "chg_default", "level", "kind") == [(10, "plain")]
    await p.apply_down()
    await engine.execute("INSERT INTO chg_default (id) VALUES (2)")
    assert await rows(engine, "chg_default", "level", "kind") == [(10, "plain"), (0, None)]
    assert (await plan(engine, DefaultV1)).statements == []


# -- indexes, unique constraints, foreign keys ---------------------------------------------


class IndexV1(Model):
    sku = StrColumn(max_length=30, unique=True)
    shelf = IntColumn(index=True)
    price = IntColumn()

    class Meta:
        table_name = "chg_index"


class IndexV2(Model):
    sku = StrColumn(max_length=30)
    shelf = IntColumn()
    price = IntColumn(unique=True)

    class Meta:
        table_name = "chg_index"
        indexes = [("shelf", "price")]


async def test_indexes_and_unique_constraints_are_added_and_dropped(engine):
    await engine.create_table(IndexV1)
    await IndexV1.create(sku="a", shelf=1, price=10)
    p = await plan(engine, IndexV2)
    assert sorted(p.summary) == [
        "add index ix_chg_index_shelf_price on chg_index (shelf, price)",
        "add unique index uq_chg_index_price on chg_index (price)",
        "drop index ix_chg_index_shelf on chg_index (shelf)",
        f"drop unique index {_unique_name(p, 'sku')} on chg_index (sku)",
    ]
    await p.apply()
    assert (await plan(engine, IndexV2)).statements == []
    await IndexV2.create(sku="a", shelf=1, price=20)  # sku no longer unique
    with pytest.raises(IntegrityError):
        await IndexV2.create(sku="b", shelf=2, price=20)
    await engine.execute("DELETE FROM chg_index WHERE sku = %s AND price = %s", ["a", 20])
    await p.apply_down()
    assert (await plan(engine, IndexV1)).statements == []
    assert await rows(engine, "chg_index", "sku", "shelf", "price") == [("a", 1, 10)]


def _unique_name(p, column):
    for line in p.summary:
        if line.startswith("drop unique index") and line.endswith(f"({column})"):
            return line.split()[3]
    raise AssertionError(p.summary)


class FkParent(Model):
    name = StrColumn(nullable=False)

    class Meta:
        table_name = "chg_parent"


class FkChildV1(Model):
    parent_id = IntColumn()

    class Meta:
        table_name = "chg_child"


class FkChildV2(Model):
    parent_id = ForeignKey(FkParent, on_delete="CASCADE")

    class Meta:
        table_name = "chg_child"


async def test_a_new_foreign_key_is_enforced_and_rolled_back(engine):
    await engine.create_table(FkParent, FkChildV1)
    parent = await FkParent.create(name="p")
    await FkChildV1.create(parent_id=parent.id)
    p = await plan(engine, FkParent, FkChildV2)
    assert p.summary == ["add foreign key chg_child(parent_id) -> chg_parent"]
    await p.apply()
    assert (await plan(engine, FkParent, FkChildV2)).statements == []
    with pytest.raises(IntegrityError):
        await FkChildV2.create(parent_id=999)
    await p.apply_down()
    assert (await plan(engine, FkParent, FkChildV1)).statements == []
    await FkChildV1.create(parent_id=999)
    assert await rows(engine, "chg_child", "parent_id") == [(parent.id,), (999,)]


class FkParentV2(Model):
    name = StrColumn(nullable=False, max_length=50)
    extra = StrColumn(nullable=False, default="e")

    class Meta:
        table_name = "chg_parent"


async def test_changing_a_referenced_table_keeps_the_rows_that_reference_it(engine):
    await engine.create_table(FkParent, FkChildV2)
    parents = [await FkParent.create(name=n) for n in ("a", "b")]
    for parent in parents:
        await FkChildV2.create(parent_id=parent.id)
    p = await plan(engine, FkParentV2, FkChildV2)
    assert p.summary == ["add column chg_parent.extra", "alter column chg_parent.name: type str -> str(50)"]
    await p.apply()
    assert await rows(engine, "chg_parent", "id", "name", "extra") == [(1, "a", "e"), (2, "b", "e")]
    assert await rows(engine, "chg_child", "id", "parent_id") == [(1, 1), (2, 2)]
    # the foreign key still cascades after the change (SQLite: after the rebuild)
    await FkParentV2.where(FkParentV2.id == 1).delete()
    assert await rows(engine, "chg_child", "parent_id") == [(2,)]
    new = await FkParentV2.create(name="c")
    assert new.id == 3
    await p.apply_down()
    assert (await plan(engine, FkParent, FkChildV2)).statements == []
    assert await rows(engine, "chg_child", "parent_id") == [(2,)]


# -- drops -----------------------------------------------------------------------------------


class DropV1(Model):
    keep = StrColumn()
    old = IntColumn(index=True)
    parent = ForeignKey(FkParent)

    class Meta:
        table_name = "chg_drop"


class DropV2(Model):
    keep = StrColumn()

    class Meta:
        table_name = "chg_drop"


async def test_a_plain_plan_keeps_columns_and_tables_the_models_lack(engine):
    await engine.create_table(FkParent, DropV1)
    parent = await FkParent.create(name="p")
    await DropV1.create(keep="k", old=1, parent=parent.id)
    p = await plan(engine, DropV2)
    assert p.statements == []
    assert p.skipped_drops == ["column chg_drop.old", "column chg_drop.parent", "table chg_parent"]


async def test_plan_with_drop_drops_them_and_its_down_recreates_them(engine):
    await engine.create_table(FkParent, DropV1)
    parent = await FkParent.create(name="p")
    await DropV1.create(keep="k", old=1, parent=parent.id)
    p = await plan(engine, DropV2, drop=True)
    assert p.skipped_drops == []
    assert p.summary == [
        "drop index ix_chg_drop_old on chg_drop (old)",
        "drop column chg_drop.old",
        "drop column chg_drop.parent",
        "drop table chg_parent",
    ]
    await p.apply()
    assert sorted(await engine.dialect.read_schema(engine)) == ["chg_drop"]
    assert await rows(engine, "chg_drop", "keep") == [("k",)]
    await p.apply_down()
    assert (await plan(engine, FkParent, DropV1, drop=True)).statements == []
    assert await rows(engine, "chg_drop", "keep", "old", "parent") == [("k", None, None)]


# -- failures --------------------------------------------------------------------------------


class FailV1(Model):
    code = StrColumn(max_length=10)

    class Meta:
        table_name = "chg_fail"


class FailV2(Model):
    code = StrColumn(max_length=10, unique=True)
    added = IntColumn()

    class Meta:
        table_name = "chg_fail"


async def test_a_failing_statement_is_reported_and_transactional_ddl_leaves_nothing(engine):
    await engine.create_table(FailV1)
    await FailV1.create(code="same")
    await FailV1.create(code="same")
    p = await plan(engine, FailV2)
    assert p.blockers == []
    with pytest.raises(MigrationError) as caught:
        await p.apply()
    message = str(caught.value)
    assert "applying the migration plan failed at statement" in message
    assert "uq_chg_fail_code" in message
    if engine.features.transactional_ddl:
        assert "rolled back: the schema and the migration history are as they were" in message
        assert (await plan(engine, FailV1)).statements == []
    else:
        assert "already applied" not in message
        assert "the statements before it stay applied:\n  ALTER TABLE `chg_fail` ADD COLUMN `added` BIGINT" in message
        assert [c.name for c in (await engine.dialect.read_schema(engine))["chg_fail"].columns] == [
            "id", "code", "added"
        ]
    assert await rows(engine, "chg_fail", "code") == [("same",), ("same",)]
