"""engine.fetch / execute / fetchval with %s placeholders on every backend."""

from __future__ import annotations

import pytest

from kakaorm import BoolColumn, IntColumn, Model, QueryError, StrColumn


class RawPost(Model):
    title = StrColumn(nullable=False)
    views = IntColumn(nullable=False, default=0)
    published = BoolColumn(nullable=False, default=False)


async def seed(engine):
    await engine.create_table(RawPost)
    await RawPost.create(title="50% off", views=10, published=True)
    await RawPost.create(title="plain", views=200, published=False)
    await RawPost.create(title="100% pure", views=300, published=True)


async def test_fetch_returns_rows_as_dicts(engine):
    await seed(engine)
    rows = await engine.fetch("SELECT title, views FROM raw_post WHERE views > %s ORDER BY views", [100])
    assert rows == [{"title": "plain", "views": 200}, {"title": "100% pure", "views": 300}]
    assert await engine.fetch("SELECT title FROM raw_post WHERE views > %s", [10_000]) == []


async def test_fetch_binds_several_parameters_in_order(engine):
    await seed(engine)
    rows = await engine.fetch(
        "SELECT title FROM raw_post WHERE views >= %s AND views <= %s AND title <> %s ORDER BY id",
        (10, 250, "plain"),
    )
    assert rows == [{"title": "50% off"}]


async def test_execute_returns_the_affected_row_count(engine):
    await seed(engine)
    assert await engine.execute("UPDATE raw_post SET views = 0 WHERE views < %s", [250]) == 2
    assert await engine.execute("DELETE FROM raw_post WHERE views = %s", [0]) == 2
    assert await engine.execute("INSERT INTO raw_post (title, views, published) VALUES (%s, %s, %s)", ["new", 1, False]) == 1
    assert sorted(p.title for p in await RawPost.all()) == ["100% pure", "new"]


async def test_fetchval_returns_the_first_column_of_the_first_row(engine):
    await seed(engine)
    assert await engine.fetchval("SELECT COUNT(*) FROM raw_post WHERE published = %s", [True]) == 2
    assert await engine.fetchval("SELECT title FROM raw_post ORDER BY views DESC") == "100% pure"
    assert await engine.fetchval("SELECT title FROM raw_post WHERE views < %s", [0]) is None


async def test_double_percent_is_a_literal_percent_sign(engine):
    await seed(engine)
    rows = await engine.fetch("SELECT title FROM raw_post WHERE title LIKE '%%!%% %%' ESCAPE '!' ORDER BY id")
    assert [r["title"] for r in rows] == ["50% off", "100% pure"]
    like = await engine.fetch("SELECT title FROM raw_post WHERE title LIKE %s ORDER BY id", ["%pure"])
    assert like == [{"title": "100% pure"}]
    assert await engine.fetchval("SELECT COUNT(*) FROM raw_post WHERE title LIKE '%%off'") == 1


async def test_a_lone_percent_sign_is_rejected_with_a_hint(engine):
    await seed(engine)
    with pytest.raises(QueryError, match="write it as %%"):
        await engine.fetch("SELECT title FROM raw_post WHERE title LIKE '50%'")
    with pytest.raises(QueryError, match="position 9"):
        await engine.execute("SELECT 7 % 2")


async def test_parameters_are_bound_never_pasted(engine):
    await seed(engine)
    payload = "x' OR '1'='1"
    assert await engine.fetch("SELECT title FROM raw_post WHERE title = %s", [payload]) == []
    await engine.execute("INSERT INTO raw_post (title, views, published) VALUES (%s, %s, %s)", [payload, 0, False])
    assert await engine.fetchval("SELECT title FROM raw_post WHERE views = %s", [0]) == payload
    with_markers = "%s and %% and ? and $1"
    await engine.execute("UPDATE raw_post SET title = %s WHERE views = %s", [with_markers, 0])
    assert await engine.fetchval("SELECT title FROM raw_post WHERE views = %s", [0]) == with_markers


async def test_parameters_must_be_a_list_or_tuple(engine):
    await seed(engine)
    with pytest.raises(TypeError, match="raw SQL parameters are a list or tuple"):
        await engine.fetch("SELECT title FROM raw_post WHERE title = %s", "plain")  # type: ignore[arg-type]


async def test_a_percent_sign_inside_a_raw_fragment_is_literal(engine):
    import kakaorm

    await engine.create_table(RawPost)
    await RawPost.create(title="50% off", views=1)
    await RawPost.create(title="plain", views=2)
    assert await RawPost.where(RawPost.title.like(kakaorm.raw("'50%'"))).count() == 1
    rows = await RawPost.all().select(RawPost.title, kakaorm.raw("'100%'").label("tag")).order_by(RawPost.id)
    assert rows == [{"title": "50% off", "tag": "100%"}, {"title": "plain", "tag": "100%"}]


async def test_a_parameter_count_that_does_not_match_the_placeholders_is_refused(engine, sql_log):
    from kakaorm import QueryError

    await seed(engine)
    sql_log.clear()
    with pytest.raises(QueryError, match="2 %s placeholder\\(s\\) but 1 parameter\\(s\\)"):
        await engine.fetch("SELECT title FROM raw_post WHERE views > %s AND views < %s", [1])
    with pytest.raises(QueryError, match="0 %s placeholder\\(s\\) but 1 parameter\\(s\\)"):
        await engine.execute("UPDATE raw_post SET views = 0", [5])
    assert sql_log.statements == []
    assert await engine.fetchval("SELECT COUNT(*) FROM raw_post WHERE title LIKE %s", ["%%"]) == 3
