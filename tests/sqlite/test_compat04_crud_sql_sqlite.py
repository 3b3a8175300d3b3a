"""SQL the SQLite compiler writes for 0.4's CRUD helpers, without a database."""

from __future__ import annotations

import pytest

from kakaorm import IntColumn, IntegrityError, Model, QueryError, StrColumn
from kakaorm_sqlite.compiler import SQLiteCompiler


class ScItem(Model):
    name = StrColumn(nullable=False)
    qty = IntColumn()


class ScCode(Model):
    code = StrColumn(primary_key=True)


@pytest.fixture
def compiler() -> SQLiteCompiler:
    return SQLiteCompiler()


def test_a_locked_select_has_no_lock_clause(compiler):
    # SQLite has no row locks; its one connection runs one transaction at a time
    sql = compiler.compile(ScItem.where(ScItem.qty == 1)._for_update()._build_select()).sql
    assert sql == 'SELECT "sc_item"."id", "sc_item"."name", "sc_item"."qty" FROM "sc_item" WHERE "sc_item"."qty" = ?'


def test_select_for_update_is_a_query_error_on_sqlite(compiler):
    with pytest.raises(QueryError, match=r"^SQLite has no row locks, so select_for_update\(\) cannot run on it"):
        compiler.compile(ScItem.all().select_for_update()._build_select())


@pytest.mark.parametrize(
    ("model", "restart", "expected"),
    [
        (ScItem, True, ['DELETE FROM "sc_item"', "DELETE FROM sqlite_sequence WHERE name = 'sc_item'"]),
        (ScItem, False, ['DELETE FROM "sc_item"']),
        (ScCode, True, ['DELETE FROM "sc_code"']),
    ],
)
def test_truncate_is_a_delete_that_forgets_the_sequence_only_when_restarting(compiler, model, restart, expected):
    assert compiler.truncate(model, restart) == expected


def test_create_table_without_if_not_exists(compiler):
    assert compiler.create_table(ScItem, if_not_exists=False) == [
        'CREATE TABLE "sc_item" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "name" TEXT NOT NULL, "qty" INTEGER)'
    ]


def test_drop_table_of_an_unreferenced_table_ignores_cascade(compiler):
    assert compiler.drop_table(ScItem, cascade=True) == ['DROP TABLE IF EXISTS "sc_item"']
    assert compiler.drop_table(ScItem, if_exists=False) == ['DROP TABLE "sc_item"']


def test_the_referencing_foreign_keys_query_binds_the_table_name(compiler):
    sql, params = compiler.referencing_foreign_keys(ScItem, cascade=False)
    assert "pragma_foreign_key_list" in sql and sql.count("?") == 3
    assert params == ["sc_item", "sc_item", "sc_item"]


def test_drop_table_of_a_referenced_table_is_refused(compiler):
    refs = [("sc_box", ""), ("sc_label", "")]
    with pytest.raises(IntegrityError, match=r"^cannot drop table 'sc_item': sc_box, sc_label reference it"):
        compiler.drop_table(ScItem, referenced_by=refs)
    with pytest.raises(QueryError, match=r"^drop_table\(ScItem, cascade=True\): SQLite cannot drop the foreign keys"):
        compiler.drop_table(ScItem, cascade=True, referenced_by=refs)
