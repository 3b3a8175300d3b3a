"""Tortoise ORM doing the seven workloads (an optional contender:
``pip install -r bench/requirements-contenders.txt``), on its own pool, through
its public API: ``create`` in ``in_transaction()``, ``bulk_create``, ``all()``,
``get(id=)``, ``filter().order_by().limit()``, ``update(views=F("views") + 1)`` and
``prefetch_related("author")``."""

from __future__ import annotations

import importlib.metadata

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
from tortoise import Tortoise, fields
from tortoise.expressions import F
from tortoise.models import Model
from tortoise.transactions import in_transaction


class BenchAuthor(Model):
    id = fields.BigIntField(primary_key=True)
    name = fields.TextField()

    class Meta:
        table = "bench_author"


class BenchPost(Model):
    id = fields.BigIntField(primary_key=True)
    title = fields.TextField()
    views = fields.BigIntField(default=0)
    published = fields.BooleanField(default=False)
    score = fields.FloatField(null=True)
    author: fields.ForeignKeyRelation[BenchAuthor] = fields.ForeignKeyField(
        "models.BenchAuthor", related_name="posts", source_field="author_id"
    )

    class Meta:
        table = "bench_post"


SCHEMES = {"sqlite": "sqlite", "postgres-asyncpg": "asyncpg", "postgres-psycopg": "psycopg", "mysql": "mysql"}


def _post(i: int) -> BenchPost:
    title, views, published, score, author_id = post_values(i)
    return BenchPost(title=title, views=views, published=published, score=score, author_id=author_id)


async def run(target: Target, sizes: Sizes, results: Results) -> str:
    url = target.url(SCHEMES[target.backend])
    if target.family == "mysql" and not target.password:
        url = url.replace(f"{target.user}@", f"{target.user}:@", 1)
    await Tortoise.init(db_url=url, modules={"models": [__name__]})
    try:
        await BenchAuthor.all().count()  # warm up

        async def inserts() -> int:
            ids = set()
            async with in_transaction():
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
            posts = [_post(i) for i in range(sizes.rows)]
            await BenchPost.bulk_create(posts)
            return len(posts)

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
                post = await BenchPost.get(id=ids[pos])
                total += post.views
            return total

        await results.time(GETS, gets)

        async def top100() -> int:
            count = total = 0
            for k in range(sizes.queries):
                for post in await BenchPost.filter(views__gt=threshold(k)).order_by("views").limit(100):
                    count += 1
                    total += post.views
            return count * 10**9 + total

        await results.time(TOP100, top100)

        async def update() -> int:
            return int(await BenchPost.filter(published=False).update(views=F("views") + 1))

        await results.time(UPDATE, update)

        async def prefetch() -> int:
            last, check = 0, 0
            for _ in range(PAGES):
                posts = await (
                    BenchPost.filter(id__gt=last).order_by("id").limit(sizes.page).prefetch_related("author")
                )
                check += len(posts) * 10**9 + sum(post.author.id for post in posts)
                last = posts[-1].id
            return check

        await results.time(PREFETCH, prefetch)
    finally:
        await Tortoise.close_connections()
    return f"tortoise-orm {importlib.metadata.version('tortoise-orm')}"
