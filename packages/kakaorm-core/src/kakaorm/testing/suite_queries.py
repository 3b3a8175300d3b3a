"""Compliance: every query construct of the ORM, with exact rows and types."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from kakaorm import CTE, Count, Engine, Max, RowNumber, Subquery, Sum

from ._gates import require_feature, require_row_locks
from .models import ComplianceAuthor, ComplianceCounter, CompliancePost, seed_posts

A, P, C = ComplianceAuthor, CompliancePost, ComplianceCounter


def _titles(posts: list[CompliancePost]) -> list[str]:
    return [p.title for p in posts]


@pytest.mark.asyncio
class TestFilters:
    """where() conditions select exactly the matching rows."""

    async def test_comparisons_and_boolean_combinations(self, compliance_engine: Engine) -> None:
        await seed_posts(compliance_engine)
        assert _titles(await P.where(P.views == 30)) == ["world"]
        assert _titles(await P.where(P.views != 30).order_by(P.id)) == ["hello", "50% off", "quiet", "again"]
        assert _titles(await P.where(P.views > 10, P.views <= 30).order_by(P.id)) == ["world", "50% off"]
        assert _titles(await P.where((P.views < 5) | (P.views >= 40)).order_by(P.id)) == ["quiet", "again"]
        assert _titles(await P.where(P.views.between(10, 20)).order_by(P.id)) == ["hello", "50% off"]
        assert _titles(await P.exclude(P.views >= 20).order_by(P.id)) == ["hello", "quiet"]

    async def test_in_and_not_in(self, compliance_engine: Engine) -> None:
        await seed_posts(compliance_engine)
        assert _titles(await P.where(P.views.in_([0, 40, 99])).order_by(P.id)) == ["quiet", "again"]
        assert _titles(await P.where(P.views.not_in([0, 40])).order_by(P.id)) == ["hello", "world", "50% off"]
        assert await P.where(P.views.in_([])).count() == 0

    async def test_like_matches_case_sensitively_and_escapes_wildcards(self, compliance_engine: Engine) -> None:
        await seed_posts(compliance_engine)
        assert _titles(await P.where(P.title.like("%o%")).order_by(P.id)) == ["hello", "world", "50% off"]
        assert _titles(await P.where(P.title.like("H%"))) == []
        assert _titles(await P.where(P.title.ilike("H%"))) == ["hello"]
        assert _titles(await P.where(P.title.contains("%"))) == ["50% off"]
        assert _titles(await P.where(P.title.startswith("wor"))) == ["world"]

    async def test_null_checks(self, compliance_engine: Engine) -> None:
        await seed_posts(compliance_engine)
        assert _titles(await P.where(P.score.is_null()).order_by(P.id)) == ["world", "quiet"]
        assert _titles(await P.where(P.score.is_not_null()).order_by(P.id)) == ["hello", "50% off", "again"]
        assert _titles(await P.where(P.score == None).order_by(P.id)) == ["world", "quiet"]  # noqa: E711


@pytest.mark.asyncio
class TestReading:
    """Ordering, paging, joins, aggregates, subqueries, CTEs, windows and unions."""

    async def test_ordering_limit_and_offset(self, compliance_engine: Engine) -> None:
        await seed_posts(compliance_engine)
        assert _titles(await P.all().order_by(P.views.desc)) == ["again", "world", "50% off", "hello", "quiet"]
        assert _titles(await P.all().order_by("-views").limit(2)) == ["again", "world"]
        assert _titles(await P.all().order_by("views").limit(2).offset(1)) == ["hello", "50% off"]
        assert _titles(await P.all().order_by(P.views).offset(4)) == ["again"]

    async def test_inner_and_left_joins(self, compliance_engine: Engine) -> None:
        await seed_posts(compliance_engine)
        await A.create(name="dee", active=True)
        rows = await (
            P.all().join(A, on=P.author_id == A.id).where(A.active == True)  # noqa: E712
            .select(P.title, A.name.label("author")).order_by(P.id)
        )
        assert rows == [
            {"title": "hello", "author": "ann"}, {"title": "world", "author": "ann"},
            {"title": "50% off", "author": "bob"}, {"title": "again", "author": "bob"},
        ]
        left = await (
            A.all().left_join(P, on=P.author_id == A.id).select(A.name, Count(P.id).label("n"))
            .group_by(A.name).order_by(A.name)
        )
        assert left == [
            {"name": "ann", "n": 2}, {"name": "bob", "n": 2}, {"name": "cy", "n": 1}, {"name": "dee", "n": 0},
        ]

    async def test_right_join(self, compliance_engine: Engine) -> None:
        require_feature(compliance_engine, "right_join")
        await seed_posts(compliance_engine)
        await A.create(name="dee", active=True)
        rows = await (
            P.all().right_join(A, on=P.author_id == A.id).where(P.id.is_null()).select(A.name)
        )
        assert rows == [{"name": "dee"}]

    async def test_aggregates_group_by_and_having(self, compliance_engine: Engine) -> None:
        ids = await seed_posts(compliance_engine)
        assert await P.all().count() == 5
        assert await P.where(P.views > 100).count() == 0
        stats = await P.all().aggregate(n=Count(), total=Sum(P.views), top=Max(P.views))
        assert stats == {"n": 5, "total": 100, "top": 40}
        assert [type(v) for v in stats.values()] == [int, int, int]
        rows = await (
            P.all().select(P.author_id, Count(P.id).label("n"), Sum(P.views).label("views"))
            .group_by(P.author_id).having(Count(P.id) >= 2).order_by(P.author_id)
        )
        assert rows == [
            {"author_id": ids["ann"], "n": 2, "views": 40},
            {"author_id": ids["bob"], "n": 2, "views": 60},
        ]

    async def test_subqueries_in_where(self, compliance_engine: Engine) -> None:
        await seed_posts(compliance_engine)
        active = A.where(A.active == True).select(A.id)  # noqa: E712
        assert _titles(await P.where(P.author_id.in_(Subquery(active))).order_by(P.id)) == [
            "hello", "world", "50% off", "again",
        ]
        assert _titles(await P.where(P.author_id.not_in(active)).order_by(P.id)) == ["quiet"]

    async def test_common_table_expressions(self, compliance_engine: Engine) -> None:
        await seed_posts(compliance_engine)
        busy = CTE("busy", P.where(P.views >= 20).select(P.author_id))
        rows = await A.all().join(busy, on=busy.c.author_id == A.id).select(A.name).distinct().order_by(A.name)
        assert rows == [{"name": "ann"}, {"name": "bob"}]
        assert await busy.query().order_by("author_id").count() == 3

    async def test_window_functions(self, compliance_engine: Engine) -> None:
        require_feature(compliance_engine, "window_functions")
        await seed_posts(compliance_engine)
        rows = await (
            P.all().select(P.title, RowNumber().over(partition_by=[P.author_id], order_by=[P.views.desc]).label("rank"))
            .order_by(P.id)
        )
        assert rows == [
            {"title": "hello", "rank": 2}, {"title": "world", "rank": 1}, {"title": "50% off", "rank": 2},
            {"title": "quiet", "rank": 1}, {"title": "again", "rank": 1},
        ]
        assert all(type(r["rank"]) is int for r in rows)

    async def test_distinct_get_first_and_exists(self, compliance_engine: Engine) -> None:
        ids = await seed_posts(compliance_engine)
        assert await P.all().select(P.author_id).distinct().order_by(P.author_id) == [
            {"author_id": ids["ann"]}, {"author_id": ids["bob"]}, {"author_id": ids["cy"]},
        ]
        assert (await P.get(P.views == 20)).title == "50% off"
        with pytest.raises(P.NotFound):
            await P.get(P.views == 999)
        with pytest.raises(P.MultipleResults):
            await P.get(P.author_id == ids["ann"])
        first = await P.all().order_by(P.views.desc).first()
        assert first is not None and first.title == "again"
        assert await P.where(P.views > 35).exists() is True
        assert await P.where(P.views > 99).exists() is False

    async def test_raw_sql_binds_percent_s_and_reads_double_percent_as_a_literal(
        self, compliance_engine: Engine
    ) -> None:
        await seed_posts(compliance_engine)
        rows = await compliance_engine.fetch(
            "SELECT title, views FROM compliance_post WHERE views > %s AND title LIKE '%%off' ORDER BY id", [5]
        )
        assert rows == [{"title": "50% off", "views": 20}]
        assert await compliance_engine.fetchval("SELECT COUNT(*) FROM compliance_post WHERE views >= %s", [20]) == 3
        update = "UPDATE compliance_post SET views = views + %s WHERE views < %s"
        assert await compliance_engine.execute(update, [1, 15]) == 2

    async def test_iterator_streams_every_row_in_chunks_and_can_stop_early(self, compliance_engine: Engine) -> None:
        await seed_posts(compliance_engine)
        assert [p.title async for p in P.all().order_by(P.id).iterator(chunk_size=2)] == [
            "hello", "world", "50% off", "quiet", "again",
        ]
        seen = []
        # iterator() is typed as an AsyncIterator; it is an async generator, which has aclose()
        stream: Any = P.all().order_by(P.id).select(P.title).iterator(chunk_size=2)
        async with contextlib.aclosing(stream) as rows:
            async for row in rows:
                seen.append(row["title"])
                if len(seen) == 3:
                    break
        assert seen == ["hello", "world", "50% off"]
        # closing the stream early gave the connection back, usable
        assert compliance_engine.pool_stats().in_use == 0
        assert await P.all().count() == 5

    async def test_union_and_union_all(self, compliance_engine: Engine) -> None:
        await seed_posts(compliance_engine)
        low = P.where(P.views <= 20).select(P.title)
        mid = P.where(P.views.between(10, 30)).select(P.title)
        assert await low.union_all(mid).order_by("title") == [
            {"title": "50% off"}, {"title": "50% off"}, {"title": "hello"}, {"title": "hello"},
            {"title": "quiet"}, {"title": "world"},
        ]
        assert await low.union(mid).order_by("title") == [
            {"title": "50% off"}, {"title": "hello"}, {"title": "quiet"}, {"title": "world"},
        ]


@pytest.mark.asyncio
class TestWriting:
    """bulk_create, update, delete, upserts and row locks, with exact counts."""

    async def test_bulk_create_update_and_delete_report_their_rows(self, compliance_engine: Engine) -> None:
        await seed_posts(compliance_engine)
        assert await P.where(P.views < 25).update(views=P.views + 1) == 3
        assert sorted(p.views for p in await P.all()) == [1, 11, 21, 30, 40]
        assert await P.where(P.views > 35).delete() == 1
        assert await P.all().count() == 4
        ann = await A.get(A.name == "ann")
        made = await P.bulk_create([P(title=f"bulk {i}", views=i, author_id=ann.id) for i in range(250)])
        assert len(made) == 250 and len({p.id for p in made}) == 250
        assert await P.where(P.title.startswith("bulk ")).count() == 250
        assert await P.where(P.title.startswith("bulk ")).aggregate(s=Sum(P.views)) == {"s": sum(range(250))}

    async def test_upsert_inserts_then_updates_on_the_unique_column(self, compliance_engine: Engine) -> None:
        await compliance_engine.create_table(C)
        first = await C.upsert(conflict=["key"], key="home", hits=1)
        again = await C.upsert(conflict=["key"], key="home", hits=5)
        assert (first.hits, again.id, again.hits) == (1, first.id, 5)
        assert [(c.key, c.hits) for c in await C.all()] == [("home", 5)]

    async def test_bulk_create_ignores_or_updates_collisions(self, compliance_engine: Engine) -> None:
        await compliance_engine.create_table(C)
        await C.bulk_create([C(key="a", hits=1), C(key="b", hits=2)])
        await C.bulk_create(
            [C(key="a", hits=10), C(key="c", hits=3)], on_conflict="ignore", conflict=["key"]
        )
        assert [(c.key, c.hits) for c in await C.all().order_by("key")] == [("a", 1), ("b", 2), ("c", 3)]
        await C.bulk_create(
            [C(key="b", hits=20), C(key="d", hits=4)], on_conflict="update", conflict=["key"]
        )
        assert [(c.key, c.hits) for c in await C.all().order_by("key")] == [
            ("a", 1), ("b", 20), ("c", 3), ("d", 4),
        ]

    async def test_select_for_update_reads_the_rows_inside_a_transaction(self, compliance_engine: Engine) -> None:
        require_row_locks(compliance_engine)
        await seed_posts(compliance_engine)
        async with compliance_engine.transaction():
            locked = await P.where(P.views >= 30).order_by(P.id).select_for_update()
            assert _titles(locked) == ["world", "again"]
            assert await P.where(P.id.in_([p.id for p in locked])).update(views=0) == 2
        assert await P.where(P.views == 0).count() == 3
