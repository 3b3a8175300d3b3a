"""prefetch(): one query per relation whatever the number of rows, then no query."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import pickle

import pytest

from kakaorm import ForeignKey, Model, QueryError, StrColumn, belongs_to, has_many, has_one
from kakaorm.orm.relations import key_batches, prefetch_related


class PfAuthor(Model):
    name = StrColumn(nullable=False)
    posts = has_many("PfPost", foreign_key="author_id")
    profile = has_one("PfProfile", foreign_key="author_id")

    class Meta:
        table_name = "author"


class PfProfile(Model):
    bio = StrColumn(nullable=False)
    author_id = ForeignKey(PfAuthor, nullable=False)

    class Meta:
        table_name = "profile"


class PfPost(Model):
    title = StrColumn(nullable=False)
    author_id = ForeignKey(PfAuthor, nullable=True)
    author = belongs_to(PfAuthor, foreign_key="author_id")
    comments = has_many("PfComment", foreign_key="post_id")

    class Meta:
        table_name = "post"


class PfComment(Model):
    body = StrColumn(nullable=False)
    post_id = ForeignKey(PfPost, nullable=False)
    post = belongs_to(PfPost, foreign_key="post_id")

    class Meta:
        table_name = "comment"


async def _fill(engine, n_posts: int, n_authors: int) -> None:
    """``n_posts`` posts; post i belongs to author i % n_authors + 1 and has i % 3 comments."""
    await engine.create_table(PfAuthor, PfProfile, PfPost, PfComment)
    await PfAuthor.bulk_create([PfAuthor(name=f"a{i}") for i in range(1, n_authors + 1)])
    await PfPost.bulk_create(
        [PfPost(title=f"t{i}", author_id=i % n_authors + 1) for i in range(1, n_posts + 1)]
    )
    await PfComment.bulk_create(
        [PfComment(body=f"c{i}.{j}", post_id=i) for i in range(1, n_posts + 1) for j in range(i % 3)]
    )


async def _check_prefetched(posts: list[PfPost], n_authors: int, sql_log) -> None:
    """Every relation is there, right, and served without a query."""
    sql_log.clear()
    for post in posts:
        author = await post.author
        assert type(author) is PfAuthor
        assert (author.id, author.name) == (post.id % n_authors + 1, f"a{post.id % n_authors + 1}")
        comments = await post.comments
        assert [c.body for c in comments] == [f"c{post.id}.{j}" for j in range(post.id % 3)]
        assert all(c.post_id == post.id for c in comments)
    assert sql_log.statements == []


@pytest.mark.parametrize("n_posts", [10, 1000])
async def test_prefetch_runs_one_query_per_relation(engine, sql_log, n_posts):
    n_authors = n_posts  # every post has its own author: as many keys as rows
    await _fill(engine, n_posts, n_authors)
    sql_log.clear()
    posts = await PfPost.all().order_by(PfPost.id.asc).prefetch("author", "comments")
    assert len(posts) == n_posts
    assert sql_log.count == 1 + 2
    assert '"author"' in sql_log.statements[1].replace("`", '"')
    assert '"comment"' in sql_log.statements[2].replace("`", '"')
    # one parameter per key, or on PostgreSQL one array of the keys
    key_match = " = ANY(" if engine.dialect.name == "postgresql" else " IN ("
    assert all(key_match in s for s in sql_log.statements[1:])
    await _check_prefetched(posts, n_authors, sql_log)


async def test_prefetch_of_shared_keys_loads_each_related_row_once(engine, sql_log):
    await _fill(engine, 10, 2)
    sql_log.clear()
    posts = await PfPost.all().order_by(PfPost.id.asc).prefetch("author")
    assert sql_log.count == 2
    await _check_prefetched_authors_only(posts, sql_log)
    first, second, third = (await posts[0].author), (await posts[1].author), (await posts[2].author)
    assert first is third  # one instance per related row
    assert first is not second


async def _check_prefetched_authors_only(posts: list[PfPost], sql_log) -> None:
    sql_log.clear()
    assert [(await p.author).id for p in posts] == [p.id % 2 + 1 for p in posts]
    assert sql_log.statements == []


async def test_null_keys_give_none_and_no_query_when_every_key_is_null(engine, sql_log):
    await engine.create_table(PfAuthor, PfPost)
    await PfPost.bulk_create([PfPost(title=f"t{i}") for i in range(5)])
    sql_log.clear()
    posts = await PfPost.all().prefetch("author")
    assert sql_log.count == 1
    assert [await p.author for p in posts] == [None] * 5
    assert sql_log.count == 1


async def test_null_keys_give_none_beside_loaded_rows(engine, sql_log):
    await engine.create_table(PfAuthor, PfPost)
    ada = await PfAuthor.create(name="Ada")
    await PfPost.create(title="a", author_id=ada.id)
    await PfPost.create(title="b")
    await PfPost.create(title="c", author_id=ada.id)
    sql_log.clear()
    posts = await PfPost.all().order_by(PfPost.id.asc).prefetch("author")
    assert sql_log.count == 2
    assert [await p.author for p in posts] == [ada, None, ada]
    assert sql_log.count == 2


async def test_an_instance_without_its_key_value_gets_none_beside_the_others(engine, sql_log):
    await engine.create_table(PfAuthor, PfPost)
    ada = await PfAuthor.create(name="Ada")
    posts = [await PfPost.create(title=t, author_id=ada.id) for t in "abc"]
    del posts[1].author_id  # read as a missing key, as a NULL one is
    await prefetch_related(None, posts, "author")
    assert [await p.author for p in posts] == [ada, None, ada]


def test_prefetch_keys_are_batched_in_order_even_when_their_types_do_not_compare(engine):
    assert key_batches(engine, {3, 1, 2}) == [[1, 2, 3]]
    # str and int do not compare: ordered by their repr, "'a'" < "'b'" < "1" < "2"
    assert key_batches(engine, {"b", 2, "a", 1}) == [["a", "b", 1, 2]]
    size = min(engine.features.max_params - 16, 10_000)
    batches = key_batches(engine, set(range(size + 5)))
    assert [len(b) for b in batches] == [size, 5]
    assert batches[1] == list(range(size, size + 5))


async def test_rows_without_related_rows_get_an_empty_list_or_none(engine, sql_log):
    await engine.create_table(PfAuthor, PfProfile, PfPost)
    ada = await PfAuthor.create(name="Ada")
    await PfAuthor.create(name="Bob")
    await PfPost.create(title="a", author_id=ada.id)
    await PfProfile.create(bio="ada's", author_id=ada.id)
    sql_log.clear()
    authors = await PfAuthor.all().order_by(PfAuthor.id.asc).prefetch("posts", "profile")
    assert sql_log.count == 3
    assert [[p.title for p in await a.posts] for a in authors] == [["a"], []]
    profiles = [await a.profile for a in authors]
    assert [None if p is None else p.bio for p in profiles] == ["ada's", None]
    assert sql_log.count == 3


async def test_prefetch_of_an_empty_result_runs_only_the_main_query(engine, sql_log):
    await engine.create_table(PfAuthor, PfPost, PfComment)
    sql_log.clear()
    assert await PfPost.all().prefetch("author", "comments") == []
    assert sql_log.count == 1


async def test_nested_prefetch_runs_one_query_per_level(engine, sql_log):
    await _fill(engine, 6, 3)
    for author_id in (1, 3):
        await PfProfile.create(bio=f"bio{author_id}", author_id=author_id)
    sql_log.clear()
    posts = await PfPost.all().order_by(PfPost.id.asc).prefetch("author__profile")
    assert sql_log.count == 3
    assert '"profile"' in sql_log.statements[2].replace("`", '"')
    sql_log.clear()
    bios = []
    for post in posts:
        profile = await (await post.author).profile
        bios.append(None if profile is None else profile.bio)
    # post i belongs to author i % 3 + 1; authors 1 and 3 have a profile
    assert bios == [None, "bio3", "bio1", None, "bio3", "bio1"]
    assert sql_log.statements == []


@pytest.mark.parametrize("paths", [("author", "author__profile"), ("author__profile", "author")])
async def test_a_path_and_its_prefix_load_the_shared_level_once(engine, sql_log, paths):
    await _fill(engine, 4, 2)
    await PfProfile.create(bio="bio1", author_id=1)
    sql_log.clear()
    posts = await PfPost.all().order_by(PfPost.id.asc).prefetch(*paths)
    assert sql_log.count == 3
    sql_log.clear()
    assert [(await p.author).id for p in posts] == [2, 1, 2, 1]
    assert [await (await p.author).profile is None for p in posts] == [True, False, True, False]
    assert sql_log.statements == []


async def test_nested_prefetch_through_has_many_then_belongs_to(engine, sql_log):
    await _fill(engine, 5, 5)
    sql_log.clear()
    authors = await PfAuthor.all().order_by(PfAuthor.id.asc).prefetch("posts__comments")
    assert sql_log.count == 3
    sql_log.clear()
    # author k has post k - 1 (post 5 for author 1); post i has i % 3 comments
    counts = [[len(await p.comments) for p in await a.posts] for a in authors]
    assert counts == [[2], [1], [2], [0], [1]]
    assert sql_log.statements == []


async def test_prefetch_applies_to_get_first_last_and_iteration(engine, sql_log):
    await _fill(engine, 3, 3)
    query = PfPost.all().prefetch("author")
    got = await query.get(PfPost.id == 2)
    first = await query.first()
    last = await query.last()
    iterated = [p async for p in query.order_by(PfPost.id.asc)]
    sql_log.clear()
    assert (await got.author).id == 3
    assert (await first.author).id == 2
    assert (await last.author).id == 1
    assert [(await p.author).id for p in iterated] == [2, 3, 1]
    assert sql_log.statements == []


async def test_keys_are_batched_under_the_parameter_limit(engine, sql_log):
    await _fill(engine, 120, 120)
    # a backend accepting 66 parameters gets batches of 50 keys (16 are kept spare)
    engine.features = dataclasses.replace(engine.features, max_params=66)
    sql_log.clear()
    posts = await PfPost.all().order_by(PfPost.id.asc).prefetch("author")
    assert sql_log.count == 1 + 3  # 120 keys: 50 + 50 + 20
    await _check_prefetched_authors(posts, sql_log)


async def _check_prefetched_authors(posts: list[PfPost], sql_log) -> None:
    sql_log.clear()
    assert [(await p.author).id for p in posts] == [p.id % 120 + 1 for p in posts]
    assert sql_log.statements == []


async def test_prefetch_of_a_name_that_is_not_a_relation_raises_before_any_sql(engine, sql_log):
    await engine.create_table(PfAuthor, PfPost)
    sql_log.clear()
    with pytest.raises(QueryError) as info:
        PfPost.all().prefetch("author", "title")
    assert str(info.value) == (
        "prefetch('title'): PfPost has no relation named 'title'; its relations are: author, "
        "comments. Declare it with belongs_to/has_many/has_one/many_to_many, or prefetch one of those"
    )
    with pytest.raises(QueryError, match=r"^prefetch\('author__nope'\): PfAuthor has no relation named 'nope'; its relations are: posts, profile\."):
        PfPost.all().prefetch("author__nope")
    assert sql_log.statements == []


def test_prefetch_on_a_model_without_relations_says_so():
    with pytest.raises(QueryError, match=r"PfProfile has no relation named 'author'; its relations are: none\."):
        PfProfile.all().prefetch("author")


def test_prefetch_with_select_is_refused_in_either_order():
    message = r"^prefetch\(\) loads relations onto model instances, but select\(\) makes this query return dicts"
    with pytest.raises(QueryError, match=message):
        PfPost.all().select(PfPost.title).prefetch("author")
    with pytest.raises(QueryError, match=message):
        PfPost.all().prefetch("author").select(PfPost.title)


def test_prefetch_takes_relation_names_only():
    with pytest.raises(TypeError, match=r"prefetch\(\) takes relation names such as 'author', got"):
        PfPost.all().prefetch(PfPost.author)  # type: ignore[arg-type]


async def test_refresh_drops_prefetched_relations_so_they_follow_the_reloaded_keys(engine, sql_log):
    await _fill(engine, 3, 3)
    post = await PfPost.all().where(PfPost.id == 1).prefetch("author", "comments").get()
    assert (await post.author).id == 2
    # another query moves the post to author 3; refresh() reloads the key
    await PfPost.where(PfPost.id == 1).update(author_id=3)
    await post.refresh()
    assert post.author_id == 3
    sql_log.clear()
    author = await post.author
    assert (author.id, author.name) == (3, "a3")
    assert [c.body for c in await post.comments] == ["c1.0"]
    assert sql_log.count == 2  # both relations are loaded again, each by its own query


async def test_prefetched_relations_stay_out_of_the_row_values(engine):
    await _fill(engine, 2, 2)
    post = await PfPost.all().where(PfPost.id == 2).prefetch("author", "comments").get()
    assert post.to_dict() == {"id": 2, "title": "t2", "author_id": 1}
    assert post.model_dump() == {"id": 2, "title": "t2", "author_id": 1}
    assert PfPost.author is PfPost._meta.relations["author"]  # the class attribute is the relation still
    fresh = await PfPost.get(PfPost.id == 2)
    assert post == fresh


class PfRepost(PfPost):
    # a subclass may give the name of an inherited relation to a column of its own
    author = StrColumn(nullable=True)  # type: ignore[assignment]

    class Meta:
        table_name = "repost"


async def test_prefetch_leaves_a_column_that_shadows_an_inherited_relation_alone(engine, sql_log):
    await engine.create_table(PfAuthor, PfRepost)
    await PfAuthor.create(name="a1")
    await PfRepost.create(title="t", author_id=1, author="byline")
    sql_log.clear()
    (repost,) = await PfRepost.all().prefetch("author")
    assert sql_log.count == 2  # the relation is still loaded
    assert repost.author == "byline"
    assert repost.to_dict() == {"id": 1, "title": "t", "author_id": 1, "author": "byline"}
    repost.title = "t2"
    await repost.save()
    assert (await PfRepost.get(PfRepost.id == 1)).author == "byline"
    # a second prefetch of the same path finds the loaded level and sends nothing
    sql_log.clear()
    await prefetch_related(None, [repost], "author")
    assert sql_log.count == 0
    assert repost.author == "byline"


STORED_THROUGH_SETATTR: list[str] = []


class PfAuditedPost(Model):
    """A model with its own __setattr__ (say, change tracking)."""

    title = StrColumn(nullable=False)
    author_id = ForeignKey(PfAuthor, nullable=True)
    author = belongs_to(PfAuthor, foreign_key="author_id")

    class Meta:
        table_name = "audited_post"

    def __setattr__(self, key: str, value: object) -> None:
        STORED_THROUGH_SETATTR.append(key)
        object.__setattr__(self, key, value)


async def test_prefetch_and_loading_leave_a_models_own_setattr_out(engine, sql_log):
    await engine.create_table(PfAuthor, PfAuditedPost)
    await PfAuthor.bulk_create([PfAuthor(name="a1"), PfAuthor(name="a2")])
    await PfAuditedPost.bulk_create([PfAuditedPost(title=f"t{i}", author_id=i % 2 + 1) for i in range(4)])
    STORED_THROUGH_SETATTR.clear()
    sql_log.clear()
    posts = await PfAuditedPost.all().order_by(PfAuditedPost.id).prefetch("author")
    assert sql_log.count == 2
    assert [(await p.author).name for p in posts] == ["a1", "a2", "a1", "a2"]
    assert sql_log.count == 2
    # rows were loaded, and their authors kept, without the model's __setattr__
    # storing a column or the relation (the loaded instance's dict is set whole)
    assert "author" not in STORED_THROUGH_SETATTR and "title" not in STORED_THROUGH_SETATTR
    assert vars(posts[0])["title"] == "t0"


async def _use_prefetched(post: PfPost) -> list[object]:
    """Await the prefetched values of ``post`` in every way asyncio offers."""

    async def name() -> str:
        return "coroutine"

    author = await post.author
    return [
        author,
        await asyncio.gather(post.author, post.comments),
        await asyncio.gather(name(), post.author),
        await asyncio.wait_for(post.author, 1),
        await asyncio.shield(post.comments),
        [await done for done in asyncio.as_completed([post.author])],
        len((await asyncio.wait([asyncio.ensure_future(post.author)]))[0]),
    ]


async def test_prefetched_values_are_awaitable_in_any_event_loop(engine, sql_log):
    await _fill(engine, 4, 2)
    posts = await PfPost.all().order_by(PfPost.id.asc).prefetch("author", "comments")
    post = posts[1]  # id 2: author 1, comments c2.0 and c2.1
    sql_log.clear()
    here = await _use_prefetched(post)
    # a loop of its own in another thread, as a later asyncio.run() would make
    there = await asyncio.to_thread(asyncio.run, _use_prefetched(post))
    # and a loop that is not running yet: run_until_complete() takes any awaitable
    until_complete = await asyncio.to_thread(_run_until_complete, post)
    assert sql_log.statements == []
    author = here[0]
    assert (type(author), author.id, author.name) == (PfAuthor, 1, "a1")
    comments = await post.comments
    assert [c.body for c in comments] == ["c2.0", "c2.1"]
    expected = [author, [author, comments], ["coroutine", author], author, comments, [author], 1]
    assert here == expected
    assert there == expected
    assert until_complete == [author, comments]
    assert (await post.author) is author  # still the same instance, still done
    # an awaitable to asyncio, not a future: nothing asks it for a loop
    assert not asyncio.isfuture(post.author) and not asyncio.isfuture(post.comments)


def _run_until_complete(post: PfPost) -> list[object]:
    loop = asyncio.new_event_loop()
    try:
        return [loop.run_until_complete(post.author), loop.run_until_complete(post.comments)]
    finally:
        loop.close()


async def test_an_instance_with_prefetched_relations_pickles_and_copies_with_them(engine, sql_log):
    await _fill(engine, 4, 2)
    posts = await PfPost.all().order_by(PfPost.id.asc).prefetch("author", "comments")
    sql_log.clear()
    for copied in (pickle.loads(pickle.dumps(posts[1])), copy.deepcopy(posts[1]), copy.copy(posts[1])):
        assert (copied.id, copied.title, copied.author_id) == (2, "t2", 1)
        author = await copied.author
        assert (type(author), author.id, author.name) == (PfAuthor, 1, "a1")
        assert [c.body for c in await copied.comments] == ["c2.0", "c2.1"]
    assert sql_log.statements == []
