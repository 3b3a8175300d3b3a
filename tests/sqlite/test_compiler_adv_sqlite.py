"""SQL of advanced queries from the SQLite compiler, without a database."""

from __future__ import annotations

import re
from typing import ClassVar

import pytest

from kakaorm import (
    CTE,
    Count,
    DecimalColumn,
    ForeignKey,
    IntColumn,
    Lag,
    Lead,
    Model,
    QueryError,
    Rank,
    StrColumn,
    value,
)
from kakaorm_sqlite.compiler import SQLITE_VERSION, SQLiteCompiler


class SqlaAuthor(Model):
    name = StrColumn(nullable=False)


class SqlaPost(Model):
    title = StrColumn(nullable=False)
    views = IntColumn(nullable=False, default=0)
    price = DecimalColumn(max_digits=8, decimal_places=2)
    author_id = ForeignKey(SqlaAuthor)


class SqlaNode(Model):
    parent_id = ForeignKey("SqlaNode", nullable=True)


class OldSQLiteCompiler(SQLiteCompiler):
    """The compiler as it is on a Python linking SQLite < 3.39 (no RIGHT JOIN)."""

    right_join: ClassVar[bool] = False


P, A, N = SqlaPost, SqlaAuthor, SqlaNode


def sql_of(qs, compiler: SQLiteCompiler | None = None) -> tuple[str, list]:
    compiled = (compiler or SQLiteCompiler()).compile(qs._build_select())
    return compiled.sql, [p.value for p in compiled.params]


def test_right_join_on_sqlite_before_3_39_is_a_query_error_that_suggests_left_join():
    qs = P.all().right_join(A, on=P.author_id == A.id).select(P.title, A.name)
    version = ".".join(map(str, SQLITE_VERSION))
    message = (
        f"RIGHT JOIN needs SQLite 3.39 or newer; this Python links SQLite {version}. "
        "Swap the two models and use left_join() instead"
    )
    with pytest.raises(QueryError, match=re.escape(message)):
        OldSQLiteCompiler().compile(qs._build_select())
    # the swapped query is what the message asks for, and compiles
    swapped = A.all().left_join(P, on=P.author_id == A.id).select(P.title, A.name)
    assert sql_of(swapped, OldSQLiteCompiler())[0] == (
        'SELECT "sqla_post"."title", "sqla_author"."name" FROM "sqla_author" LEFT JOIN "sqla_post" '
        'ON "sqla_post"."author_id" = "sqla_author"."id"'
    )


@pytest.mark.skipif(SQLITE_VERSION < (3, 39, 0), reason="the linked SQLite is older than 3.39: no RIGHT JOIN")
def test_right_join_compiles_on_sqlite_3_39_and_later():
    qs = P.all().right_join(A, on=P.author_id == A.id).select(P.title)
    assert sql_of(qs)[0] == (
        'SELECT "sqla_post"."title" FROM "sqla_post" RIGHT JOIN "sqla_author" ON "sqla_post"."author_id" = "sqla_author"."id"'
    )


def test_window_functions_use_sqlites_own_syntax_with_question_marks():
    qs = P.all().select(
        Rank().over(partition_by=[P.author_id], order_by=[P.views.desc]).label("r"),
        Lag(P.views, 1, 0).over(order_by=[P.id]).label("prev"),
        Lead(P.title, 2, "-").over(order_by=[P.id]).label("ahead"),
    )
    assert sql_of(qs) == (
        'SELECT RANK() OVER (PARTITION BY "sqla_post"."author_id" ORDER BY "sqla_post"."views" DESC) AS "r", '
        'LAG("sqla_post"."views", ?, ?) OVER (ORDER BY "sqla_post"."id" ASC) AS "prev", '
        'LEAD("sqla_post"."title", ?, ?) OVER (ORDER BY "sqla_post"."id" ASC) AS "ahead" FROM "sqla_post"',
        [1, 0, 2, "-"],
    )


def test_a_recursive_cte_query_with_offset_only_uses_limit_minus_one():
    tree = CTE.recursive(
        "tree",
        N.where(N.parent_id == None).select(N.id, value(0).label("depth")),  # noqa: E711
        lambda t: N.all().join(t, on=N.parent_id == t.c.id).select(N.id, (t.c.depth + 1).label("depth")),
    )
    assert sql_of(tree.query().order_by("depth").offset(2)) == (
        'WITH RECURSIVE "tree"("id", "depth") AS (SELECT "sqla_node"."id", ? AS "depth" FROM "sqla_node" '
        'WHERE "sqla_node"."parent_id" IS NULL UNION ALL SELECT "sqla_node"."id", ("tree"."depth" + ?) AS "depth" '
        'FROM "sqla_node" INNER JOIN "tree" ON "sqla_node"."parent_id" = "tree"."id") '
        'SELECT "tree"."id", "tree"."depth" FROM "tree" ORDER BY "tree"."depth" ASC LIMIT -1 OFFSET ?',
        [0, 1, 2],
    )


def test_a_union_with_order_and_offset():
    qs = (
        P.where(P.views < 1).select(P.title)
        .union(A.all().select(A.name))
        .order_by("-title")
        .offset(1)
    )
    assert sql_of(qs) == (
        'SELECT "sqla_post"."title" FROM "sqla_post" WHERE "sqla_post"."views" < ? UNION '
        'SELECT "sqla_author"."name" FROM "sqla_author" ORDER BY "title" DESC LIMIT -1 OFFSET ?',
        [1, 1],
    )


def test_group_by_having_with_a_join():
    qs = (
        A.all().left_join(P, on=P.author_id == A.id)
        .select(A.name, Count(P.id).label("n"))
        .group_by(A.id, A.name)
        .having(Count(P.id) > 1)
    )
    assert sql_of(qs) == (
        'SELECT "sqla_author"."name", COUNT("sqla_post"."id") AS "n" FROM "sqla_author" LEFT JOIN "sqla_post" '
        'ON "sqla_post"."author_id" = "sqla_author"."id" GROUP BY "sqla_author"."id", "sqla_author"."name" '
        'HAVING COUNT("sqla_post"."id") > ?',
        [1],
    )


def test_integer_division_is_sqlites_own_truncating_division():
    qs = P.all().select((P.views / 3).label("third"))
    assert sql_of(qs) == ('SELECT ("sqla_post"."views" / ?) AS "third" FROM "sqla_post"', [3])
