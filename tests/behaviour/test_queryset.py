"""QuerySet: lazy, immutable, every operator, ordering, paging, select, iteration."""

from __future__ import annotations

import pytest

from kakaorm import BoolColumn, Count, FloatColumn, IntColumn, Model, QuerySet, StrColumn


class QsPost(Model):
    title = StrColumn(nullable=False, max_length=100)
    views = IntColumn(nullable=False, default=0)
    published = BoolColumn(nullable=False, default=False)
    score = FloatColumn()


class QsShownPost(Model):
    """A model whose queries all start from its published rows, by an all() of its own."""

    title = StrColumn(nullable=False, max_length=100)
    published = BoolColumn(nullable=False, default=False)

    @classmethod
    def all(cls) -> QuerySet[QsShownPost]:
        return super().all().where(cls.published == True)  # noqa: E712


class QsStaticAllPost(Model):
    """A model whose all() is a staticmethod (no bound method to compare)."""

    title = StrColumn(nullable=False, max_length=100)
    published = BoolColumn(nullable=False, default=False)

    @staticmethod
    def all() -> QuerySet[QsStaticAllPost]:
        return QuerySet._for(QsStaticAllPost).where(QsStaticAllPost.published == True)  # noqa: E712


ROWS = [
    # title, views, published, score
    ("Python tips", 100, True, 4.5),
    ("Async IO", 250, True, None),
    ("draft: ORM", 5, False, 2.0),
    ("SQL basics", 40, False, None),
    ("python DEEP dive", 1000, True, 5.0),
]


async def seed(engine):
    await engine.create_table(QsPost)
    for title, views, published, score in ROWS:
        await QsPost.create(title=title, views=views, published=published, score=score)


async def titles(qs):
    return sorted(p.title for p in await qs)


async def ordered_titles(qs):
    return [p.title for p in await qs]


async def test_building_a_queryset_runs_no_sql(engine, sql_log):
    await seed(engine)
    sql_log.clear()
    qs = QsPost.where(QsPost.views > 10).order_by(QsPost.id.desc).limit(2).offset(1)
    qs = qs.exclude(QsPost.published == False).select(QsPost.title)  # noqa: E712
    assert isinstance(qs, QuerySet)
    assert sql_log.count == 0
    assert await qs == [{"title": "Async IO"}, {"title": "Python tips"}]
    assert sql_log.count == 1


async def test_querysets_are_immutable_and_reusable(engine):
    await seed(engine)
    base = QsPost.where(QsPost.published == True)  # noqa: E712
    popular = base.where(QsPost.views >= 250)
    limited = base.order_by(QsPost.views).limit(1)
    assert await titles(base) == ["Async IO", "Python tips", "python DEEP dive"]
    assert await titles(popular) == ["Async IO", "python DEEP dive"]
    assert await ordered_titles(limited) == ["Python tips"]
    assert await titles(base) == ["Async IO", "Python tips", "python DEEP dive"]


async def test_chained_where_calls_are_and(engine):
    await seed(engine)
    qs = QsPost.where(QsPost.published == True).where(QsPost.views < 500)  # noqa: E712
    assert await titles(qs) == ["Async IO", "Python tips"]
    assert await titles(QsPost.where(QsPost.views > 10, QsPost.views < 200)) == ["Python tips", "SQL basics"]


async def test_and_or_not_operators(engine):
    await seed(engine)
    both = (QsPost.published == True) & (QsPost.views >= 250)  # noqa: E712
    either = (QsPost.views < 10) | (QsPost.views > 500)
    assert await titles(QsPost.where(both)) == ["Async IO", "python DEEP dive"]
    assert await titles(QsPost.where(either)) == ["draft: ORM", "python DEEP dive"]
    assert await titles(QsPost.where(~either)) == ["Async IO", "Python tips", "SQL basics"]
    nested = (QsPost.published == False) | ((QsPost.views > 200) & ~(QsPost.title == "Async IO"))  # noqa: E712
    assert await titles(QsPost.where(nested)) == ["SQL basics", "draft: ORM", "python DEEP dive"]


async def test_exclude_drops_matching_rows(engine):
    await seed(engine)
    assert await titles(QsPost.exclude(QsPost.published == True)) == ["SQL basics", "draft: ORM"]  # noqa: E712
    assert await titles(QsPost.where(QsPost.views > 10).exclude(QsPost.views > 200)) == [
        "Python tips", "SQL basics"
    ]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: QsPost.views == 100, ["Python tips"]),
        (lambda: QsPost.views != 100, ["Async IO", "SQL basics", "draft: ORM", "python DEEP dive"]),
        (lambda: QsPost.views > 100, ["Async IO", "python DEEP dive"]),
        (lambda: QsPost.views >= 100, ["Async IO", "Python tips", "python DEEP dive"]),
        (lambda: QsPost.views < 40, ["draft: ORM"]),
        (lambda: QsPost.views <= 40, ["SQL basics", "draft: ORM"]),
        (lambda: QsPost.score == None, ["Async IO", "SQL basics"]),  # noqa: E711
        (lambda: QsPost.score != None, ["Python tips", "draft: ORM", "python DEEP dive"]),  # noqa: E711
        (lambda: QsPost.score.is_null(), ["Async IO", "SQL basics"]),
        (lambda: QsPost.score.is_not_null(), ["Python tips", "draft: ORM", "python DEEP dive"]),
        (lambda: QsPost.title.like("%IO%"), ["Async IO"]),
        (lambda: QsPost.title.like("draft:%"), ["draft: ORM"]),
        (lambda: QsPost.title.ilike("PYTHON%"), ["Python tips", "python DEEP dive"]),
        (lambda: QsPost.title.ilike("%deep%"), ["python DEEP dive"]),
        (lambda: QsPost.views.in_([5, 40, 7]), ["SQL basics", "draft: ORM"]),
        (lambda: QsPost.views.not_in([5, 40]), ["Async IO", "Python tips", "python DEEP dive"]),
        (lambda: QsPost.views.in_([]), []),
        (lambda: QsPost.views.not_in([]), ["Async IO", "Python tips", "SQL basics", "draft: ORM", "python DEEP dive"]),
        (lambda: QsPost.views.between(40, 250), ["Async IO", "Python tips", "SQL basics"]),
        (lambda: QsPost.score.between(2.0, 4.5), ["Python tips", "draft: ORM"]),
        (lambda: QsPost.published == True, ["Async IO", "Python tips", "python DEEP dive"]),  # noqa: E712
        (lambda: QsPost.title == "SQL basics", ["SQL basics"]),
    ],
    ids=[
        "eq", "ne", "gt", "ge", "lt", "le", "eq-none", "ne-none", "is-null", "is-not-null",
        "like-contains", "like-prefix", "ilike-upper", "ilike-lower", "in", "not-in", "in-empty",
        "not-in-empty", "between", "between-float", "bool", "str-eq",
    ],
)
async def test_where_operator(engine, make, expected):
    await seed(engine)
    assert await titles(QsPost.where(make())) == expected


async def test_in_accepts_a_queryset_as_subquery(engine):
    await seed(engine)
    popular = QsPost.where(QsPost.views >= 250).select(QsPost.id)
    assert await titles(QsPost.where(QsPost.id.in_(popular))) == ["Async IO", "python DEEP dive"]
    assert await titles(QsPost.where(QsPost.id.not_in(popular))) == [
        "Python tips", "SQL basics", "draft: ORM"
    ]


async def test_order_by_columns_and_directions(engine):
    await seed(engine)
    by_views = ["draft: ORM", "SQL basics", "Python tips", "Async IO", "python DEEP dive"]
    assert await ordered_titles(QsPost.order_by(QsPost.views)) == by_views
    assert await ordered_titles(QsPost.order_by(QsPost.views.asc)) == by_views
    assert await ordered_titles(QsPost.order_by(QsPost.views.desc)) == by_views[::-1]
    two_keys = QsPost.all().order_by(QsPost.published.desc, QsPost.views.desc)
    assert await ordered_titles(two_keys) == [
        "python DEEP dive", "Async IO", "Python tips", "SQL basics", "draft: ORM"
    ]


@pytest.mark.parametrize(
    ("text", "descending"),
    [("views", False), ("-views", True), ("views DESC", True), ("views asc", False), (" views  desc ", True)],
)
async def test_order_by_accepts_column_names_as_strings(engine, text, descending):
    await seed(engine)
    expected = ["draft: ORM", "SQL basics", "Python tips", "Async IO", "python DEEP dive"]
    assert await ordered_titles(QsPost.all().order_by(text)) == (expected[::-1] if descending else expected)


@pytest.mark.parametrize(
    "text",
    ["nope", "views; DROP TABLE qs_post", "views DESC, id", "1", "views DESC NULLS LAST", "-views DESC", "", "qs_post.views"],
)
async def test_order_by_rejects_strings_that_are_not_columns_of_the_query(engine, text):
    await seed(engine)
    with pytest.raises(ValueError, match=r"not a column of this query|either '-name' or 'name DESC'"):
        QsPost.all().order_by(text)
    assert await QsPost.count() == 5


async def test_order_by_replaces_an_earlier_order(engine):
    await seed(engine)
    qs = QsPost.all().order_by(QsPost.views).order_by(QsPost.views.desc)
    assert (await ordered_titles(qs))[0] == "python DEEP dive"


async def test_limit_and_offset_page_through_rows(engine):
    await seed(engine)
    qs = QsPost.all().order_by(QsPost.id)
    assert [p.id for p in await qs.limit(2)] == [1, 2]
    assert [p.id for p in await qs.limit(2).offset(2)] == [3, 4]
    assert [p.id for p in await qs.offset(3)] == [4, 5]
    assert [p.id for p in await qs.limit(0)] == []
    with pytest.raises(ValueError, match="limit\\(\\) takes a non-negative int"):
        qs.limit(-1)
    with pytest.raises(ValueError, match="offset\\(\\) takes a non-negative int"):
        qs.offset("2")  # type: ignore[arg-type]


async def test_select_returns_dicts_of_the_chosen_columns(engine):
    await seed(engine)
    rows = await QsPost.where(QsPost.views > 200).order_by(QsPost.id).select(QsPost.title, QsPost.views)
    assert rows == [{"title": "Async IO", "views": 250}, {"title": "python DEEP dive", "views": 1000}]
    labelled = await QsPost.where(QsPost.id == 1).select(QsPost.title.label("name"), (QsPost.views + 1).label("next"))
    assert labelled == [{"name": "Python tips", "next": 101}]


async def test_select_replaces_and_also_select_appends(engine):
    await seed(engine)
    base = QsPost.where(QsPost.id == 2).select(QsPost.id, QsPost.title)
    assert await base.select(QsPost.views) == [{"views": 250}]
    assert await base.also_select(QsPost.views, QsPost.published) == [
        {"id": 2, "title": "Async IO", "views": 250, "published": True}
    ]
    row = (await QsPost.where(QsPost.id == 2).also_select(QsPost.views.label("again")))[0]
    assert list(row) == ["id", "title", "views", "published", "score", "again"]


async def test_count_and_exists(engine):
    await seed(engine)
    assert await QsPost.all().count() == 5
    assert await QsPost.where(QsPost.published == True).count() == 3  # noqa: E712
    assert await QsPost.all().order_by(QsPost.id).limit(2).offset(4).count() == 1
    assert await QsPost.where(QsPost.title.like("%SQL%")).exists() is True
    assert await QsPost.where(QsPost.views > 5000).exists() is False


async def test_exists_respects_limit_offset_and_groups(engine):
    await seed(engine)
    ordered = QsPost.all().order_by(QsPost.views)
    assert await ordered.offset(4).exists() is True
    assert await ordered.offset(5).exists() is False
    assert await ordered.limit(0).exists() is False
    assert await ordered.limit(2).offset(4).exists() is True
    grouped = QsPost.all().select(QsPost.published).group_by(QsPost.published)
    assert await grouped.having(Count() >= 3).exists() is True
    assert await grouped.having(Count() >= 4).exists() is False


async def test_first_and_last_follow_the_query_order(engine):
    await seed(engine)
    qs = QsPost.where(QsPost.published == True).order_by(QsPost.views)  # noqa: E712
    first, last = await qs.first(), await qs.last()
    assert first is not None and last is not None
    assert (first.title, last.title) == ("Python tips", "python DEEP dive")
    unordered = QsPost.where(QsPost.published == False)  # noqa: E712
    assert (await unordered.first()).id == 3  # type: ignore[union-attr]
    assert (await unordered.last()).id == 4  # type: ignore[union-attr]
    assert await QsPost.where(QsPost.views > 5000).first() is None


async def test_get_on_a_queryset_adds_its_conditions(engine):
    await seed(engine)
    post = await QsPost.where(QsPost.published == True).get(QsPost.views == 250)  # noqa: E712
    assert post.title == "Async IO"
    with pytest.raises(QsPost.NotFound):
        await QsPost.where(QsPost.published == False).get(QsPost.views == 250)  # noqa: E712


async def test_where_and_get_on_a_model_start_from_its_own_all(engine):
    await engine.create_table(QsShownPost)
    await QsShownPost.create(title="shown", published=True)
    await QsShownPost.create(title="hidden", published=False)
    assert await titles(QsShownPost.where(QsShownPost.title != "other")) == ["shown"]
    assert (await QsShownPost.get(QsShownPost.title == "shown")).title == "shown"
    with pytest.raises(QsShownPost.NotFound):
        await QsShownPost.get(QsShownPost.title == "hidden")
    assert await QsShownPost.get_or_none(QsShownPost.title == "hidden") is None
    assert await QsShownPost.count() == 1


async def test_where_and_get_start_from_an_all_that_is_a_staticmethod(engine):
    await engine.create_table(QsStaticAllPost)
    await QsStaticAllPost.create(title="shown", published=True)
    await QsStaticAllPost.create(title="hidden", published=False)
    assert await titles(QsStaticAllPost.where(QsStaticAllPost.title != "other")) == ["shown"]
    with pytest.raises(QsStaticAllPost.NotFound):
        await QsStaticAllPost.get(QsStaticAllPost.title == "hidden")
    assert (await QsStaticAllPost.get()).title == "shown"


async def test_async_for_iterates_over_instances(engine):
    await seed(engine)
    seen = []
    async for post in QsPost.all().order_by(QsPost.views.desc).limit(3):
        assert isinstance(post, QsPost)
        seen.append(post.views)
    assert seen == [1000, 250, 100]
    rows = [row async for row in QsPost.where(QsPost.id == 1).select(QsPost.title)]
    assert rows == [{"title": "Python tips"}]


async def test_queries_may_run_inside_an_async_for_loop(engine):
    await seed(engine)
    counts = []
    async for post in QsPost.all().order_by(QsPost.id):
        counts.append(await QsPost.where(QsPost.views <= post.views).count())
    assert counts == [3, 4, 1, 2, 5]


async def test_conditions_refuse_python_boolean_operators(engine):
    await seed(engine)
    with pytest.raises(TypeError, match="combine conditions with & \\| ~"):
        QsPost.where((QsPost.views > 1) and (QsPost.views < 5))
    with pytest.raises(TypeError, match="where\\(\\) takes conditions"):
        QsPost.where("views > 1")  # type: ignore[arg-type]


async def test_a_repeated_query_shape_binds_the_new_values_each_time(engine):
    await seed(engine)
    for post_id, title in [(1, "Python tips"), (4, "SQL basics"), (2, "Async IO")]:
        assert (await QsPost.get(QsPost.id == post_id)).title == title
    for flag, expected in [(True, 3), (False, 2), (True, 3)]:
        assert await QsPost.where(QsPost.published == flag).count() == expected
    assert await titles(QsPost.where(QsPost.views.in_([5]))) == ["draft: ORM"]
    assert await titles(QsPost.where(QsPost.views.in_([5, 40]))) == ["SQL basics", "draft: ORM"]
    assert await titles(QsPost.where(QsPost.views.in_([40]))) == ["SQL basics"]
    assert [p.id for p in await QsPost.all().order_by(QsPost.id).limit(1).offset(3)] == [4]
    assert [p.id for p in await QsPost.all().order_by(QsPost.id).limit(2).offset(0)] == [1, 2]


async def test_a_condition_reused_within_a_query_does_not_confuse_later_queries(engine):
    await seed(engine)
    popular = QsPost.views > 200
    assert await titles(QsPost.where(popular | popular)) == ["Async IO", "python DEEP dive"]
    assert await titles(QsPost.where(popular, popular)) == ["Async IO", "python DEEP dive"]
    # same shapes, distinct values
    assert await titles(QsPost.where((QsPost.views > 500) | (QsPost.views > 5000))) == ["python DEEP dive"]
    assert await titles(QsPost.where(QsPost.views > 4, QsPost.views > 50)) == [
        "Async IO", "Python tips", "python DEEP dive"
    ]
    assert await titles(QsPost.where(popular | popular)) == ["Async IO", "python DEEP dive"]
