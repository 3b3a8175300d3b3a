"""Type checkers see relations: ``await post.author`` is ``Author | None``, ``await
author.posts`` a ``list[Post]`` when the class is given (Any for a name string)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import textwrap
from pathlib import Path

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
    "kakaorm._queryset.QuerySet[snippet.Post]",
    "list[snippet.Post]",
    "datetime.datetime | None",
    "int",
    "int",
    "list[snippet.Log]",
]


def _normalise(revealed: str) -> str:
    # older mypy versions write builtins.str and Union[X, None] / Optional[X]
    revealed = revealed.replace("builtins.", "")
    m = re.fullmatch(r"(?:Union\[(.+), None\]|Optional\[(.+)\])", revealed)
    if m:
        return f"{m.group(1) or m.group(2)} | None"
    return revealed


def test_mypy_strict_reveals_the_relation_and_deletion_types(tmp_path: Path) -> None:
    (tmp_path / "snippet.py").write_text(textwrap.dedent(SNIPPET))
    proc = subprocess.run(
        [
            sys.executable, "-m", "mypy", "--strict", "--no-incremental",
            "--cache-dir", str(tmp_path / ".mypy_cache"), "--no-error-summary", "snippet.py",
        ],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    lines = proc.stdout.strip().splitlines()
    errors = [line for line in lines if ": error:" in line]
    assert errors == [], proc.stdout + proc.stderr
    revealed = [
        _normalise(line.split('Revealed type is "', 1)[1].rstrip('"'))
        for line in lines
        if "Revealed type is" in line
    ]
    assert revealed == EXPECTED, proc.stdout
