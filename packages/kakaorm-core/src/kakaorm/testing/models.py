"""The models the compliance suite writes and queries (tables prefixed ``compliance_``).

The suite creates the tables it needs in each test and drops every one of them
before and after it (:func:`drop_suite_tables`), so it never touches other tables
of the database it is pointed at.
"""

from __future__ import annotations

from kakaorm import BoolColumn, Engine, FloatColumn, ForeignKey, IntColumn, Model, StrColumn

from .columns import value_models


class ComplianceAuthor(Model):
    """An author: a unique name, active or not."""

    name = StrColumn(nullable=False, unique=True, max_length=40)
    active = BoolColumn(nullable=False, default=True)

    class Meta:
        table_name = "compliance_author"


class CompliancePost(Model):
    """A post of an author, with a view count and a nullable score."""

    title = StrColumn(nullable=False, max_length=80)
    views = IntColumn(nullable=False, default=0)
    score = FloatColumn()
    author_id = ForeignKey(ComplianceAuthor, nullable=False, on_delete="RESTRICT")

    class Meta:
        table_name = "compliance_post"


class ComplianceCounter(Model):
    """A row per key, for upserts: ``key`` is unique."""

    key = StrColumn(nullable=False, unique=True, max_length=40)
    hits = IntColumn(nullable=False, default=0)

    class Meta:
        table_name = "compliance_counter"


#: the suite's fixed models, referenced ones first
SUITE_MODELS: list[type[Model]] = [ComplianceAuthor, CompliancePost, ComplianceCounter]


async def drop_suite_tables(engine: Engine) -> None:
    """Drop every table the suite creates (referencing tables first); others stay."""
    await engine.drop_table(*reversed(SUITE_MODELS), *value_models(engine.dialect.features))


#: (author, active) and (title, views, score, author) of :func:`seed_posts`
AUTHORS = [("ann", True), ("bob", True), ("cy", False)]
POSTS = [
    ("hello", 10, 1.5, "ann"),
    ("world", 30, None, "ann"),
    ("50% off", 20, 2.5, "bob"),
    ("quiet", 0, None, "cy"),
    ("again", 40, 0.5, "bob"),
]


async def seed_posts(engine: Engine) -> dict[str, int]:
    """Create the author and post tables with :data:`AUTHORS` and :data:`POSTS`; the
    authors' ids by name."""
    await engine.create_table(ComplianceAuthor, CompliancePost)
    ids = {name: (await ComplianceAuthor.create(name=name, active=active)).id for name, active in AUTHORS}
    await CompliancePost.bulk_create(
        [CompliancePost(title=t, views=v, score=s, author_id=ids[a]) for t, v, s, a in POSTS]
    )
    return ids


__all__ = [
    "AUTHORS",
    "POSTS",
    "SUITE_MODELS",
    "ComplianceAuthor",
    "ComplianceCounter",
    "CompliancePost",
    "drop_suite_tables",
    "seed_posts",
]
