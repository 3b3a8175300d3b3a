"""A model's deletion strategy is an object in ``_meta.deletion``: plain models delete
rows, SoftDeleteModel marks them, ArchiveModel moves them; each strategy answers the
ORM's questions (which rows queries see, which columns it writes itself)."""

from __future__ import annotations

import pytest

from kakaorm import ArchiveModel, IntColumn, Model, QueryError, SoftDeleteModel, StrColumn
from kakaorm.compiler import SQLCompiler
from kakaorm.expr import IsNull
from kakaorm.orm.archive import ArchiveStrategy
from kakaorm.orm.deletion import DEFAULT_SCOPE, INCLUDE_SCOPE, ONLY_SCOPE, DeleteStrategy
from kakaorm.orm.soft_delete import SoftDeleteStrategy


class DsNote(Model):
    text = StrColumn(nullable=False)


class DsSoftNote(SoftDeleteModel):
    text = StrColumn(nullable=False)


class DsArchivedNote(ArchiveModel):
    text = StrColumn(nullable=False)


class DsChildSoftNote(DsSoftNote):
    rank = IntColumn(nullable=True)


def test_each_model_holds_the_strategy_of_its_base_class():
    assert type(DsNote._meta.deletion) is DeleteStrategy
    assert type(DsSoftNote._meta.deletion) is SoftDeleteStrategy
    assert type(DsArchivedNote._meta.deletion) is ArchiveStrategy
    assert DsChildSoftNote._meta.deletion is DsSoftNote._meta.deletion


def test_a_generated_archive_table_model_deletes_its_rows():
    assert type(DsArchivedNote.archive_model()._meta.deletion) is DeleteStrategy


def test_only_strategies_that_keep_deleted_rows_scope_queries():
    assert (DsNote._meta.deletion.scoped, DsNote._meta.deletion.keeps_deleted_rows) == (False, False)
    assert (DsSoftNote._meta.deletion.scoped, DsSoftNote._meta.deletion.keeps_deleted_rows) == (True, True)
    assert (DsArchivedNote._meta.deletion.scoped, DsArchivedNote._meta.deletion.keeps_deleted_rows) == (True, True)


def test_soft_delete_filters_default_and_only_deleted_queries_on_deleted_at():
    strategy = DsSoftNote._meta.deletion
    default = strategy.scope_where(DsSoftNote, DEFAULT_SCOPE)
    only = strategy.scope_where(DsSoftNote, ONLY_SCOPE)
    assert isinstance(default, IsNull) and default.negate is False
    assert isinstance(only, IsNull) and only.negate is True
    assert strategy.scope_where(DsSoftNote, INCLUDE_SCOPE) is None
    assert strategy.scope_source(DsSoftNote, ONLY_SCOPE) is None


def test_archive_reads_deleted_rows_from_its_archive_table():
    strategy = DsArchivedNote._meta.deletion
    assert strategy.scope_where(DsArchivedNote, ONLY_SCOPE) is None
    assert strategy.scope_source(DsArchivedNote, DEFAULT_SCOPE) is None
    only = strategy.scope_source(DsArchivedNote, ONLY_SCOPE)
    both = strategy.scope_source(DsArchivedNote, INCLUDE_SCOPE)
    assert only is not None and both is not None
    assert SQLCompiler().compile(only).sql == (
        'SELECT "archive_ds_archived_note"."id", "archive_ds_archived_note"."text" '
        'FROM "archive_ds_archived_note"'
    )
    assert SQLCompiler().compile(both).sql == (
        'SELECT "ds_archived_note"."id", "ds_archived_note"."text" FROM "ds_archived_note" '
        'UNION ALL SELECT "archive_ds_archived_note"."id", "archive_ds_archived_note"."text" '
        'FROM "archive_ds_archived_note"'
    )


def test_only_soft_delete_writes_a_column_request_bodies_must_not_set():
    assert DsNote._meta.deletion.managed_columns == frozenset()
    assert DsSoftNote._meta.deletion.managed_columns == frozenset({"deleted_at"})
    assert DsArchivedNote._meta.deletion.managed_columns == frozenset()


def test_refresh_reloads_a_soft_deleted_row_but_not_an_archived_one():
    assert DsNote._meta.deletion.refresh_scope == DEFAULT_SCOPE
    assert DsSoftNote._meta.deletion.refresh_scope == INCLUDE_SCOPE
    assert DsArchivedNote._meta.deletion.refresh_scope == DEFAULT_SCOPE


def test_archive_refuses_to_update_rows_read_from_the_archive():
    with pytest.raises(QueryError, match=r"^update\(\) changes the main table only; restore\(\) archived rows first$"):
        DsArchivedNote._meta.deletion.check_update(DsArchivedNote.all().only_deleted())
    DsArchivedNote._meta.deletion.check_update(DsArchivedNote.all())
    DsSoftNote._meta.deletion.check_update(DsSoftNote.all().only_deleted())


async def test_a_plain_model_has_nothing_to_restore_or_purge():
    strategy = DsNote._meta.deletion
    with pytest.raises(QueryError, match=r"^DsNote deletes rows; there is nothing to restore$"):
        await strategy.restore_rows(DsNote.all())
    with pytest.raises(QueryError, match=r"^DsNote deletes rows; there is nothing to purge$"):
        await strategy.purge_rows(DsNote.all())
