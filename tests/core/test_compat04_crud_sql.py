"""SQL the base compiler writes for 0.4's CRUD helpers (row locks, the batched UPDATE of
bulk_update, create/drop/truncate keywords), without a server."""

from __future__ import annotations

import pytest

from kakaorm import IntColumn, Model, StrColumn
from kakaorm.compiler import SQLCompiler
from kakaorm.orm.crud import _case_update


class CcItem(Model):
    name = StrColumn(nullable=False, index=True)
    qty = IntColumn()


@pytest.fixture
def compiler() -> SQLCompiler:
    return SQLCompiler()


def test_a_locked_select_ends_with_for_update(compiler):
    compiled = compiler.compile(CcItem.where(CcItem.name == "a")._for_update().limit(2)._build_select())
    assert compiled.sql == (
        'SELECT "cc_item"."id", "cc_item"."name", "cc_item"."qty" FROM "cc_item" '
        'WHERE "cc_item"."name" = ? LIMIT ? FOR UPDATE'
    )
    assert [p.value for p in compiled.params] == ["a", 2]


def test_each_kind_of_row_lock_has_its_own_compile_cache_key():
    keys = {
        CcItem.all()._for_update()._build_select()._key([]),
        CcItem.all().select_for_update()._build_select()._key([]),
        CcItem.all().select_for_update(nowait=True)._build_select()._key([]),
        CcItem.all().select_for_update(skip_locked=True)._build_select()._key([]),
        CcItem.all().select_for_update(of=[CcItem])._build_select()._key([]),
    }
    assert len(keys) == 5


def test_the_lock_is_part_of_the_compile_cache_key():
    plain = CcItem.all()._build_select()._key([])
    locked = CcItem.all()._for_update()._build_select()._key([])
    assert plain != locked


def test_bulk_update_is_one_update_with_a_case_per_column(compiler):
    cols = [CcItem._meta.columns["name"], CcItem._meta.columns["qty"]]
    compiled = compiler.compile(_case_update(CcItem, cols, [1, 2], [["a", 10], ["b", None]]))
    assert compiled.sql == (
        'UPDATE "cc_item" SET '
        '"name" = CASE WHEN "cc_item"."id" = ? THEN ? WHEN "cc_item"."id" = ? THEN ? ELSE "cc_item"."name" END, '
        '"qty" = CASE WHEN "cc_item"."id" = ? THEN ? WHEN "cc_item"."id" = ? THEN ? ELSE "cc_item"."qty" END '
        'WHERE "cc_item"."id" IN (?, ?)'
    )
    assert [p.value for p in compiled.params] == [1, "a", 2, "b", 1, 10, 2, None, 1, 2]


@pytest.mark.parametrize(
    ("if_not_exists", "expected"),
    [
        (True, [
            'CREATE TABLE IF NOT EXISTS "cc_item" ("id" INTEGER PRIMARY KEY, "name" TEXT NOT NULL, "qty" INTEGER)',
            'CREATE INDEX IF NOT EXISTS "ix_cc_item_name" ON "cc_item" ("name")',
        ]),
        (False, [
            'CREATE TABLE "cc_item" ("id" INTEGER PRIMARY KEY, "name" TEXT NOT NULL, "qty" INTEGER)',
            'CREATE INDEX "ix_cc_item_name" ON "cc_item" ("name")',
        ]),
    ],
)
def test_create_table_if_not_exists(compiler, if_not_exists, expected):
    assert compiler.create_table(CcItem, if_not_exists) == expected


@pytest.mark.parametrize(
    ("if_exists", "cascade", "expected"),
    [
        (True, False, 'DROP TABLE IF EXISTS "cc_item"'),
        (False, False, 'DROP TABLE "cc_item"'),
        (True, True, 'DROP TABLE IF EXISTS "cc_item" CASCADE'),
        (False, True, 'DROP TABLE "cc_item" CASCADE'),
    ],
)
def test_drop_table_keywords(compiler, if_exists, cascade, expected):
    assert compiler.drop_table(CcItem, if_exists=if_exists, cascade=cascade) == [expected]
    assert compiler.referencing_foreign_keys(CcItem, cascade) is None


@pytest.mark.parametrize(
    ("restart", "expected"),
    [(True, 'TRUNCATE TABLE "cc_item" RESTART IDENTITY'), (False, 'TRUNCATE TABLE "cc_item" CONTINUE IDENTITY')],
)
def test_truncate_says_whether_the_identity_restarts(compiler, restart, expected):
    assert compiler.truncate(CcItem, restart) == [expected]
