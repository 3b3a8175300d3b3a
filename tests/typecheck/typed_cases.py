"""What mypy --strict and pyright must both say about typed KakaORM code.

``# reveal: T`` : the checker reveals type T for the reveal_type() on that line (module
prefixes left out). ``# expect-error`` : the checker reports an error on that line.
Every other line must be clean. Checked by tests/test_typing_checkers.py.
"""

from __future__ import annotations

import uuid
from typing import Any, reveal_type

from fixture_models import Author, Color, Comment, Doc, Label, Note, Post, Task

from kakaorm import Avg, Count, Max, Min, Sum


async def constructors() -> None:
    post = Post(title="x", author_id=1)
    reveal_type(post)  # reveal: Post
    Post(titel="x")  # expect-error
    Post(title=3)  # expect-error
    Post(title="x", views="many")  # expect-error
    Post(title="x", body=None, rating=None, price=None)
    reveal_type(await Post.create(title="x", author_id=1))  # reveal: Post
    await Post.create(titel="x")  # expect-error
    await Post.create(title="x", views=1.5)  # expect-error
    await Author.create(name=None)  # expect-error
    values: dict[str, Any] = {"title": "x", "author_id": 1}  # e.g. a request body's model_dump()
    await Post.create(**values)


async def columns_and_values() -> None:
    reveal_type(Post.title)  # reveal: Column[str]
    reveal_type(Post.rating)  # reveal: Column[float | None]
    post = await Post.get(Post.id == 1)
    reveal_type(post.title)  # reveal: str
    reveal_type(post.body)  # reveal: str | None
    reveal_type(post.price)  # reveal: Decimal | None
    reveal_type(post.id)  # reveal: int
    post.views = 3
    post.views = "3"  # expect-error
    post.body = None
    post.title = None  # expect-error


async def filters() -> None:
    Post.where(Post.views == 3, Post.title != "x", Post.rating == None)  # noqa: E711
    Post.where(Post.views > 2, Post.views.between(1, 9), Post.title.in_(["a", "b"]))
    Post.where(Post.author_id == Author.id)
    Post.where(Post.views == "x")  # expect-error
    Post.where(Post.views > "x")  # expect-error
    Post.where(Post.views.in_(["a"]))  # expect-error
    Post.where(Post.views.between(1, "9"))  # expect-error
    Post.where(Post.title < 3)  # expect-error


async def aggregates_and_rows() -> None:
    reveal_type(Count())  # reveal: Count
    reveal_type(Sum(Post.views))  # reveal: Sum[int | None]
    reveal_type(Sum(Post.rating))  # reveal: Sum[float | None]
    reveal_type(Sum(Post.price))  # reveal: Sum[Decimal | None]
    reveal_type(Avg(Post.views))  # reveal: Avg[float | None]
    reveal_type(Avg(Post.price))  # reveal: Avg[Decimal | None]
    reveal_type(Max(Post.created))  # reveal: Max[datetime | None]
    reveal_type(Min(Post.title))  # reveal: Min[str | None]
    query = Post.where(Post.draft == False)  # noqa: E712
    reveal_type(await query.scalar(Count()))  # reveal: int
    reveal_type(await query.scalar(Sum(Post.views)))  # reveal: int | None
    reveal_type(await query.scalar(Avg(Post.views)))  # reveal: float | None
    reveal_type(await query.tuples(Post.id, Post.title))  # reveal: list[tuple[int, str]]
    reveal_type(await query.tuples(Post.title, Post.rating, Count()))  # reveal: list[tuple[str, float | None, int]]
    reveal_type(await query.tuples(Post.title).first())  # reveal: tuple[str] | None
    reveal_type(await query.select(Post.title))  # reveal: list[dict[str, Any]]
    reveal_type(await query.aggregate(n=Count()))  # reveal: dict[str, Any]
    reveal_type(await query)  # reveal: list[Post]


async def models_written_for_0_4() -> None:
    task = Task(title="x", views=1)
    reveal_type(await Task.create(title="x", views=1))  # reveal: Task
    reveal_type(task.title)  # reveal: str
    reveal_type(task.note)  # reveal: str | None
    reveal_type(Task.views)  # reveal: IntColumn[int]
    Task.where(Task.views == "x")  # expect-error
    Task(titel="x")
    Comment.where(Comment.post_id == 1, Comment.post_id.in_([uuid.uuid4()]))


async def mixed_bases() -> None:
    reveal_type(await Note.create(text="x"))  # reveal: Note
    Note(txt="x")  # expect-error
    reveal_type(Note.deleted_at)  # reveal: DateTimeColumn[datetime | None]


async def labels_keep_types() -> None:
    reveal_type(Sum(Post.views).label("total"))  # reveal: Label[int | None]
    rows = await Post.all().tuples(Post.title, Count(Post.id).label("n")).group_by(Post.title)
    reveal_type(rows)  # reveal: list[tuple[str, int]]


async def json_enum_array_and_many_to_many() -> None:
    doc = await Doc.create(data={"a": [1]}, color=Color.RED, nums=[1, 2])
    reveal_type(doc.data)  # reveal: dict[str, Any] | list[Any] | None
    reveal_type(doc.color)  # reveal: Color
    reveal_type(doc.nums)  # reveal: list[int] | None
    Doc(color="red")  # expect-error
    Doc(color=Color.BLUE, nums=["x"])  # expect-error
    Doc(color=Color.BLUE, data="text")  # expect-error
    Doc.where(Doc.data["a"][0] == 1, Doc.color == Color.RED, Doc.nums.contains([1]))
    Doc.where(Doc.color == 3)  # expect-error
    reveal_type(await Doc.where(Doc.color.in_([Color.RED])).tuples(Doc.id, Doc.color))  # reveal: list[tuple[int, Color]]
    reveal_type(await doc.labels)  # reveal: list[Label]
    await doc.labels.add(Label(name="x"))
