"""KakaORM doing the seven workloads through its public API, on its own pool."""

from __future__ import annotations

from _common import (
    BULK,
    FETCH,
    GETS,
    INSERTS,
    PAGES,
    PREFETCH,
    TOP100,
    UPDATE,
    Results,
    Sizes,
    Target,
    get_positions,
    post_values,
    threshold,
)

import kakaorm
from kakaorm import BoolColumn, FloatColumn, ForeignKey, IntColumn, Model, StrColumn, belongs_to


class BenchAuthor(Model):
    name = StrColumn(nullable=False)

    class Meta:
        table_name = "bench_author"


class BenchPost(Model):
    title = StrColumn(nullable=False)
    views = IntColumn(nullable=False, default=0)
    published = BoolColumn(nullable=False, default=False)
    score = FloatColumn(nullable=True)
    author_id = ForeignKey(BenchAuthor, nullable=False)
    author = belongs_to(BenchAuthor, foreign_key="author_id")

    class Meta:
        table_name = "bench_post"


SCHEMES = {
    "sqlite": "sqlite+aiosqlite",
    "postgres-asyncpg": "postgresql+asyncpg",
    "postgres-psycopg": "postgresql+psycopg3",
    "mysql": "mysql+aiomysql",
}


def _post(i: int) -> BenchPost:
    title, views, published, score, author_id = post_values(i)
    return BenchPost(title=title, views=views, published=published, score=score, author_id=author_id)


async def run(target: Target, sizes: Sizes, results: Results) -> str:
    """Run the workloads on ``target``; returns what ran (for the report)."""
    async with await kakaorm.connect(target.url(SCHEMES[target.backend])) as engine:
        await BenchAuthor.count()  # warm up: the pool's first connection

        async def inserts() -> int:
            ids = set()
            async with engine.transaction():
                for i in range(sizes.inserts):
                    title, views, published, score, author_id = post_values(i)
                    post = await BenchPost.create(
                        title=title, views=views, published=published, score=score, author_id=author_id
                    )
                    ids.add(post.id)
            return len(ids)

        await results.time(INSERTS, inserts)
        await BenchPost.all().delete()

        async def bulk() -> int:
            created = await BenchPost.bulk_create([_post(i) for i in range(sizes.rows)])
            return len(created)

        await results.time(BULK, bulk)
        fetched: list[BenchPost] = []

        async def fetch() -> int:
            fetched.extend(await BenchPost.all())
            return len(fetched)

        await results.time(FETCH, fetch)
        ids = sorted(p.id for p in fetched)

        async def gets() -> int:
            total = 0
            for pos in get_positions(sizes):
                post = await BenchPost.get(BenchPost.id == ids[pos])
                total += post.views
            return total

        await results.time(GETS, gets)

        async def top100() -> int:
            count = total = 0
            for k in range(sizes.queries):
                for post in await BenchPost.where(BenchPost.views > threshold(k)).order_by(BenchPost.views).limit(100):
                    count += 1
                    total += post.views
            return count * 10**9 + total

        await results.time(TOP100, top100)

        async def update() -> int:
            return await BenchPost.where(BenchPost.published == False).update(  # noqa: E712
                views=BenchPost.views + 1
            )

        await results.time(UPDATE, update)

        async def prefetch() -> int:
            last, check = 0, 0
            for _ in range(PAGES):
                posts = await (
                    BenchPost.where(BenchPost.id > last).order_by(BenchPost.id).limit(sizes.page).prefetch("author")
                )
                authors = [await post.author for post in posts]
                check += len(posts) * 10**9 + sum(a.id for a in authors if a is not None)
                last = posts[-1].id
            return check

        await results.time(PREFETCH, prefetch)
    return f"kakaorm {kakaorm.__version__}"
