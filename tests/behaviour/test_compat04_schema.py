"""An unchanged KakaORM 0.4.10 schema plans nothing, on every backend: 0.4's type
spellings, idx_* indexes, inline UNIQUE constraints and missing database defaults are
recognised; real changes still plan. The 0.4 database comes from compat04_db (0.4's
literal DDL)."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest
from compat04_db import MODELS, UTC, Author04, Fresh04, Log04, Tag04, build_04_database

from kakaorm import (
    ArchiveModel,
    BoolColumn,
    DateColumn,
    DateTimeColumn,
    DecimalColumn,
    FloatColumn,
    ForeignKey,
    IntColumn,
    Model,
    StrColumn,
    TimeColumn,
)
from kakaorm.migration import Migrator, VersionedMigrator
from kakaorm.schema import ORIGIN_KAKAORM_04, ColumnType


async def test_plan_of_the_unchanged_04_schema_is_empty(engine, backend):
    await build_04_database(engine, backend.family)
    plan = await Migrator(engine).plan(MODELS)
    assert plan.summary == []
    assert plan.statements == []
    assert plan.blockers == []
    assert plan.skipped_drops == []
    assert plan.is_empty()
    # and stays so once the history is upgraded
    await VersionedMigrator(engine).history()
    assert (await Migrator(engine).plan_with_drop(MODELS)).statements == []


async def test_the_04_tables_are_recognised_by_the_dialect(engine, backend):
    await build_04_database(engine, backend.family)
    await engine.create_table(Fresh04)
    found = await engine.dialect.read_schema(engine)
    origins = {name: table.origin for name, table in found.items() if name != "kakaorm_migrations"}
    # SQLite knows 0.4's tables by its [bracketed] DDL; the servers by their 32-bit keys
    hand_made = None if backend.family == "sqlite" else ORIGIN_KAKAORM_04
    assert origins == {
        "author": ORIGIN_KAKAORM_04,
        "post": ORIGIN_KAKAORM_04,
        "log": ORIGIN_KAKAORM_04,
        "archive_log": ORIGIN_KAKAORM_04,
        "tag": hand_made,
        "fresh": None,
    }
    post = found["post"]
    also = {c.name: c.also_matches for c in post.columns if c.also_matches}
    if backend.family == "sqlite":
        assert also == {
            "author_id": (ColumnType("bool"),),
            "published": (ColumnType("bool"),),
            # a TEXT column also holds what a UUIDColumn or a JSONColumn stores on SQLite
            "body": (ColumnType("date"), ColumnType("time"), ColumnType("uuid"), ColumnType("json")),
            "publish_on": (ColumnType("date"), ColumnType("time"), ColumnType("uuid"), ColumnType("json")),
            "publish_at": (ColumnType("date"), ColumnType("time"), ColumnType("uuid"), ColumnType("json")),
        }
    else:
        assert also == {}


class PostWithSubtitle(Model):
    author_id = ForeignKey(Author04, on_delete="CASCADE", nullable=False)
    title = StrColumn(nullable=False, max_length=200)
    subtitle = StrColumn(max_length=80)
    body = StrColumn()
    price = DecimalColumn(max_digits=10, decimal_places=2)
    rating = FloatColumn()
    published = BoolColumn(nullable=False, default=False)
    publish_on = DateColumn()
    publish_at = TimeColumn()
    created_at = DateTimeColumn(nullable=False, auto_now_add=True)

    class Meta:
        table_name = "post"
        indexes = [("author_id", "created_at")]


async def test_a_column_added_to_a_04_table_plans_exactly_that_column(engine, backend):
    await build_04_database(engine, backend.family)
    plan = await Migrator(engine).plan([Author04, PostWithSubtitle, Log04, Tag04])
    q = engine.dialect.compiler.quote
    assert plan.summary == ["add column post.subtitle"]
    assert plan.statements == [f"ALTER TABLE {q('post')} ADD COLUMN {q('subtitle')} VARCHAR(80)"]
    assert plan.down_statements == [f"ALTER TABLE {q('post')} DROP COLUMN {q('subtitle')}"]
    await plan.apply()
    assert (await Migrator(engine).plan([Author04, PostWithSubtitle, Log04, Tag04])).statements == []
    post = await PostWithSubtitle.get(PostWithSubtitle.id == 1)
    assert (post.title, post.subtitle, post.published, post.publish_on, post.publish_at, post.price) == (
        "Hello", None, True, dt.date(2024, 5, 1), dt.time(9, 30), decimal.Decimal("12.50")
    )
    assert post.created_at == dt.datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def post_variant(name: str, **changes: object) -> type[Model]:
    """Post04 with some columns replaced (None removes one) or Meta.indexes changed."""
    attrs: dict[str, object] = {
        "author_id": ForeignKey(Author04, on_delete="CASCADE", nullable=False),
        "title": StrColumn(nullable=False, max_length=200),
        "body": StrColumn(),
        "price": DecimalColumn(max_digits=10, decimal_places=2),
        "rating": FloatColumn(),
        "published": BoolColumn(nullable=False, default=False),
        "publish_on": DateColumn(),
        "publish_at": TimeColumn(),
        "created_at": DateTimeColumn(nullable=False, auto_now_add=True),
    }
    indexes = changes.pop("indexes", [("author_id", "created_at")])
    attrs.update(changes)
    attrs["Meta"] = type("Meta", (), {"table_name": "post", "indexes": indexes})
    attrs["__module__"] = __name__
    return type(Model)(name, (Model,), attrs)  # type: ignore[return-value]


REAL_CHANGES = {
    "float_to_int": (lambda: post_variant("PostRatingInt", rating=IntColumn()), ["alter column post.rating: type float -> int"]),
    "longer_title": (
        lambda: post_variant("PostTitle300", title=StrColumn(nullable=False, max_length=300)),
        ["alter column post.title: type str(200) -> str(300)"],
    ),
    "decimal_scale": (
        lambda: post_variant("PostPrice4", price=DecimalColumn(max_digits=12, decimal_places=4)),
        ["alter column post.price: type decimal(10, 2) -> decimal(12, 4)"],
    ),
    "not_null": (lambda: post_variant("PostBodyRequired", body=StrColumn(nullable=False, default="")), [
        "alter column post.body: NOT NULL, default None -> ''"
    ]),
    "index_added": (
        lambda: post_variant("PostTitleIndex", indexes=[("author_id", "created_at"), ("title",)]),
        ["add index ix_post_title on post (title)"],
    ),
    "index_removed": (
        lambda: post_variant("PostNoIndex", indexes=[]),
        ["drop index idx_post_author_id_created_at on post (author_id, created_at)"],
    ),
    "unique_added": (
        lambda: post_variant("PostUniqueTitle", title=StrColumn(nullable=False, max_length=200, unique=True)),
        ["add unique index uq_post_title on post (title)"],
    ),
}


@pytest.mark.parametrize("change", list(REAL_CHANGES))
async def test_a_real_change_to_a_04_table_still_shows_in_the_plan(engine, backend, change):
    await build_04_database(engine, backend.family)
    make, expected = REAL_CHANGES[change]
    plan = await Migrator(engine).plan([Author04, make(), Log04, Tag04])
    assert plan.summary == expected
    assert plan.statements != []


async def test_a_default_changed_after_kakaorm_added_the_column_still_shows(engine, backend):
    await build_04_database(engine, backend.family)
    with_stars = post_variant("PostStars", stars=IntColumn(nullable=False, default=0))
    await (await Migrator(engine).plan([Author04, with_stars, Log04, Tag04])).apply()
    five_stars = post_variant("PostFiveStars", stars=IntColumn(nullable=False, default=5))
    plan = await Migrator(engine).plan([Author04, five_stars, Log04, Tag04])
    assert plan.summary == ["alter column post.stars: default 0 -> 5"]


class Member04(ArchiveModel):
    email = StrColumn(nullable=False, max_length=120, unique=True)

    class Meta:
        table_name = "member"


ARCHIVE_DDL_04 = {
    "sqlite": [
        "CREATE TABLE IF NOT EXISTS [member] (\n  [id] INTEGER PRIMARY KEY AUTOINCREMENT,\n  [email] VARCHAR(120) "
        "NOT NULL UNIQUE\n)",
        "CREATE TABLE IF NOT EXISTS [archive_member] (\n  [id] INTEGER PRIMARY KEY,\n  [email] VARCHAR(120) NOT "
        "NULL UNIQUE,\n  [archived_at] DATETIME NOT NULL\n)",
    ],
    "postgres": [
        'CREATE TABLE IF NOT EXISTS "member" (\n  "id" SERIAL PRIMARY KEY,\n  "email" VARCHAR(120) NOT NULL '
        "UNIQUE\n)",
        'CREATE TABLE IF NOT EXISTS "archive_member" (\n  "id" INTEGER PRIMARY KEY,\n  "email" VARCHAR(120) NOT '
        'NULL UNIQUE,\n  "archived_at" TIMESTAMP WITH TIME ZONE NOT NULL\n)',
    ],
    "mysql": [
        "CREATE TABLE IF NOT EXISTS `member` (\n  `id` INT AUTO_INCREMENT PRIMARY KEY,\n  `email` VARCHAR(120) NOT "
        "NULL UNIQUE\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
        "CREATE TABLE IF NOT EXISTS `archive_member` (\n  `id` INTEGER PRIMARY KEY,\n  `email` VARCHAR(120) NOT "
        "NULL UNIQUE,\n  `archived_at` DATETIME NOT NULL\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    ],
}

#: the name each database gave the UNIQUE 0.4 copied onto the archive table
ARCHIVE_UNIQUE_NAME = {"sqlite": "sqlite_autoindex_archive_member_1", "postgres": "archive_member_email_key", "mysql": "email"}


async def test_the_unique_constraint_04_copied_onto_an_archive_table_is_planned_away(engine, backend):
    # 0.4 kept UNIQUE on archive_<table>, so a second archived row with the same value
    # failed; the archive table KakaORM keeps has no such constraint
    for sql in ARCHIVE_DDL_04[backend.family]:
        await engine.execute(sql)
    plan = await Migrator(engine).plan([Member04])
    name = ARCHIVE_UNIQUE_NAME[backend.family]
    assert plan.summary == [f"drop unique index {name} on archive_member (email)"]
    await plan.apply()
    assert (await Migrator(engine).plan([Member04])).statements == []
    for _ in range(2):
        member = await Member04.create(email="same@example.com")
        await member.delete()
    assert [m.email for m in await Member04.only_deleted()] == ["same@example.com", "same@example.com"]
