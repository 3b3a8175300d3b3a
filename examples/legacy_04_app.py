"""A small blog back end written for kakaorm 0.4.x, kept exactly as its authors wrote it.

It uses only 0.4 spellings (import paths, validators, relationships, soft delete,
versioned migrations, the CRUD helpers) and is run unchanged by the test suite against
every backend, to show that upgrading needs no code change.

Run it with a database URL (default: a throwaway SQLite file)::

    python examples/legacy_04_app.py sqlite+aiosqlite:///./legacy.db
    python examples/legacy_04_app.py postgresql+asyncpg://postgres@127.0.0.1/test

It creates its tables through migrations, works with them, prints what it found, and
drops what it created.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from decimal import Decimal

import kakaorm
from kakaorm import (
    BoolColumn,
    Count,
    DateTimeColumn,
    IntColumn,
    Model,
    StrColumn,
    Sum,
    ValidationError,
    VersionedMigrator,
)
from kakaorm.columns.types import DecimalColumn, ForeignKey
from kakaorm.i18n import translate_detail
from kakaorm.relationship import belongs_to, has_many
from kakaorm.soft_delete import SoftDeleteModel
from kakaorm.validators import max_length, min_length, min_value, one_of, regex


class Writer(Model):
    name = StrColumn(nullable=False, max_length=100, validators=[min_length(2), max_length(100)])
    email = StrColumn(nullable=False, max_length=255, unique=True, validators=[regex(r"^[^@\s]+@[^@\s]+$")])
    active = BoolColumn(nullable=False, default=True)

    articles = has_many("Article", foreign_key="writer_id")

    class Meta:
        table_name = "legacy_writer"


class Article(SoftDeleteModel):
    title = StrColumn(nullable=False, max_length=200, validators=[min_length(3)])
    status = StrColumn(nullable=False, max_length=20, default="draft", validators=[one_of("draft", "published")])
    views = IntColumn(nullable=False, default=0, validators=[min_value(0)])
    price = DecimalColumn(10, 2, nullable=True)
    writer_id = ForeignKey(Writer, nullable=False)
    created_at = DateTimeColumn(nullable=False, auto_now_add=True)

    writer = belongs_to(Writer, foreign_key="writer_id")

    class Meta:
        table_name = "legacy_article"
        indexes = [("writer_id", "status")]


async def create_schema(engine: kakaorm.Engine) -> None:
    await engine.create_table(Writer)


async def create_articles(engine: kakaorm.Engine) -> None:
    await engine.create_table(Article)


async def main(url: str) -> None:
    engine = await kakaorm.connect(url)
    try:
        migrator = VersionedMigrator(engine)
        applied = await migrator.run_manual(
            {
                "0001_writers": lambda: create_schema(engine),
                "0002_articles": lambda: create_articles(engine),
            }
        )
        again = await migrator.run_manual({"0001_writers": lambda: create_schema(engine)})
        print("migrations applied:", applied, "then", again, sorted(await migrator.applied_names()))

        ada, created = await Writer.get_or_create(email="ada@example.com", defaults={"name": "Ada"})
        same, created_again = await Writer.get_or_create(email="ada@example.com", defaults={"name": "Other"})
        print("get_or_create:", created, created_again, same.id == ada.id, same.name)

        grace, created = await Writer.update_or_create(email="grace@example.com", defaults={"name": "Grace"})
        grace, created_again = await Writer.update_or_create(email="grace@example.com", defaults={"name": "Grace H."})
        print("update_or_create:", created, created_again, grace.name)

        try:
            await Writer.create(name="X", email="not-an-email")
        except ValidationError as e:
            print("rejected fields:", sorted(e.errors))
            print("in English:", [(i["field"], i["message"]) for i in translate_detail(e.detail, locale="en")])
        print("writers stored:", await Writer.all().count())

        articles = [
            Article(title=f"Notes {i}", views=i * 10, writer_id=ada.id, price=Decimal("1.50") * i)
            for i in range(1, 6)
        ]
        returned = await Article.bulk_create(articles)
        print("bulk_create:", len(returned), all(a.id is not None for a in returned))

        for article in returned[:3]:
            article.status = "published"
        await Article.bulk_update(returned[:3], fields=["status"])

        published = await Article.where(Article.status == "published").order_by("id").execute()
        print("published:", [a.title for a in published])

        found = await Article.find(returned[0].id)
        missing = await Article.find(10_000)
        print("find:", found.title if found else None, missing)

        writer = await found.writer if found else None
        print("belongs_to:", writer.name if writer else None)
        with_articles = await Writer.where(Writer.id == ada.id).prefetch("articles").execute()
        print("has_many prefetched:", len(await with_articles[0].articles))

        await returned[4].delete()
        print(
            "soft delete:",
            await Article.all().count(),
            await Article.include_deleted().count(),
            await Article.only_deleted().count(),
        )
        await returned[4].restore()
        print("restored:", await Article.all().count())

        rows = await (
            Article.all()
            .select(Article.status, Count().label("n"), Sum(Article.views).label("total"))
            .group_by(Article.status)
            .order_by("status")
        )
        print("by status:", [(r["status"], r["n"], int(r["total"])) for r in rows])

        total = await Article.where(Article.price >= Decimal("3.00")).count()
        print("priced from 3.00:", total)

        await Article.truncate()
        print("after truncate:", await Article.include_deleted().count())
    finally:
        await engine.drop_table(Article)
        await engine.drop_table(Writer)
        await engine.execute("DROP TABLE IF EXISTS kakaorm_migrations")
        await engine.disconnect()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        target = sys.argv[1]
    else:
        target = "sqlite+aiosqlite:///" + os.path.join(tempfile.mkdtemp(), "legacy.db")
    asyncio.run(main(target))
