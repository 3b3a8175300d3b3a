"""The base SQLCompiler: statement trees to SQL text and parameters, without a server."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

import pytest

from kakaorm import (
    BoolColumn,
    Count,
    DateColumn,
    DateTimeColumn,
    DecimalColumn,
    FloatColumn,
    ForeignKey,
    IntColumn,
    Model,
    QueryError,
    StrColumn,
    Sum,
    TimeColumn,
)
from kakaorm.compiler import SQLCompiler
from kakaorm.statements import Delete, Insert, Update


class CmpAuthor(Model):
    name = StrColumn(nullable=False, max_length=80, unique=True)


class CmpPost(Model):
    title = StrColumn(nullable=False)
    views = IntColumn(nullable=False, default=0, check="views >= 0")
    score = FloatColumn()
    published = BoolColumn(nullable=False, default=False)
    at = DateTimeColumn()
    day = DateColumn()
    tm = TimeColumn()
    price = DecimalColumn(max_digits=8, decimal_places=3, default=Decimal("1.5"))
    author_id = ForeignKey(CmpAuthor, on_delete="SET NULL", index=True)

    class Meta:
        indexes = [("title", "views")]


class CmpOrder(Model):
    note = StrColumn(default="it's 100%")

    class Meta:
        table_name = 'we"ird%'


class NumericCompiler(SQLCompiler):
    paramstyle: ClassVar[str] = "numeric"


class FormatCompiler(SQLCompiler):
    paramstyle: ClassVar[str] = "format"
    quote_char: ClassVar[str] = "`"


ALL_POST_COLUMNS = ", ".join(f'"cmp_post"."{n}"' for n in CmpPost._meta.names)


def sql_of(qs: Any, compiler: SQLCompiler | None = None) -> tuple[str, list[Any]]:
    compiled = (compiler or SQLCompiler()).compile(qs._build_select())
    return compiled.sql, [p.value for p in compiled.params]


def where_of(qs: Any, compiler: SQLCompiler | None = None) -> tuple[str, list[Any]]:
    sql, params = sql_of(qs, compiler)
    return sql.split(" WHERE ", 1)[1], params


def test_a_model_query_selects_every_column_qualified_and_quoted():
    assert sql_of(CmpPost.all()) == (f'SELECT {ALL_POST_COLUMNS} FROM "cmp_post"', [])


def test_where_order_limit_and_offset():
    qs = CmpPost.where(CmpPost.views > 10, CmpPost.title.like("a%")).order_by(CmpPost.views.desc).limit(5).offset(10)
    assert sql_of(qs) == (
        f'SELECT {ALL_POST_COLUMNS} FROM "cmp_post" WHERE ("cmp_post"."views" > ?) AND '
        '("cmp_post"."title" LIKE ?) ORDER BY "cmp_post"."views" DESC LIMIT ? OFFSET ?',
        [10, "a%", 5, 10],
    )


@pytest.mark.parametrize(
    ("make", "where", "params"),
    [
        (lambda: CmpPost.views == 3, '"cmp_post"."views" = ?', [3]),
        (lambda: CmpPost.views != 3, '"cmp_post"."views" != ?', [3]),
        (lambda: CmpPost.views <= 3, '"cmp_post"."views" <= ?', [3]),
        (lambda: CmpPost.score == None, '"cmp_post"."score" IS NULL', []),  # noqa: E711
        (lambda: CmpPost.score != None, '"cmp_post"."score" IS NOT NULL', []),  # noqa: E711
        (lambda: CmpPost.score.is_null(), '"cmp_post"."score" IS NULL', []),
        (lambda: CmpPost.title.ilike("X%"), 'LOWER("cmp_post"."title") LIKE LOWER(?)', ["X%"]),
        (lambda: CmpPost.views.in_([1, 2, 3]), '"cmp_post"."views" IN (?, ?, ?)', [1, 2, 3]),
        (lambda: CmpPost.views.not_in([1]), '"cmp_post"."views" NOT IN (?)', [1]),
        (lambda: CmpPost.views.in_([]), "1 = 0", []),
        (lambda: CmpPost.views.not_in([]), "1 = 1", []),
        (lambda: CmpPost.score.between(1.5, 2), '"cmp_post"."score" BETWEEN ? AND ?', [1.5, 2]),
        (
            lambda: (CmpPost.views == 1) | ~(CmpPost.title == "x"),
            '("cmp_post"."views" = ?) OR (NOT ("cmp_post"."title" = ?))',
            [1, "x"],
        ),
        (
            lambda: (CmpPost.views == 1) & (CmpPost.views == 2) & (CmpPost.views == 3),
            '("cmp_post"."views" = ?) AND ("cmp_post"."views" = ?) AND ("cmp_post"."views" = ?)',
            [1, 2, 3],
        ),
        (
            lambda: CmpPost.views.in_(CmpPost.where(CmpPost.score > 1).select(CmpPost.views)),
            '"cmp_post"."views" IN (SELECT "cmp_post"."views" FROM "cmp_post" WHERE "cmp_post"."score" > ?)',
            [1],
        ),
    ],
)
def test_operators_compile_with_bound_values(make, where, params):
    assert where_of(CmpPost.where(make())) == (where, params)


def test_exclude_wraps_the_condition_in_not():
    assert where_of(CmpPost.all().exclude(CmpPost.views > 1)) == ('NOT ("cmp_post"."views" > ?)', [1])


def test_select_group_by_having_and_labels():
    qs = (
        CmpPost.all()
        .select(CmpPost.title, Count().label("n"), Sum(CmpPost.views))
        .group_by(CmpPost.title)
        .having(Count() > 1)
        .order_by("n")
    )
    compiled = SQLCompiler().compile(qs._build_select())
    assert compiled.sql == (
        'SELECT "cmp_post"."title", COUNT(*) AS "n", SUM("cmp_post"."views") FROM "cmp_post" '
        'GROUP BY "cmp_post"."title" HAVING COUNT(*) > ? ORDER BY "n" ASC'
    )
    assert compiled.result_names == ["title", "n", "sum(views)"]
    assert compiled.plain_columns == [True, False, False]


def test_join_on_a_condition():
    qs = CmpPost.all().join(CmpAuthor, on=CmpPost.author_id == CmpAuthor.id).select(CmpPost.title, CmpAuthor.name)
    assert sql_of(qs) == (
        'SELECT "cmp_post"."title", "cmp_author"."name" FROM "cmp_post" '
        'INNER JOIN "cmp_author" ON "cmp_post"."author_id" = "cmp_author"."id"',
        [],
    )


def test_update_delete_and_insert_statements():
    compiler = SQLCompiler()
    update = compiler.compile(Update(CmpPost, [(CmpPost.views, CmpPost.views + 1)], CmpPost.id == 3))
    assert update.sql == 'UPDATE "cmp_post" SET "views" = ("cmp_post"."views" + ?) WHERE "cmp_post"."id" = ?'
    assert [p.value for p in update.params] == [1, 3]
    delete = compiler.compile(Delete(CmpPost, CmpPost.id == 3))
    assert (delete.sql, [p.value for p in delete.params]) == ('DELETE FROM "cmp_post" WHERE "cmp_post"."id" = ?', [3])
    assert compiler.compile(Delete(CmpPost)).sql == 'DELETE FROM "cmp_post"'
    insert = compiler.compile(Insert(CmpAuthor, [CmpAuthor.name], [["a"], ["b"]]))
    assert insert.sql == 'INSERT INTO "cmp_author" ("name") VALUES (?), (?)'


def test_numeric_placeholders_are_numbered_in_order():
    compiler = NumericCompiler()
    qs = CmpPost.where(CmpPost.views.in_([1, 2]), CmpPost.title == "t").limit(3)
    sql, params = sql_of(qs, compiler)
    assert sql.endswith('WHERE ("cmp_post"."views" IN ($1, $2)) AND ("cmp_post"."title" = $3) LIMIT $4')
    assert params == [1, 2, "t", 3]
    insert = compiler.compile(Insert(CmpPost, [CmpPost.title, CmpPost.views], [["a", 1], ["b", 2]]))
    assert insert.sql == 'INSERT INTO "cmp_post" ("title", "views") VALUES ($1, $2), ($3, $4)'


def test_format_placeholders_double_percent_signs_in_identifiers_and_literals():
    compiler = FormatCompiler()
    sql, params = sql_of(CmpOrder.where(CmpOrder.note == "x"), compiler)
    assert sql == "SELECT `we\"ird%%`.`id`, `we\"ird%%`.`note` FROM `we\"ird%%` WHERE `we\"ird%%`.`note` = %s"
    assert params == ["x"]
    assert compiler.create_table(CmpOrder)[0] == (
        "CREATE TABLE IF NOT EXISTS `we\"ird%%` (`id` INTEGER PRIMARY KEY, `note` TEXT DEFAULT 'it''s 100%%')"
    )


def test_quote_escapes_the_quote_character():
    assert SQLCompiler().quote('we"ird') == '"we""ird"'
    assert FormatCompiler().quote("a`b") == "`a``b`"
    assert SQLCompiler().create_table(CmpOrder)[0] == (
        'CREATE TABLE IF NOT EXISTS "we""ird%" ("id" INTEGER PRIMARY KEY, "note" TEXT DEFAULT \'it\'\'s 100%\')'
    )


def test_create_table_spells_types_constraints_foreign_keys_and_indexes():
    assert SQLCompiler().create_table(CmpAuthor) == [
        'CREATE TABLE IF NOT EXISTS "cmp_author" ("id" INTEGER PRIMARY KEY, "name" VARCHAR(80) NOT NULL UNIQUE)'
    ]
    assert SQLCompiler().create_table(CmpPost) == [
        'CREATE TABLE IF NOT EXISTS "cmp_post" ("id" INTEGER PRIMARY KEY, "title" TEXT NOT NULL, '
        '"views" INTEGER NOT NULL DEFAULT 0 CHECK (views >= 0), "score" DOUBLE PRECISION, '
        '"published" BOOLEAN NOT NULL DEFAULT FALSE, "at" TIMESTAMP WITH TIME ZONE, "day" DATE, '
        '"tm" TIME, "price" NUMERIC(8, 3) DEFAULT 1.5, '
        '"author_id" INTEGER REFERENCES "cmp_author" ("id") ON DELETE SET NULL)',
        'CREATE INDEX IF NOT EXISTS "ix_cmp_post_title_views" ON "cmp_post" ("title", "views")',
        'CREATE INDEX IF NOT EXISTS "ix_cmp_post_author_id" ON "cmp_post" ("author_id")',
    ]


def test_long_index_names_are_shortened_deterministically():
    class CmpLongNames(Model):
        a_very_long_column_name_number_one = IntColumn()
        a_very_long_column_name_number_two = IntColumn()

        class Meta:
            indexes = [("a_very_long_column_name_number_one", "a_very_long_column_name_number_two")]

    compiler = SQLCompiler()
    name = compiler.index_name(CmpLongNames, CmpLongNames._meta.indexes[0])
    assert len(name) == compiler.max_identifier_length
    assert name == compiler.index_name(CmpLongNames, CmpLongNames._meta.indexes[0])
    assert name.startswith("ix_cmp_long_names_a_very_long")


def test_literals_for_ddl_defaults():
    compiler = SQLCompiler()
    utc = dt.UTC
    assert compiler.literal(None, CmpPost.score.type) == "NULL"
    assert compiler.literal(True, CmpPost.published.type) == "TRUE"
    assert compiler.literal(Decimal("2.50"), CmpPost.price.type) == "2.50"
    assert compiler.literal(dt.date(2024, 1, 2), CmpPost.day.type) == "'2024-01-02'"
    assert compiler.literal(dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=utc), CmpPost.at.type) == (
        "'2024-01-02 03:04:05.000000+00:00'"
    )
    with pytest.raises(QueryError, match="cannot use"):
        compiler.literal(object(), CmpPost.title.type)


def test_drop_truncate_and_savepoints():
    compiler = SQLCompiler()
    assert compiler.drop_table(CmpPost) == ['DROP TABLE IF EXISTS "cmp_post"']
    assert compiler.truncate(CmpPost) == ['TRUNCATE TABLE "cmp_post" RESTART IDENTITY']
    assert compiler.savepoint("sp_1") == 'SAVEPOINT "sp_1"'
    assert compiler.rollback_to_savepoint("sp_1") == 'ROLLBACK TO SAVEPOINT "sp_1"'
    assert compiler.release_savepoint("sp_1") == 'RELEASE SAVEPOINT "sp_1"'


@pytest.mark.parametrize(
    ("compiler", "expected"),
    [
        (SQLCompiler(), "SELECT ?, '%' FROM x WHERE a = ? AND b LIKE '50%%'"),
        (NumericCompiler(), "SELECT $1, '%' FROM x WHERE a = $2 AND b LIKE '50%%'"),
        (FormatCompiler(), "SELECT %s, '%%' FROM x WHERE a = %s AND b LIKE '50%%%%'"),
    ],
    ids=["qmark", "numeric", "format"],
)
def test_raw_sql_placeholders_are_converted_per_paramstyle(compiler, expected):
    assert compiler.raw("SELECT %s, '%%' FROM x WHERE a = %s AND b LIKE '50%%%%'") == expected


@pytest.mark.parametrize("compiler", [SQLCompiler(), FormatCompiler()], ids=["qmark", "format"])
def test_raw_sql_with_a_lone_percent_is_a_query_error(compiler):
    with pytest.raises(QueryError, match="found another '%' at position 13: write it as %%"):
        compiler.raw("SELECT 5 FROM%d")


def test_order_by_label_uses_the_label_name():
    qs = CmpPost.all().select(CmpPost.title.label("t")).order_by("-t")
    assert sql_of(qs)[0] == 'SELECT "cmp_post"."title" AS "t" FROM "cmp_post" ORDER BY "t" DESC'


def test_window_function_in_where_is_a_query_error():
    from kakaorm import RowNumber

    with pytest.raises(QueryError, match="window function cannot be used in where"):
        CmpPost.where(RowNumber().over(order_by=[CmpPost.views]) > 1)
    with pytest.raises(QueryError, match="aggregate cannot be used in where"):
        CmpPost.where(Count() > 1)
