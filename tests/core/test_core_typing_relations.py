"""Type checkers see relations: ``await post.author`` is ``Author | None``, ``await
author.posts`` a ``list[Post]`` when the class is given (Any for a name string)."""

from __future__ import annotations

import importlib.util

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None,
    reason="mypy is not installed in this environment (pip install mypy to run the typing test)",
)

SNIPPET = '''
from kakaorm import (
    ArchiveModel, ForeignKey, IntColumn, Model, SoftDeleteModel, StrColumn,
    belongs_to, has_many, has_one,
)


class Author(Model):
    name = StrColumn(nullable=False)
    posts = has_many("Post", foreign_key="author_id")


class Post(SoftDeleteModel):
    title = StrColumn(nullable=False)
    author_id = ForeignKey(Author, nullable=True)
    author = belongs_to(Author, foreign_key="author_id")


class Profile(Model):
    author_id = IntColumn(nullable=False)


class Comment(Model):
    post_id = IntColumn(nullable=False)


class Writer(Model):
    comments = has_many(Comment, foreign_key="post_id")
    profile = has_one(Profile, foreign_key="author_id")
    loose = has_one("Profile", foreign_key="author_id")


class Log(ArchiveModel):
    body = StrColumn(nullable=False)


async def check() -> None:
    post = await Post.get(Post.id == 1)
    reveal_type(await post.author)
    author = await Author.get(Author.id == 1)
    reveal_type(await author.posts)
    writer = await Writer.get(Writer.id == 1)
    reveal_type(await writer.comments)
    reveal_type(await writer.profile)
    reveal_type(await writer.loose)
    reveal_type(await Post.all().prefetch("author"))
    reveal_type(Post.include_deleted())
    reveal_type(await Post.only_deleted())
    reveal_type(post.deleted_at)
    reveal_type(await Post.only_deleted().purge())
    reveal_type(await Log.only_deleted().restore())
    reveal_type(await Log.include_deleted())
'''

EXPECTED = [
    "snippet.Author | None",
    "Any",
    "list[snippet.Comment]",
    "snippet.Profile | None",
    "Any",
    "list[snippet.Post]",
    "kakaorm.orm.queryset.QuerySet[snippet.Post]",
    "list[snippet.Post]",
    "datetime.datetime | None",
    "int",
    "int",
    "list[snippet.Log]",
]


def test_mypy_strict_reveals_the_relation_and_deletion_types(revealed_types) -> None:
    assert revealed_types(SNIPPET) == EXPECTED
