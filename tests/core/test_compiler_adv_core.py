"""SQL of advanced queries from the base SQLCompiler, without a server: joins and
result keys, subqueries, grouping, windows, CTEs, unions, INSERT ... SELECT, CASE
and arithmetic, and the result types core assigns to computed values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

import pytest

from kakaorm import (
    CTE,
    Avg,
    Case,
    Count,
    DecimalColumn,
    FloatColumn,
    ForeignKey,
    IntColumn,
    Lag,
    Max,
    Model,
    QueryError,
    RowNumber,
    StrColumn,
    Subquery,
    Sum,
    When,
    value,
)
from kakaorm.compiler import SQLCompiler
from kakaorm.expr import Param
from kakaorm.statements import Insert, Update


class CaAuthor(Model):
    name = StrColumn(nullable=False)


class CaPost(Model):
    title = StrColumn(nullable=False)
    name = StrColumn()
    views = IntColumn(nullable=False, default=0)
    ratio = FloatColumn()
    price = DecimalColumn(max_digits=8, decimal_places=2)
    author_id = ForeignKey(CaAuthor)


class CaTag(Model):
    name = StrColumn()
    post_id = ForeignKey(CaPost)


class CaNode(Model):
    parent_id = ForeignKey("CaNode", nullable=True)


class NumericCompiler(SQLCompiler):
    paramstyle: ClassVar[str] = "numeric"


P, A, T, N = CaPost, CaAuthor, CaTag, CaNode
JOIN = '"ca_post" INNER JOIN "ca_author" ON "ca_post"."author_id" = "ca_author"."id"'


def compile_qs(qs: Any, compiler: SQLCompiler | None = None) -> tuple[str, list[Any], list[str]]:
    compiled = (compiler or SQLCompiler()).compile(qs._build_select())
    return compiled.sql, [p.value for p in compiled.params], compiled.result_names


# -- joins and result keys ----------------------------------------------------------


def test_inner_left_and_right_joins():
    for method, kind in (("join", "INNER"), ("left_join", "LEFT"), ("right_join", "RIGHT")):
        qs = getattr(P.all(), method)(A, on=P.author_id == A.id).select(P.title, A.name)
        assert compile_qs(qs) == (
            f'SELECT "ca_post"."title", "ca_author"."name" FROM "ca_post" {kind} JOIN "ca_author" '
            'ON "ca_post"."author_id" = "ca_author"."id"',
            [],
            ["title", "name"],
        )


def test_a_join_condition_binds_its_values_before_the_where_values():
    qs = (
        P.where(P.views > 1)
        .left_join(A, on=(P.author_id == A.id) & (A.name != "x"))
        .select(P.title)
    )
    assert compile_qs(qs) == (
        'SELECT "ca_post"."title" FROM "ca_post" LEFT JOIN "ca_author" ON ("ca_post"."author_id" = '
        '"ca_author"."id") AND ("ca_author"."name" != ?) WHERE "ca_post"."views" > ?',
        ["x", 1],
        ["title"],
    )


@pytest.mark.parametrize(
    ("columns", "names"),
    [
        ((P.title, A.name), ["title", "name"]),
        ((P.name, A.name), ["name", "ca_author.name"]),
        ((A.name, P.name), ["ca_author.name", "name"]),
        ((P.name, A.name, T.name), ["name", "ca_author.name", "ca_tag.name"]),
        ((A.name, T.name, P.title), ["ca_author.name", "ca_tag.name", "title"]),
        ((P.name.label("p"), A.name), ["p", "name"]),
        ((Count().label("name"), A.name), ["name", "ca_author.name"]),
    ],
)
def test_result_keys_prefix_only_colliding_columns_of_joined_tables(columns, names):
    qs = P.all().join(A, on=P.author_id == A.id).join(T, on=T.post_id == P.id).select(*columns)
    assert compile_qs(qs)[2] == names


@pytest.mark.parametrize(
    ("columns", "dupes"),
    [
        ((P.title, P.title), "'title'"),
        ((P.title, A.name.label("title")), "'title'"),
        ((P.views.label("n"), Count().label("n")), "'n'"),
        ((A.name, T.name, P.title.label("ca_tag.name")), "'ca_tag.name'"),
    ],
)
def test_result_keys_that_still_collide_are_a_query_error(columns, dupes):
    qs = P.all().join(A, on=P.author_id == A.id).join(T, on=T.post_id == P.id).select(*columns)
    with pytest.raises(QueryError, match=rf"several result columns named {dupes}; give them distinct names with \.label\(\)"):
        SQLCompiler().compile(qs._build_select())


# -- subqueries -----------------------------------------------------------------------


def test_subquery_parameters_sit_between_the_outer_ones():
    qs = P.where(P.views == 1, P.author_id.in_(A.where(A.name == "two").select(A.id)), P.title == "three")
    sql, params, _ = compile_qs(qs.select(P.id), NumericCompiler())
    assert sql == (
        'SELECT "ca_post"."id" FROM "ca_post" WHERE ("ca_post"."views" = $1) AND ("ca_post"."author_id" IN '
        '(SELECT "ca_author"."id" FROM "ca_author" WHERE "ca_author"."name" = $2)) AND ("ca_post"."title" = $3)'
    )
    assert params == [1, "two", "three"]


def test_not_in_a_subquery_object_and_a_scalar_subquery():
    sub = Subquery(A.where(A.name == "x").select(A.id))
    assert compile_qs(P.where(P.author_id.not_in(sub)).select(P.id))[0] == (
        'SELECT "ca_post"."id" FROM "ca_post" WHERE "ca_post"."author_id" NOT IN '
        '(SELECT "ca_author"."id" FROM "ca_author" WHERE "ca_author"."name" = ?)'
    )
    avg = Subquery(P.all().select(Avg(P.views)))
    assert compile_qs(P.where(P.views > avg).select(P.id))[0] == (
        'SELECT "ca_post"."id" FROM "ca_post" WHERE "ca_post"."views" > (SELECT AVG("ca_post"."views") FROM "ca_post")'
    )


def test_a_subquery_of_several_columns_is_refused_when_built():
    with pytest.raises(QueryError, match=r"in_\(\) needs a subquery selecting one column, but this one selects 2: add \.select\(CaAuthor\.id\)"):
        P.author_id.in_(A.all())


# -- grouping ---------------------------------------------------------------------------


def test_group_by_chained_having_and_order_by_an_aggregate():
    qs = (
        P.all()
        .select(P.author_id, Count(P.id).label("cnt"))
        .group_by(P.author_id)
        .having(Count(P.id) >= 2)
        .having(Sum(P.views) > 10)
        .order_by(Count(P.id).desc)
    )
    assert compile_qs(qs) == (
        'SELECT "ca_post"."author_id", COUNT("ca_post"."id") AS "cnt" FROM "ca_post" GROUP BY "ca_post"."author_id" '
        'HAVING (COUNT("ca_post"."id") >= ?) AND (SUM("ca_post"."views") > ?) ORDER BY COUNT("ca_post"."id") DESC',
        [2, 10],
        ["author_id", "cnt"],
    )


def test_order_by_a_label_uses_its_name():
    qs = P.all().select(P.author_id, Sum(P.views).label("total")).group_by(P.author_id).order_by("-total")
    assert compile_qs(qs)[0].endswith('GROUP BY "ca_post"."author_id" ORDER BY "total" DESC')


# -- windows ------------------------------------------------------------------------------


def test_window_functions_with_partitions_orders_and_defaults():
    qs = P.all().select(
        RowNumber().over(partition_by=[P.author_id], order_by=[P.views.desc]).label("rn"),
        Lag(P.views, 2, 0).over(order_by=[P.id]).label("prev"),
        Sum(P.views).over(partition_by=[P.author_id]).label("total"),
        Max(P.views).over().label("top"),
    )
    assert compile_qs(qs) == (
        'SELECT ROW_NUMBER() OVER (PARTITION BY "ca_post"."author_id" ORDER BY "ca_post"."views" DESC) AS "rn", '
        'LAG("ca_post"."views", ?, ?) OVER (ORDER BY "ca_post"."id" ASC) AS "prev", '
        'SUM("ca_post"."views") OVER (PARTITION BY "ca_post"."author_id") AS "total", '
        'MAX("ca_post"."views") OVER () AS "top" FROM "ca_post"',
        [2, 0],
        ["rn", "prev", "total", "top"],
    )


# -- CTEs -----------------------------------------------------------------------------------


def test_joining_a_cte_writes_the_with_clause_first():
    rich = CTE("rich", P.where(P.views >= 5).select(P.author_id))
    qs = A.where(A.name != "z").join(rich, on=rich.c.author_id == A.id).select(A.name).distinct()
    assert compile_qs(qs) == (
        'WITH "rich" AS (SELECT "ca_post"."author_id" FROM "ca_post" WHERE "ca_post"."views" >= ?) '
        'SELECT DISTINCT "ca_author"."name" FROM "ca_author" INNER JOIN "rich" ON "rich"."author_id" = "ca_author"."id" '
        'WHERE "ca_author"."name" != ?',
        [5, "z"],
        ["name"],
    )


def test_with_cte_by_name_and_query():
    qs = A.all().with_cte("rich_depts", P.where(P.views >= 5).select(P.author_id)).select(A.name)
    assert compile_qs(qs)[0] == (
        'WITH "rich_depts" AS (SELECT "ca_post"."author_id" FROM "ca_post" WHERE "ca_post"."views" >= ?) '
        'SELECT "ca_author"."name" FROM "ca_author"'
    )


def test_a_recursive_cte_names_its_columns_and_unions_its_step():
    tree = CTE.recursive(
        "tree",
        N.where(N.parent_id == None).select(N.id, value(0).label("depth")),  # noqa: E711
        lambda t: N.all().join(t, on=N.parent_id == t.c.id).select(N.id, (t.c.depth + 1).label("depth")),
    )
    sql, params, names = compile_qs(tree.query().where(tree.c.depth < 3).order_by("depth").limit(5), NumericCompiler())
    assert sql == (
        'WITH RECURSIVE "tree"("id", "depth") AS (SELECT "ca_node"."id", $1 AS "depth" FROM "ca_node" '
        'WHERE "ca_node"."parent_id" IS NULL UNION ALL SELECT "ca_node"."id", ("tree"."depth" + $2) AS "depth" '
        'FROM "ca_node" INNER JOIN "tree" ON "ca_node"."parent_id" = "tree"."id") '
        'SELECT "tree"."id", "tree"."depth" FROM "tree" WHERE "tree"."depth" < $3 ORDER BY "tree"."depth" ASC LIMIT $4'
    )
    assert params == [0, 1, 3, 5] and names == ["id", "depth"]


def test_a_recursive_cte_with_union_without_all():
    reach = CTE.recursive(
        "reach", N.where(N.id == 1).select(N.id),
        lambda t: N.all().join(t, on=N.parent_id == t.c.id).select(N.id), union_all=False,
    )
    assert " UNION SELECT " in compile_qs(reach.query())[0]


def test_the_ctes_of_union_parts_move_to_the_statements_with_clause():
    rich = CTE("rich", P.where(P.views >= 5).select(P.author_id))
    poor = CTE("poor", P.where(P.views < 1).select(P.author_id))
    left = A.all().join(rich, on=rich.c.author_id == A.id).select(A.name)
    right = A.all().join(poor, on=poor.c.author_id == A.id).select(A.name)
    sql, params, _ = compile_qs(left.union(right).union(left))
    assert sql == (
        'WITH "rich" AS (SELECT "ca_post"."author_id" FROM "ca_post" WHERE "ca_post"."views" >= ?), '
        '"poor" AS (SELECT "ca_post"."author_id" FROM "ca_post" WHERE "ca_post"."views" < ?) '
        'SELECT "ca_author"."name" FROM "ca_author" INNER JOIN "rich" ON "rich"."author_id" = "ca_author"."id" '
        'UNION SELECT "ca_author"."name" FROM "ca_author" INNER JOIN "poor" ON "poor"."author_id" = "ca_author"."id" '
        'UNION SELECT "ca_author"."name" FROM "ca_author" INNER JOIN "rich" ON "rich"."author_id" = "ca_author"."id"'
    )
    assert params == [5, 1]


# -- unions --------------------------------------------------------------------------------


def test_order_by_and_limit_follow_the_union_and_name_result_columns():
    qs = (
        P.where(P.views < 1).select(P.title, P.views)
        .union_all(P.where(P.views > 2).select(P.title, P.views))
        .order_by(P.views.desc, "title")
        .limit(3)
    )
    assert compile_qs(qs) == (
        'SELECT "ca_post"."title", "ca_post"."views" FROM "ca_post" WHERE "ca_post"."views" < ? UNION ALL '
        'SELECT "ca_post"."title", "ca_post"."views" FROM "ca_post" WHERE "ca_post"."views" > ? '
        'ORDER BY "views" DESC, "title" ASC LIMIT ?',
        [1, 2, 3],
        ["title", "views"],
    )


# -- INSERT ... SELECT, UPDATE, CASE and arithmetic ----------------------------------------


def test_insert_from_a_select():
    select = P.where(P.views > 3).select(P.id, P.views * 2, value("copied"))._build_select()
    stmt = Insert(T, [T.post_id, T.id, T.name], from_select=select)
    compiled = SQLCompiler().compile(stmt)
    assert compiled.sql == (
        'INSERT INTO "ca_tag" ("post_id", "id", "name") SELECT "ca_post"."id", ("ca_post"."views" * ?), ? '
        'FROM "ca_post" WHERE "ca_post"."views" > ?'
    )
    assert [p.value for p in compiled.params] == [2, "copied", 3]


def test_update_with_arithmetic_and_case():
    band = Case(When(P.views >= 10, then="hi"), When(P.views >= 1, then="mid"), default="lo")
    stmt = Update(P, [(P.views, (P.views + 1) * 2), (P.name, band)], P.ratio > 0.5)
    compiled = SQLCompiler().compile(stmt)
    assert compiled.sql == (
        'UPDATE "ca_post" SET "views" = (("ca_post"."views" + ?) * ?), "name" = CASE WHEN "ca_post"."views" >= ? '
        'THEN ? WHEN "ca_post"."views" >= ? THEN ? ELSE ? END WHERE "ca_post"."ratio" > ?'
    )
    assert [p.value for p in compiled.params] == [1, 2, 10, "hi", 1, "mid", "lo", 0.5]


def test_a_case_without_default_has_no_else():
    qs = P.all().select(Case(When(P.views == 1, then=P.title)).label("t"))
    assert compile_qs(qs)[0] == 'SELECT CASE WHEN "ca_post"."views" = ? THEN "ca_post"."title" END AS "t" FROM "ca_post"'


# -- result types of computed values --------------------------------------------------------


def kind_and_scale(expr: Any) -> tuple[str | None, int | None]:
    t = expr.type
    return (None, None) if t is None else (t.kind, t.scale)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (P.views + 1, ("int", None)),
        (P.views / P.views, ("int", None)),
        (P.views + 0.5, ("float", None)),
        (0.5 - P.views, ("float", None)),
        (P.views * P.ratio, ("float", None)),
        (P.price * 0.97, ("float", None)),
        (P.price + P.views, ("decimal", 2)),
        (P.price - Decimal("0.005"), ("decimal", 3)),
        (P.price * P.price, ("decimal", 4)),
        (P.price * 3, ("decimal", 2)),
        (P.price / 3, ("decimal", 6)),
        (P.views / P.price, ("decimal", 4)),
        (Avg(P.views), ("float", None)),
        (Avg(P.price), ("decimal", 6)),
        (Sum(P.price), ("decimal", 2)),
        (Count(), ("int", None)),
        (Lag(P.price, 1, Decimal("0")).over(order_by=[P.id]), ("decimal", 2)),
    ],
)
def test_result_types_of_computed_values(expr, expected):
    assert kind_and_scale(expr) == expected


def test_a_decimal_constant_is_typed_by_its_own_scale_and_shares_one_type_per_scale():
    one, two = Param(Decimal("1.50")), Param(Decimal("9.99"))
    assert (one.type.kind, one.type.scale) == ("decimal", 2)
    assert one.type is two.type  # equal compile-cache keys for equal shapes
    assert Param(Decimal("7")).type.scale == 0


def test_statements_with_decimal_constants_of_one_scale_share_a_cache_key():
    def key(amount: Decimal) -> Any:
        return P.all().select((P.price * amount).label("x"))._build_select()._key([])

    assert key(Decimal("1.25")) == key(Decimal("3.50"))
    assert key(Decimal("1.25")) != key(Decimal("1.255"))
