"""Model declarations: table names, keys, column options and foreign keys, on every backend."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from kakaorm import (
    BoolColumn,
    DateTimeColumn,
    ForeignKey,
    IntColumn,
    IntegrityError,
    Model,
    StrColumn,
)


class BlogPostEntry(Model):
    headline = StrColumn(nullable=False)


class MdlNamed(Model):
    label = StrColumn()

    class Meta:
        table_name = "mdl_custom_name"


_counter = itertools.count(1)


class MdlDefaults(Model):
    status = StrColumn(nullable=False, max_length=20, default="draft")
    ticket = IntColumn(nullable=False, default=lambda: next(_counter))
    active = BoolColumn(nullable=False, default=True)
    note = StrColumn()


class MdlUnique(Model):
    email = StrColumn(nullable=False, unique=True, max_length=100)


class MdlChecked(Model):
    price = IntColumn(nullable=False, check="price > 0")


class MdlIndexed(Model):
    name = StrColumn(nullable=False, max_length=50, index=True)
    category = StrColumn(nullable=False, max_length=50)
    price = IntColumn(nullable=False)

    class Meta:
        indexes = [("category", "price"), ("name", "category")]


class MdlCountry(Model):
    code = StrColumn(primary_key=True, max_length=2)
    name = StrColumn(nullable=False)


class MdlManualKey(Model):
    number = IntColumn(primary_key=True)
    label = StrColumn()


class MdlAutoKey(Model):
    serial = IntColumn(primary_key=True, auto_increment=True)
    label = StrColumn()


class MdlStamped(Model):
    title = StrColumn(nullable=False)
    created_at = DateTimeColumn(auto_now_add=True)
    updated_at = DateTimeColumn(auto_now=True)


class MdlRefAuthor(Model):
    """Shapes from the reference: unique and indexed text columns without max_length."""

    name = StrColumn(nullable=False, index=True)
    email = StrColumn(unique=True, nullable=False)

    class Meta:
        indexes = [("name", "email")]


class MdlRefCountry(Model):
    code = StrColumn(primary_key=True, nullable=False)
    name = StrColumn(nullable=False)


class MdlParent(Model):
    name = StrColumn(nullable=False)


class MdlCascadeChild(Model):
    parent_id = ForeignKey(MdlParent, nullable=False)


class MdlSetNullChild(Model):
    parent_id = ForeignKey(MdlParent, on_delete="SET NULL")


class MdlRestrictChild(Model):
    parent_id = ForeignKey(MdlParent, on_delete="RESTRICT")


class MdlNoActionChild(Model):
    parent_id = ForeignKey(MdlParent, on_delete="NO ACTION")


class MdlByNameChild(Model):
    parent_id = ForeignKey("MdlParent", nullable=False)


async def test_table_name_defaults_to_snake_case_of_the_class_name(engine):
    await engine.create_table(BlogPostEntry)
    await BlogPostEntry.create(headline="hello")
    assert BlogPostEntry._meta.table_name == "blog_post_entry"
    assert await engine.fetchval("SELECT COUNT(*) FROM blog_post_entry") == 1


async def test_meta_table_name_overrides_the_default(engine):
    await engine.create_table(MdlNamed)
    await MdlNamed.create(label="x")
    assert await engine.fetchval("SELECT label FROM mdl_custom_name") == "x"


async def test_an_integer_id_key_is_added_when_no_column_is_a_primary_key(engine):
    await engine.create_table(BlogPostEntry)
    first = await BlogPostEntry.create(headline="a")
    second = await BlogPostEntry.create(headline="b")
    assert BlogPostEntry._meta.names == ("id", "headline")
    assert (first.id, second.id) == (1, 2)
    assert type(first.id) is int


async def test_defaults_fill_missing_values_and_callables_run_per_instance(engine):
    await engine.create_table(MdlDefaults)
    a = await MdlDefaults.create()
    b = await MdlDefaults.create(status="published")
    assert (a.status, a.active, a.note) == ("draft", True, None)
    assert b.status == "published"
    assert b.ticket == a.ticket + 1
    rows = await MdlDefaults.all().order_by(MdlDefaults.id)
    assert [r.to_dict() for r in rows] == [a.to_dict(), b.to_dict()]


async def test_constant_defaults_are_also_declared_in_the_table(engine):
    await engine.create_table(MdlDefaults)
    await engine.execute("INSERT INTO mdl_defaults (ticket) VALUES (%s)", [77])
    row = await MdlDefaults.get(MdlDefaults.ticket == 77)
    assert (row.status, row.active, row.note) == ("draft", True, None)
    assert type(row.active) is bool


async def test_columns_are_nullable_by_default(engine):
    await engine.create_table(MdlDefaults)
    row = await MdlDefaults.create(note=None)
    assert (await MdlDefaults.get(MdlDefaults.id == row.id)).note is None


async def test_missing_value_of_a_not_null_column_raises_integrity_error_naming_it(engine):
    await engine.create_table(MdlStamped)
    with pytest.raises(IntegrityError, match=r"MdlStamped\.title is NOT NULL"):
        await MdlStamped.create()
    assert await MdlStamped.count() == 0


async def test_unique_column_rejects_a_duplicate(engine):
    await engine.create_table(MdlUnique)
    await MdlUnique.create(email="a@example.com")
    with pytest.raises(IntegrityError):
        await MdlUnique.create(email="a@example.com")
    assert await MdlUnique.count() == 1


async def test_check_constraint_rejects_rows_that_break_it(engine):
    await engine.create_table(MdlChecked)
    ok = await MdlChecked.create(price=5)
    with pytest.raises(IntegrityError):
        await MdlChecked.create(price=0)
    with pytest.raises(IntegrityError):
        await MdlChecked.where(MdlChecked.id == ok.id).update(price=-1)
    assert [r.price for r in await MdlChecked.all()] == [5]


async def test_create_table_with_indexes_is_idempotent(engine):
    await engine.create_table(MdlIndexed)
    await engine.create_table(MdlIndexed)
    await MdlIndexed.create(name="pen", category="office", price=3)
    assert MdlIndexed._meta.all_indexes() == [("category", "price"), ("name", "category"), ("name",)]
    assert await MdlIndexed.where(MdlIndexed.category == "office").count() == 1


async def test_custom_primary_key_is_inserted_and_used_for_updates(engine):
    await engine.create_table(MdlCountry)
    jp = await MdlCountry.create(code="JP", name="Japan")
    await MdlCountry.create(code="US", name="United States")
    jp.name = "Japan (updated)"
    await jp.save()
    assert MdlCountry._meta.pk.name == "code"
    assert "id" not in MdlCountry._meta.columns
    rows = await MdlCountry.all().order_by(MdlCountry.code)
    assert [(c.code, c.name) for c in rows] == [("JP", "Japan (updated)"), ("US", "United States")]
    assert repr(jp) == "<MdlCountry code='JP'>"


async def test_changing_a_custom_primary_key_and_saving_moves_the_row(engine):
    await engine.create_table(MdlCountry)
    c = await MdlCountry.create(code="UK", name="Britain")
    c.code = "GB"
    await c.save()
    assert [(r.code, r.name) for r in await MdlCountry.all()] == [("GB", "Britain")]
    c.name = "Great Britain"
    await c.save()
    assert (await MdlCountry.get(MdlCountry.code == "GB")).name == "Great Britain"


async def test_integer_primary_key_without_auto_increment_needs_a_value(engine):
    await engine.create_table(MdlManualKey)
    row = await MdlManualKey.create(number=42, label="answer")
    assert (await MdlManualKey.get(MdlManualKey.number == 42)).label == "answer"
    assert row.number == 42
    with pytest.raises(IntegrityError, match=r"MdlManualKey\.number is NOT NULL"):
        await MdlManualKey.create(label="no key")


async def test_auto_increment_key_with_a_custom_name_is_generated(engine):
    await engine.create_table(MdlAutoKey)
    a = await MdlAutoKey.create(label="a")
    b = await MdlAutoKey.create(label="b")
    assert (a.serial, b.serial) == (1, 2)
    assert repr(b) == "<MdlAutoKey serial=2>"


async def test_auto_now_add_is_set_once_and_auto_now_on_every_save(engine):
    await engine.create_table(MdlStamped)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    row = await MdlStamped.create(title="a")
    assert row.created_at is not None and row.created_at.tzinfo is not None
    assert before <= row.created_at
    assert row.updated_at == row.created_at
    created = row.created_at
    fresh = await MdlStamped.get(MdlStamped.id == row.id)
    assert (fresh.created_at, fresh.updated_at) == (created, created)

    row.updated_at = created - dt.timedelta(days=1)  # auto_now overrides what was set
    row.title = "b"
    await row.save()
    assert row.created_at == created
    assert row.updated_at >= created
    fresh = await MdlStamped.get(MdlStamped.id == row.id)
    assert fresh.to_dict() == row.to_dict()


async def test_queryset_update_sets_auto_now_columns(engine):
    await engine.create_table(MdlStamped)
    row = await MdlStamped.create(title="a")
    old = row.updated_at - dt.timedelta(days=3)
    await MdlStamped.where(MdlStamped.id == row.id).update(updated_at=old)
    assert (await MdlStamped.get(MdlStamped.id == row.id)).updated_at == old
    await MdlStamped.where(MdlStamped.id == row.id).update(title="b")
    fresh = await MdlStamped.get(MdlStamped.id == row.id)
    assert fresh.updated_at > old
    assert fresh.created_at == row.created_at


async def test_foreign_key_to_a_missing_row_is_rejected(engine):
    await engine.create_table(MdlParent, MdlCascadeChild)
    with pytest.raises(IntegrityError):
        await MdlCascadeChild.create(parent_id=999)
    assert await MdlCascadeChild.count() == 0


async def test_foreign_key_cascade_is_the_default_and_deletes_children(engine):
    await engine.create_table(MdlParent, MdlCascadeChild)
    keep = await MdlParent.create(name="keep")
    drop = await MdlParent.create(name="drop")
    await MdlCascadeChild.create(parent_id=keep.id)
    await MdlCascadeChild.create(parent_id=drop.id)
    await MdlCascadeChild.create(parent_id=drop.id)
    assert MdlCascadeChild.parent_id.on_delete == "CASCADE"
    await drop.delete()
    assert [c.parent_id for c in await MdlCascadeChild.all()] == [keep.id]


async def test_foreign_key_set_null_clears_the_reference(engine):
    await engine.create_table(MdlParent, MdlSetNullChild)
    parent = await MdlParent.create(name="p")
    child = await MdlSetNullChild.create(parent_id=parent.id)
    await parent.delete()
    assert (await MdlSetNullChild.get(MdlSetNullChild.id == child.id)).parent_id is None


@pytest.mark.parametrize("child_model", [MdlRestrictChild, MdlNoActionChild], ids=["restrict", "no-action"])
async def test_foreign_key_restrict_and_no_action_prevent_deleting_a_referenced_row(engine, child_model):
    await engine.create_table(MdlParent, child_model)
    parent = await MdlParent.create(name="p")
    await child_model.create(parent_id=parent.id)
    with pytest.raises(IntegrityError):
        await MdlParent.where(MdlParent.id == parent.id).delete()
    assert await MdlParent.count() == 1
    assert await child_model.count() == 1


async def test_foreign_key_may_name_its_model_as_a_string(engine):
    await engine.create_table(MdlParent, MdlByNameChild)
    parent = await MdlParent.create(name="p")
    child = await MdlByNameChild.create(parent_id=parent.id)
    assert MdlByNameChild.parent_id.target_model is MdlParent
    assert (await MdlByNameChild.get(MdlByNameChild.id == child.id)).parent_id == parent.id
    with pytest.raises(IntegrityError):
        await MdlByNameChild.create(parent_id=parent.id + 100)



async def test_unique_indexed_and_key_text_columns_need_no_max_length(engine):
    await engine.create_table(MdlRefAuthor, MdlRefCountry)
    await engine.create_table(MdlRefAuthor, MdlRefCountry)
    await MdlRefAuthor.create(name="Alice", email="alice@example.com")
    with pytest.raises(IntegrityError):
        await MdlRefAuthor.create(name="Alicia", email="alice@example.com")
    await MdlRefCountry.create(code="JP", name="Japan")
    with pytest.raises(IntegrityError):
        await MdlRefCountry.create(code="JP", name="Japan again")
    assert await MdlRefAuthor.where(MdlRefAuthor.name == "Alice").count() == 1
