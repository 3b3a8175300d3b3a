"""Type checkers accept the 0.4 spellings this part adds: positional
``DecimalColumn(10, 2)``, ``QuerySet.execute()``, and relation names as classes."""

from __future__ import annotations

import importlib.util

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None,
    reason="mypy is not installed in this environment (pip install mypy to run the typing test)",
)

SNIPPET = '''
from kakaorm import DecimalColumn, ForeignKey, Model, StrColumn, has_many, has_one
from kakaorm.relationship import belongs_to


class Author(Model):
    name = StrColumn(nullable=False)
    posts = has_many("Post", foreign_key="author_id")


class Post(Model):
    price = DecimalColumn(10, 2)
    cost = DecimalColumn(12, 4, nullable=False)
    author_id = ForeignKey(Author, nullable=True)
    author = belongs_to(Author, foreign_key="author_id")


async def check() -> None:
    reveal_type(Post.price)
    post = await Post.get(Post.id == 1)
    reveal_type(post.price)
    reveal_type(post.cost)
    reveal_type(await Post.where(Post.id > 1).execute())
    reveal_type(await Post.all().select(Post.price).execute())
    reveal_type(await post.author)
    relation = Author.__dict__["posts"]
    if isinstance(relation, has_many):
        reveal_type(relation)
    reveal_type(isinstance(relation, has_one))
'''

EXPECTED = [
    "kakaorm.orm.column_types.DecimalColumn[decimal.Decimal | None]",
    "decimal.Decimal | None",
    "decimal.Decimal",
    "list[snippet.Post]",
    "list[dict[str, Any]]",
    "snippet.Author | None",
    "kakaorm.orm.relations.HasMany[Any]",
    "bool",
]


def test_mypy_strict_accepts_the_04_spellings(revealed_types) -> None:
    assert revealed_types(SNIPPET) == EXPECTED
