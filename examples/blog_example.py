"""A blog in one file: authors, posts and comments, their relations, and the queries a
blog needs. Runs on an in-memory SQLite database and prints what it finds:

    pip install kakaorm-core kakaorm-sqlite
    python examples/blog_example.py
"""

from __future__ import annotations

import asyncio
import datetime

import kakaorm
from kakaorm import (
    BoolColumn,
    Column,
    Count,
    DateTimeColumn,
    ForeignKey,
    IntColumn,
    StrColumn,
    Sum,
    TypedModel,
    belongs_to,
    has_many,
)


class Author(TypedModel):
    name: Column[str] = StrColumn(nullable=False, max_length=100)
    email: Column[str] = StrColumn(nullable=False, unique=True, max_length=255)
    posts = has_many("Post", foreign_key="author_id")


class Post(TypedModel):
    title: Column[str] = StrColumn(nullable=False, max_length=200)
    body: Column[str | None] = StrColumn(nullable=True)
    published: Column[bool] = BoolColumn(nullable=False, default=False)
    views: Column[int] = IntColumn(nullable=False, default=0)
    created_at: Column[datetime.datetime] = DateTimeColumn(nullable=False, auto_now_add=True)
    author_id: Column[int] = ForeignKey(Author, nullable=False)
    author = belongs_to(Author, foreign_key="author_id")
    comments = has_many("Comment", foreign_key="post_id")


class Comment(TypedModel):
    post_id: Column[int] = ForeignKey(Post, nullable=False)
    commenter: Column[str] = StrColumn(nullable=False, max_length=100)
    text: Column[str] = StrColumn(nullable=False)
    post = belongs_to(Post, foreign_key="post_id")


async def fill() -> None:
    ada = await Author.create(name="Ada", email="ada@example.com")
    linus = await Author.create(name="Linus", email="linus@example.com")
    posts = await Post.bulk_create([
        Post(title="Async all the way down", published=True, views=420, author_id=ada.id),
        Post(title="Typed queries", published=True, views=180, author_id=ada.id),
        Post(title="Draft: migrations", author_id=ada.id),
        Post(title="Why SQLite is enough", published=True, views=990, author_id=linus.id),
    ])
    await Comment.bulk_create([
        Comment(post_id=posts[0].id, commenter="Grace", text="Finally, no threads."),
        Comment(post_id=posts[0].id, commenter="Linus", text="Show me the benchmarks."),
        Comment(post_id=posts[3].id, commenter="Ada", text="Until it is not."),
    ])


async def main() -> None:
    async with await kakaorm.connect("sqlite+aiosqlite:///:memory:") as engine:
        await engine.create_table(Author, Post, Comment)
        await fill()

        print("== published posts, most read first")
        for post in await Post.where(Post.published == True).order_by(Post.views.desc):  # noqa: E712
            print(f"{post.views:>4}  {post.title}")

        print("== every post with its author and comments (3 queries in all)")
        for post in await Post.all().order_by(Post.id).prefetch("author", "comments"):
            author = await post.author  # served from the prefetch, no query
            comments = await post.comments
            assert author is not None
            print(f"{post.title} by {author.name}: {len(comments)} comment(s)")
            for comment in comments:
                print(f"    {comment.commenter}: {comment.text}")

        print("== authors and their posts, from the other side")
        for author in await Author.all().order_by(Author.name).prefetch("posts"):
            titles = [p.title for p in await author.posts]
            print(f"{author.name}: {', '.join(titles)}")

        print("== per author: posts and total views")
        rows = await (  # list[tuple[str, int, int | None]] to a type checker (.label() keeps the type)
            Post.all()
            .join(Author, on=Post.author_id == Author.id)
            .tuples(Author.name, Count(Post.id).label("posts"), Sum(Post.views).label("views"))
            .group_by(Author.name)
            .order_by(Author.name)
        )
        for name, count, views in rows:
            print(f"{name}: {count} posts, {views} views")

        print("== a few more questions")
        print("drafts:", await Post.where(Post.published == False).count())  # noqa: E712
        print("views in all:", await Post.all().scalar(Sum(Post.views)))  # int | None
        busiest = await Post.all().order_by(Post.views.desc).first()
        assert busiest is not None
        print("most read:", busiest.title)
        about_sqlite = await Post.where(Post.title.ilike("%sqlite%")).count()
        print("posts mentioning sqlite:", about_sqlite)
        commented = await Post.where(Post.id.in_(Comment.all().select(Comment.post_id))).order_by(Post.id)
        print("posts with comments:", [p.title for p in commented])

        print("== publish the draft, then delete a comment")
        draft = await Post.get(Post.title == "Draft: migrations")
        draft.title = "Migrations, explained"
        draft.published = True
        await draft.save()
        await Post.where(Post.id == draft.id).update(views=Post.views + 1)
        await draft.refresh()
        print(draft.model_dump(include={"id", "title", "published", "views"}))
        doomed = await Comment.get(Comment.commenter == "Linus")
        await doomed.delete()
        print("comments left:", await Comment.count())


if __name__ == "__main__":
    asyncio.run(main())
