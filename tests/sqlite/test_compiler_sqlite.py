"""SQL text of the SQLite compiler, without a database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kakaorm import (
    BoolColumn,
    DateColumn,
    DateTimeColumn,
    DecimalColumn,
    FloatColumn,
    ForeignKey,
    IntColumn,
    Model,
    QueryError,
    StrColumn,
    TimeColumn,
)
from kakaorm.statements import Insert
from kakaorm_sqlite.compiler import SQLiteCompiler

PLUS_TWO = dt.timezone(dt.timedelta(hours=2))


class SqlcAuthor(Model):
    name = StrColumn(nullable=False, unique=True)


class SqlcItem(Model):
    code = StrColumn(primary_key=True, max_length=8)
    n = IntColumn(default=0, check="n >= 0")
    f = FloatColumn()
    b = BoolColumn(nullable=False, default=True)
    at = DateTimeColumn(default=dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=PLUS_TWO))
    day = DateColumn()
    tm = TimeColumn(default=dt.time(1, 2, 3))
    amount = DecimalColumn(max_digits=10, decimal_places=2, default=Decimal("0.50"))
    author_id = ForeignKey(SqlcAuthor, on_delete="RESTRICT", nullable=False)

    class Meta:
        indexes = [("n", "day")]


class SqlcManualKey(Model):
    number = IntColumn(primary_key=True)


@pytest.fixture
def compiler() -> SQLiteCompiler:
    return SQLiteCompiler()


def sql_of(compiler: SQLiteCompiler, qs) -> tuple[str, list]:
    compiled = compiler.compile(qs._build_select())
    return compiled.sql, [p.value for p in compiled.params]


def test_generated_keys_use_autoincrement(compiler):
    assert compiler.create_table(SqlcAuthor) == [
        'CREATE TABLE IF NOT EXISTS "sqlc_author" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "name" TEXT NOT NULL UNIQUE)'
    ]


def test_create_table_uses_sqlite_type_names_and_literals(compiler):
    assert compiler.create_table(SqlcItem) == [
        'CREATE TABLE IF NOT EXISTS "sqlc_item" ("code" VARCHAR(8) NOT NULL PRIMARY KEY, '
        '"n" INTEGER DEFAULT 0 CHECK (n >= 0), "f" REAL, "b" BOOLEAN NOT NULL DEFAULT 1, '
        "\"at\" DATETIME DEFAULT '2024-01-02 01:04:05.000000', \"day\" DATE, "
        "\"tm\" TIME DEFAULT '01:02:03.000000', \"amount\" NUMERIC(10, 2) DEFAULT 0.50, "
        '"author_id" INTEGER NOT NULL REFERENCES "sqlc_author" ("id") ON DELETE RESTRICT)',
        'CREATE INDEX IF NOT EXISTS "ix_sqlc_item_n_day" ON "sqlc_item" ("n", "day")',
    ]


def test_a_non_generated_integer_key_is_not_null_without_autoincrement(compiler):
    assert compiler.create_table(SqlcManualKey) == [
        'CREATE TABLE IF NOT EXISTS "sqlc_manual_key" ("number" INTEGER NOT NULL PRIMARY KEY)'
    ]


def test_select_uses_question_mark_placeholders(compiler):
    qs = SqlcAuthor.where(SqlcAuthor.name == "x", SqlcAuthor.id.in_([1, 2])).order_by("-name").limit(3).offset(6)
    assert sql_of(compiler, qs) == (
        'SELECT "sqlc_author"."id", "sqlc_author"."name" FROM "sqlc_author" WHERE ("sqlc_author"."name" = ?) '
        'AND ("sqlc_author"."id" IN (?, ?)) ORDER BY "sqlc_author"."name" DESC LIMIT ? OFFSET ?',
        ["x", 1, 2, 3, 6],
    )


def test_offset_without_limit_uses_limit_minus_one(compiler):
    assert sql_of(compiler, SqlcAuthor.all().offset(4)) == (
        'SELECT "sqlc_author"."id", "sqlc_author"."name" FROM "sqlc_author" LIMIT -1 OFFSET ?',
        [4],
    )


def test_ilike_lowers_both_sides_with_the_unicode_lower_function(compiler):
    sql, params = sql_of(compiler, SqlcAuthor.where(SqlcAuthor.name.ilike("Al%")))
    assert sql.endswith('WHERE kakaorm_lower("sqlc_author"."name") LIKE kakaorm_lower(?)')
    assert params == ["Al%"]


def test_insert_of_several_rows(compiler):
    insert = compiler.compile(Insert(SqlcAuthor, [SqlcAuthor.name], [["a"], ["b"], ["c"]], returning=[SqlcAuthor.id]))
    assert insert.sql == 'INSERT INTO "sqlc_author" ("name") VALUES (?), (?), (?) RETURNING "id"'


def test_truncate_deletes_rows_and_restarts_the_sequence(compiler):
    assert compiler.truncate(SqlcAuthor) == [
        'DELETE FROM "sqlc_author"',
        "DELETE FROM sqlite_sequence WHERE name = 'sqlc_author'",
    ]
    assert compiler.truncate(SqlcItem) == ['DELETE FROM "sqlc_item"']


def test_raw_sql_keeps_percent_signs_and_converts_placeholders(compiler):
    assert compiler.raw("SELECT * FROM t WHERE a = %s AND b LIKE '%%x'") == "SELECT * FROM t WHERE a = ? AND b LIKE '%x'"
    with pytest.raises(QueryError, match="write it as %%"):
        compiler.raw("SELECT '100%'")


def test_right_join_is_compiled_or_refused_by_sqlite_version(compiler):
    qs = SqlcItem.all().right_join(SqlcAuthor, on=SqlcItem.author_id == SqlcAuthor.id).select(SqlcAuthor.name)
    if compiler.right_join:
        assert sql_of(compiler, qs)[0] == (
            'SELECT "sqlc_author"."name" FROM "sqlc_item" RIGHT JOIN "sqlc_author" '
            'ON "sqlc_item"."author_id" = "sqlc_author"."id"'
        )
    else:
        with pytest.raises(QueryError, match=r"RIGHT JOIN needs SQLite 3\.39"):
            sql_of(compiler, qs)
