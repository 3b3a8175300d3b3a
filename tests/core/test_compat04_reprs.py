"""``repr()`` of expressions and queries shows the SQL construct in a generic form
(names bare, values inline), with no dialect and no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kakaorm import (
    CTE,
    Avg,
    BoolColumn,
    Case,
    Count,
    DateTimeColumn,
    DecimalColumn,
    DenseRank,
    ForeignKey,
    IntColumn,
    Lag,
    Lead,
    Max,
    Min,
    Model,
    Rank,
    RowNumber,
    SoftDeleteModel,
    StrColumn,
    Subquery,
    Sum,
    When,
    raw,
    value,
)


class RpPost(Model):
    title = StrColumn(nullable=False)
    views = IntColumn(nullable=False)
    done = BoolColumn()
    price = DecimalColumn(10, 2)
    at = DateTimeColumn()

    class Meta:
        table_name = "post"


class RpOrder(Model):
    post_id = ForeignKey(RpPost)
    note = StrColumn()

    class Meta:
        table_name = "order line"


class RpNote(SoftDeleteModel):
    body = StrColumn(nullable=False)

    class Meta:
        table_name = "note"


P = RpPost

CASES = [
    # aggregates
    (Sum(P.views), "<Sum SUM(post.views)>"),
    (Count(), "<Count COUNT(*)>"),
    (Count(P.id, distinct=True), "<Count COUNT(DISTINCT post.id)>"),
    (Avg(P.price), "<Avg AVG(post.price)>"),
    (Max(P.views), "<Max MAX(post.views)>"),
    (Min(P.at), "<Min MIN(post.at)>"),
    (Sum(P.done), "<Sum SUM(post.done)>"),
    (Sum(P.views).label("total"), "<Label SUM(post.views) AS total>"),
    # conditions
    (P.views >= 100, "<Comparison post.views >= 100>"),
    (P.views != 3, "<Comparison post.views != 3>"),
    (P.title == None, "<IsNull post.title IS NULL>"),  # noqa: E711
    (P.title.is_not_null(), "<IsNull post.title IS NOT NULL>"),
    (P.title == "it's", "<Comparison post.title = 'it''s'>"),
    (P.done == True, "<Comparison post.done = TRUE>"),  # noqa: E712
    (P.price > Decimal("1.50"), "<Comparison post.price > 1.50>"),
    (
        P.at < dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC),
        "<Comparison post.at < '2024-05-06 07:08:09.000000+00:00'>",
    ),
    (P.title.like("a%"), "<Like post.title LIKE 'a%'>"),
    (P.title.ilike("a%"), "<Like post.title ILIKE 'a%'>"),
    (P.id.in_([1, 2, 3]), "<InList post.id IN (1, 2, 3)>"),
    (P.id.not_in([]), "<InList post.id NOT IN ()>"),
    (P.views.between(1, 9), "<Between post.views BETWEEN 1 AND 9>"),
    (
        (P.views >= 100) & P.title.ilike("a%") | ~(P.done == True),  # noqa: E712
        "<BoolOp ((post.views >= 100) AND (post.title ILIKE 'a%')) OR (NOT (post.done = TRUE))>",
    ),
    # column to column, a name that needs quoting
    (RpOrder.post_id == P.id, '<Comparison "order line".post_id = post.id>'),
    # arithmetic, orderings, constants, raw fragments
    (P.views + 1, "<Arithmetic (post.views + 1)>"),
    (P.views * 0.5, "<Arithmetic (post.views * 0.5)>"),
    (P.views.desc, "<Ordering post.views DESC>"),
    (P.id.asc, "<Ordering post.id ASC>"),
    (value(3).label("three"), "<Label 3 AS three>"),
    (raw("CURRENT_DATE"), "<Raw CURRENT_DATE>"),
    # CASE
    (
        Case(When(P.views >= 100, then="hot"), When(P.views >= 10, then="warm"), default="cold"),
        "<Case CASE WHEN post.views >= 100 THEN 'hot' WHEN post.views >= 10 THEN 'warm' ELSE 'cold' END>",
    ),
    (Case(When(P.done == None, then=0)), "<Case CASE WHEN post.done IS NULL THEN 0 END>"),  # noqa: E711
    (When(P.views >= 100, then="hot"), "<When WHEN post.views >= 100 THEN 'hot'>"),
    # window functions
    (RowNumber(), "<RowNumber ROW_NUMBER()>"),
    (Rank().over(order_by=[P.views.desc]), "<Window RANK() OVER (ORDER BY post.views DESC)>"),
    (
        DenseRank().over(partition_by=[P.title], order_by=[P.views]),
        "<Window DENSE_RANK() OVER (PARTITION BY post.title ORDER BY post.views ASC)>",
    ),
    (Lag(P.views), "<Lag LAG(post.views, 1)>"),
    (Lead(P.views, 2, 0), "<Lead LEAD(post.views, 2, 0)>"),
    (Sum(P.views).over(partition_by=[P.title]), "<Window SUM(post.views) OVER (PARTITION BY post.title)>"),
    (RowNumber().over(), "<Window ROW_NUMBER() OVER ()>"),
    # subqueries
    (
        Subquery(P.where(P.views > 3).select(P.id)),
        "<Subquery (SELECT post.id FROM post WHERE post.views > 3)>",
    ),
    (
        P.id.in_(P.where(P.views > 3).select(P.id)),
        "<InSubquery post.id IN (SELECT post.id FROM post WHERE post.views > 3)>",
    ),
]


@pytest.mark.parametrize(("node", "text"), CASES, ids=[text for _, text in CASES])
def test_repr_shows_the_sql_construct(node, text):
    assert repr(node) == text


def test_column_and_constant_reprs_name_the_model_and_the_value():
    assert repr(P.views) == "<IntColumn RpPost.views>"
    assert repr(RpOrder.post_id) == "<ForeignKey RpOrder.post_id>"
    assert repr(value(3)) == "Param(3)"


def test_repr_leaves_the_expression_and_its_parameters_unchanged():
    case = Case(When(P.views >= 100, then="hot"), default="cold")
    before: list = []
    shape = case._key(before)
    assert repr(case) == repr(case)
    after: list = []
    assert case._key(after) == shape
    assert [p.value for p in after] == [p.value for p in before] == [100, "hot", "cold"]


def test_queryset_repr_shows_the_select_with_its_clauses():
    query = P.where(P.views > 3).order_by(P.id.desc).limit(5).offset(10)
    assert repr(query) == (
        "<QuerySet of RpPost: SELECT post.id, post.title, post.views, post.done, post.price, post.at "
        "FROM post WHERE post.views > 3 ORDER BY post.id DESC LIMIT 5 OFFSET 10>"
    )
    grouped = (
        P.all().select(P.title, Sum(P.views).label("total")).group_by(P.title).having(Sum(P.views) > 3)
    )
    assert repr(grouped) == (
        "<QuerySet of RpPost: SELECT post.title, SUM(post.views) AS total FROM post "
        "GROUP BY post.title HAVING SUM(post.views) > 3>"
    )


def test_queryset_repr_shows_the_soft_delete_filter():
    assert repr(RpNote.all()) == (
        "<QuerySet of RpNote: SELECT note.id, note.deleted_at, note.body FROM note "
        "WHERE note.deleted_at IS NULL>"
    )
    assert repr(RpNote.include_deleted()) == (
        "<QuerySet of RpNote: SELECT note.id, note.deleted_at, note.body FROM note>"
    )


def test_queryset_repr_of_a_query_over_a_cte():
    top = CTE("top_posts", P.where(P.views > 100).select(P.id, P.title))
    assert repr(top.query()) == (
        "<QuerySet of CTE top_posts: WITH top_posts AS (SELECT post.id, post.title FROM post "
        "WHERE post.views > 100) SELECT top_posts.id, top_posts.title FROM top_posts>"
    )


def test_queryset_repr_of_an_invalid_query_names_the_model_without_raising():
    # RpOrder is not joined: awaiting this raises QueryError, its repr does not
    query = P.where(RpOrder.note == "x")
    assert repr(query) == "<QuerySet of RpPost>"
