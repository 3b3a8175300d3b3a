"""Listing endpoints: limit/offset pagination, filters from query parameters, and sorting
restricted to a whitelist of columns.

    pip install kakaorm-core kakaorm-sqlite pydantic fastapi uvicorn
    python examples/fastapi_pagination.py    # then try
    curl 'http://localhost:8000/articles?category=python&sort=-views&limit=5'

Each filter is a typed query parameter that becomes a condition; values are always
bound parameters. ``sort`` is checked against ``SORTABLE`` before it reaches the query,
so a client cannot order by a column you did not mean to expose (and gets a 422
naming the allowed keys). The first start fills an empty table with sample articles.

Environment: ARTICLES_DATABASE_URL (default ``sqlite+aiosqlite:///./articles.db``), PORT.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query
from pydantic import BaseModel

import kakaorm
from kakaorm import BoolColumn, Column, DateColumn, IntColumn, StrColumn, TypedModel
from kakaorm.expr import Condition, Expression, Ordering


class Article(TypedModel):
    """A published or draft article."""

    title: Column[str] = StrColumn(nullable=False, max_length=200)
    category: Column[str] = StrColumn(nullable=False, max_length=50, index=True)
    views: Column[int] = IntColumn(nullable=False, default=0)
    published: Column[bool] = BoolColumn(nullable=False, default=True)
    published_on: Column[datetime.date] = DateColumn(nullable=False)


#: sort keys a client may use -> the column they sort by ("-key" sorts descending)
SORTABLE: dict[str, Expression[Any]] = {
    "id": Article.id,
    "title": Article.title,
    "views": Article.views,
    "published_on": Article.published_on,
}

CATEGORIES = ("python", "databases", "web")


def sample_articles() -> list[Article]:
    """Thirty deterministic articles: ten per category, views and dates varying."""
    start = datetime.date(2024, 1, 1)
    return [
        Article(
            title=f"{CATEGORIES[i % 3].title()} note {i:02d}",
            category=CATEGORIES[i % 3],
            views=(i * 37) % 100,
            published=i % 5 != 0,
            published_on=start + datetime.timedelta(days=i),
        )
        for i in range(1, 31)
    ]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    url = os.environ.get("ARTICLES_DATABASE_URL", "sqlite+aiosqlite:///./articles.db")
    engine = await kakaorm.connect(url)
    await engine.create_table(Article)
    if await Article.count() == 0:
        await Article.bulk_create(sample_articles())
    try:
        yield
    finally:
        await engine.disconnect()


app = FastAPI(title="KakaORM pagination example", lifespan=lifespan)


class ArticlePage(BaseModel):
    """One page of results and what it takes to ask for the next."""

    items: list[Article]
    total: int
    limit: int
    offset: int
    next_offset: int | None


def ordering(sort: str) -> list[Ordering]:
    """``"-views,title"`` -> orderings; 422 for a key outside SORTABLE."""
    out = []
    for key in sort.split(","):
        key = key.strip()
        column = SORTABLE.get(key.removeprefix("-"))
        if column is None:
            raise HTTPException(
                status_code=422,
                detail=f"cannot sort by {key!r}; sort by one of: {', '.join(sorted(SORTABLE))} "
                "(prefix '-' for descending, separate keys with commas)",
            )
        out.append(column.desc if key.startswith("-") else column.asc)
    out.append(Article.id.asc)  # a total order, so pages never overlap or skip rows
    return out


@app.get("/articles", response_model=ArticlePage)
async def list_articles(
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0)] = 0,
    category: str | None = None,
    published: bool | None = None,
    min_views: Annotated[int | None, Query(ge=0)] = None,
    search: Annotated[str | None, Query(max_length=100, description="words in the title")] = None,
    sort: str = "-published_on",
) -> ArticlePage:
    conditions: list[Condition] = []
    if category is not None:
        conditions.append(Article.category == category)
    if published is not None:
        conditions.append(Article.published == published)
    if min_views is not None:
        conditions.append(Article.views >= min_views)
    if search:
        conditions.append(Article.title.ilike(f"%{search}%"))
    query = Article.all().where(*conditions)
    total = await query.count()
    items = await query.order_by(*ordering(sort)).limit(limit).offset(offset)
    next_offset = offset + limit if offset + limit < total else None
    return ArticlePage(items=items, total=total, limit=limit, offset=offset, next_offset=next_offset)


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
