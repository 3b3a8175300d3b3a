"""SQLAlchemy 2 (async ORM) doing the seven workloads (an optional contender:
``pip install -r bench/requirements-contenders.txt``), on its own pool, in the 2.0
style: ``AsyncSession`` with ``expire_on_commit=False``, one session per workload;
``session.add()`` + ``flush()`` per insert (to get its id, as ``create()`` does),
``add_all()`` for the bulk insert (batched INSERT ... RETURNING), ``select()`` for
reads (a get is a ``select ... where id =``, so every get goes to the database as
it does for the others; ``session.get()`` would answer repeats from the identity
map), a bulk ``update()`` statement, and ``selectinload(Post.author)``."""

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
from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Text, delete, func, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, selectinload


class Base(DeclarativeBase):
    pass


class BenchAuthor(Base):
    __tablename__ = "bench_author"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(Text)


class BenchPost(Base):
    __tablename__ = "bench_post"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    views: Mapped[int] = mapped_column(BigInteger, default=0)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[float | None] = mapped_column(Float)
    author_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("bench_author.id"))
    author: Mapped[BenchAuthor] = relationship()


SCHEMES = {
    "sqlite": "sqlite+aiosqlite",
    "postgres-asyncpg": "postgresql+asyncpg",
    "postgres-psycopg": "postgresql+psycopg",
    "mysql": "mysql+aiomysql",
}


def _post(i: int) -> BenchPost:
    title, views, published, score, author_id = post_values(i)
    return BenchPost(title=title, views=views, published=published, score=score, author_id=author_id)


async def run(target: Target, sizes: Sizes, results: Results) -> str:
    engine = create_async_engine(target.url(SCHEMES[target.backend]))
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    try:
        async with sessions() as session:
            await session.scalar(select(func.count()).select_from(BenchAuthor))  # warm up

        async def inserts() -> int:
            ids = set()
            async with sessions() as session, session.begin():
                for i in range(sizes.inserts):
                    post = _post(i)
                    session.add(post)
                    await session.flush()
                    ids.add(post.id)
            return len(ids)

        await results.time(INSERTS, inserts)
        async with sessions() as session, session.begin():
            await session.execute(delete(BenchPost))

        async def bulk() -> int:
            posts = [_post(i) for i in range(sizes.rows)]
            async with sessions() as session, session.begin():
                session.add_all(posts)
            return len(posts)

        await results.time(BULK, bulk)
        fetched: list[BenchPost] = []

        async def fetch() -> int:
            async with sessions() as session:
                fetched.extend((await session.scalars(select(BenchPost))).all())
            return len(fetched)

        await results.time(FETCH, fetch)
        ids = sorted(p.id for p in fetched)

        async def gets() -> int:
            total = 0
            async with sessions() as session:
                for pos in get_positions(sizes):
                    post = (await session.execute(select(BenchPost).where(BenchPost.id == ids[pos]))).scalar_one()
                    total += post.views
            return total

        await results.time(GETS, gets)

        async def top100() -> int:
            count = total = 0
            async with sessions() as session:
                for k in range(sizes.queries):
                    query = select(BenchPost).where(BenchPost.views > threshold(k)).order_by(BenchPost.views).limit(100)
                    for post in (await session.scalars(query)).all():
                        count += 1
                        total += post.views
            return count * 10**9 + total

        await results.time(TOP100, top100)

        async def update_() -> int:
            async with sessions() as session, session.begin():
                result = await session.execute(
                    update(BenchPost).where(BenchPost.published.is_(False)).values(views=BenchPost.views + 1)
                )
            return int(result.rowcount)  # type: ignore[attr-defined]

        await results.time(UPDATE, update_)

        async def prefetch() -> int:
            last, check = 0, 0
            async with sessions() as session:
                for _ in range(PAGES):
                    query = (
                        select(BenchPost).where(BenchPost.id > last).order_by(BenchPost.id).limit(sizes.page)
                        .options(selectinload(BenchPost.author))
                    )
                    posts = (await session.scalars(query)).all()
                    check += len(posts) * 10**9 + sum(post.author.id for post in posts)
                    last = posts[-1].id
            return check

        await results.time(PREFETCH, prefetch)
    finally:
        await engine.dispose()
    return f"sqlalchemy {importlib.metadata.version('sqlalchemy')}"
