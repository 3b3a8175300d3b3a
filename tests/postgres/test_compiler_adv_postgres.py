"""SQL of advanced queries from the PostgreSQL compilers (asyncpg: numbered, typed
placeholders; psycopg: %s), without a database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kakaorm import (
    CTE,
    Case,
    Count,
    DecimalColumn,
    ForeignKey,
    IntColumn,
    Lag,
    Lead,
    Model,
    StrColumn,
    When,
    value,
)
from kakaorm.statements import Insert
from kakaorm_postgres.compiler import AsyncpgCompiler, PostgresCompiler, PsycopgCompiler


class PgaAuthor(Model):
    name = StrColumn(nullable=False)


class PgaPost(Model):
    title = StrColumn(nullable=False)
    views = IntColumn(nullable=False, default=0)
    price = DecimalColumn(max_digits=8, decimal_places=2)
    author_id = ForeignKey(PgaAuthor)


class PgaNode(Model):
    parent_id = ForeignKey("PgaNode", nullable=True)


class PgaArchive(Model):
    post_id = IntColumn()
    title = StrColumn()


P, A, N = PgaPost, PgaAuthor, PgaNode


def sql_of(compiler: PostgresCompiler, qs) -> tuple[str, list]:
    compiled = compiler.compile(qs._build_select())
    return compiled.sql, [p.value for p in compiled.params]


def tree():
    return CTE.recursive(
        "tree",
        N.where(N.parent_id == None).select(N.id, value(0).label("depth")),  # noqa: E711
        lambda t: N.all().join(t, on=N.parent_id == t.c.id).select(N.id, (t.c.depth + 1).label("depth")),
    )


RECURSIVE = (
    'WITH RECURSIVE "tree"("id", "depth") AS (SELECT "pga_node"."id", {0} AS "depth" FROM "pga_node" '
    'WHERE "pga_node"."parent_id" IS NULL UNION ALL SELECT "pga_node"."id", ("tree"."depth" + {1}) AS "depth" '
    'FROM "pga_node" INNER JOIN "tree" ON "pga_node"."parent_id" = "tree"."id") '
    'SELECT "tree"."id", "tree"."depth" FROM "tree" WHERE "tree"."depth" < {2} LIMIT {3}'
)


def test_asyncpg_types_the_constants_of_a_recursive_cte():
    # an untyped $1 in "SELECT $1 AS depth" would be text and refuse an int
    qs = tree().query().where(tree().c.depth < 3).limit(5)
    assert sql_of(AsyncpgCompiler(), qs) == (
        RECURSIVE.format("$1::bigint", "$2::bigint", "$3::bigint", "$4"), [0, 1, 3, 5]
    )


def test_psycopg_writes_the_same_recursive_cte_with_format_placeholders():
    qs = tree().query().where(tree().c.depth < 3).limit(5)
    assert sql_of(PsycopgCompiler(), qs) == (RECURSIVE.format("%s", "%s", "%s", "%s"), [0, 1, 3, 5])


@pytest.mark.parametrize(
    ("compiler", "marks"),
    [(AsyncpgCompiler(), ("$1::bigint", "$2::text", "$3::text")), (PsycopgCompiler(), ("%s", "%s", "%s"))],
)
def test_subquery_placeholders_are_numbered_in_text_order(compiler, marks):
    qs = P.where(P.views == 1, P.author_id.in_(A.where(A.name == "two").select(A.id)), P.title == "three")
    assert sql_of(compiler, qs.select(P.id)) == (
        f'SELECT "pga_post"."id" FROM "pga_post" WHERE ("pga_post"."views" = {marks[0]}) AND ("pga_post"."author_id" IN '
        f'(SELECT "pga_author"."id" FROM "pga_author" WHERE "pga_author"."name" = {marks[1]})) '
        f'AND ("pga_post"."title" = {marks[2]})',
        [1, "two", "three"],
    )


def test_asyncpg_casts_only_the_lag_and_lead_offset_to_integer():
    qs = P.all().select(
        Lag(P.views, 1, 3_000_000_000).over(order_by=[P.id]).label("prev"),
        Lead(P.price, 2, Decimal("0.00")).over(order_by=[P.id]).label("next"),
    )
    assert sql_of(AsyncpgCompiler(), qs) == (
        'SELECT LAG("pga_post"."views", $1::integer, $2::bigint) OVER (ORDER BY "pga_post"."id" ASC) AS "prev", '
        'LEAD("pga_post"."price", $3::integer, $4::numeric) OVER (ORDER BY "pga_post"."id" ASC) AS "next" '
        'FROM "pga_post"',
        [1, 3_000_000_000, 2, Decimal("0.00")],
    )


def test_asyncpg_types_case_results_and_arithmetic_constants():
    qs = P.all().select(
        Case(When(P.views > 1, then="hi"), default="lo").label("band"),
        (P.price * Decimal("1.5")).label("scaled"),
        (P.views / 2).label("half"),
        (P.views + 0.5).label("up"),
    )
    assert sql_of(AsyncpgCompiler(), qs) == (
        'SELECT CASE WHEN "pga_post"."views" > $1::bigint THEN $2::text ELSE $3::text END AS "band", '
        '("pga_post"."price" * $4::numeric) AS "scaled", ("pga_post"."views" / $5::bigint) AS "half", '
        '("pga_post"."views" + $6::double precision) AS "up" FROM "pga_post"',
        [1, "hi", "lo", Decimal("1.5"), 2, 0.5],
    )


def test_a_union_with_order_limit_and_offset():
    qs = (
        P.where(P.views < 1).select(P.title)
        .union_all(A.all().select(A.name))
        .order_by("title")
        .limit(2)
        .offset(1)
    )
    assert sql_of(AsyncpgCompiler(), qs) == (
        'SELECT "pga_post"."title" FROM "pga_post" WHERE "pga_post"."views" < $1::bigint UNION ALL '
        'SELECT "pga_author"."name" FROM "pga_author" ORDER BY "title" ASC LIMIT $2 OFFSET $3',
        [1, 2, 1],
    )


def test_a_grouped_left_join_with_having_on_psycopg():
    qs = (
        A.all().left_join(P, on=P.author_id == A.id)
        .select(A.name, Count(P.id).label("n"))
        .group_by(A.id, A.name)
        .having(Count(P.id) >= 2)
    )
    assert sql_of(PsycopgCompiler(), qs) == (
        'SELECT "pga_author"."name", COUNT("pga_post"."id") AS "n" FROM "pga_author" LEFT JOIN "pga_post" '
        'ON "pga_post"."author_id" = "pga_author"."id" GROUP BY "pga_author"."id", "pga_author"."name" '
        'HAVING COUNT("pga_post"."id") >= %s',
        [2],
    )


def test_insert_select_into_a_table_with_an_identity_key_stays_plain():
    select = P.where(P.views > 3).select(P.id, P.title)._build_select()
    compiled = AsyncpgCompiler().compile(Insert(PgaArchive, [PgaArchive.post_id, PgaArchive.title], from_select=select))
    assert compiled.sql == (
        'INSERT INTO "pga_archive" ("post_id", "title") SELECT "pga_post"."id", "pga_post"."title" '
        'FROM "pga_post" WHERE "pga_post"."views" > $1::bigint'
    )
    assert [p.value for p in compiled.params] == [3]
