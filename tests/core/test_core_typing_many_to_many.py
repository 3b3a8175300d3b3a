"""Type checkers see many_to_many: ``await post.tags`` is ``list[Tag]`` when the class is
given (Any for a name string), and the manager's methods are typed."""

from __future__ import annotations

import importlib.util

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None,
    reason="mypy is not installed in this environment (pip install mypy to run the typing test)",
)

SNIPPET = '''
from typing import ClassVar

from kakaorm import Model, StrColumn, many_to_many


class Tag(Model):
    name = StrColumn(nullable=False)
    # the reverse relation made by related_name=, declared for type checkers
    posts: ClassVar[many_to_many[Post]]


class Post(Model):
    title = StrColumn(nullable=False)
    tags = many_to_many(Tag, related_name="posts")
    loose = many_to_many("Tag")


async def check() -> None:
    post = await Post.get(Post.id == 1)
    tag = await Tag.get(Tag.id == 1)
    reveal_type(await post.tags)
    reveal_type(await post.loose)
    reveal_type(post.tags.all())
    reveal_type(await post.tags.count())
    reveal_type(await post.tags.add(tag))
    reveal_type(Post.tags.any(Tag.name == "x"))
    reveal_type(Post.where(Post.tags.any()))
    reveal_type(await tag.posts)
'''

EXPECTED = [
    "list[snippet.Tag]",
    "list[Any]",
    "kakaorm.orm.queryset.QuerySet[snippet.Tag]",
    "int",
    "None",
    "kakaorm.expr.conditions.Condition",
    "kakaorm.orm.queryset.QuerySet[snippet.Post]",
    "list[snippet.Post]",
]


def test_mypy_strict_reveals_the_many_to_many_types(revealed_types) -> None:
    assert revealed_types(SNIPPET) == EXPECTED
