"""Query shapes MySQL refuses as written elsewhere, and how KakaORM spells them."""

from __future__ import annotations

import pytest

from kakaorm import Avg, BoolColumn, IntColumn, Model, Subquery

pytestmark = pytest.mark.backends("mysql")


class MyQScore(Model):
    n = IntColumn(nullable=False)
    top = BoolColumn(nullable=False, default=False)

    class Meta:
        table_name = "myq_score"


@pytest.fixture
async def scores(engine):
    await engine.create_table(MyQScore)
    for n in (1, 2, 3, 4, 10):
        await MyQScore.create(n=n)
    return engine


async def test_in_a_limited_subquery_works(scores):
    best = MyQScore.all().order_by(MyQScore.n.desc).limit(2).select(MyQScore.id)
    assert sorted(s.n for s in await MyQScore.where(MyQScore.id.in_(best))) == [4, 10]


async def test_update_may_filter_on_a_subquery_of_its_own_table(scores):
    best = MyQScore.all().order_by(MyQScore.n.desc).limit(2).select(MyQScore.id)
    assert await MyQScore.where(MyQScore.id.in_(best)).update(top=True) == 2
    assert sorted(s.n for s in await MyQScore.where(MyQScore.top == True)) == [4, 10]  # noqa: E712


async def test_delete_may_compare_with_a_scalar_subquery_of_its_own_table(scores):
    mean = Subquery(MyQScore.all().select(Avg(MyQScore.n)))
    assert await MyQScore.where(MyQScore.n < mean).delete() == 3  # the mean is 4.0
    assert [s.n for s in await MyQScore.order_by(MyQScore.n)] == [4, 10]


async def test_offset_without_limit_skips_rows(scores):
    assert [s.n for s in await MyQScore.order_by(MyQScore.n).offset(3)] == [4, 10]
