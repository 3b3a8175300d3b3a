"""belongs_to / has_many / has_one: lazy awaitables, resolved names, clear errors."""

from __future__ import annotations

import pytest

from kakaorm import (
    ForeignKey,
    IntColumn,
    Model,
    ModelError,
    QueryError,
    StrColumn,
    belongs_to,
    has_many,
    has_one,
)
from kakaorm.orm.relations import BelongsTo, HasMany, HasOne


class RelAuthor(Model):
    name = StrColumn(nullable=False)
    posts = has_many("RelPost", foreign_key="author_id")
    profile = has_one("RelProfile", foreign_key="author_id")

    class Meta:
        table_name = "author"


class RelProfile(Model):
    bio = StrColumn()
    author_id = ForeignKey(RelAuthor, nullable=False)
    author = belongs_to(RelAuthor, foreign_key="author_id")

    class Meta:
        table_name = "profile"


class RelPost(Model):
    title = StrColumn(nullable=False)
    author_id = ForeignKey(RelAuthor, nullable=True, on_delete="SET NULL")
    author = belongs_to(RelAuthor, foreign_key="author_id")
    comments = has_many("RelComment", foreign_key="post_id")

    class Meta:
        table_name = "post"


class RelComment(Model):
    body = StrColumn(nullable=False)
    post_id = ForeignKey(RelPost, nullable=False)
    post = belongs_to("RelPost", foreign_key="post_id")

    class Meta:
        table_name = "comment"


class RelOrphan(Model):
    """Relations whose declarations are wrong; the error comes on first use."""

    owner_id = IntColumn()
    ghost = belongs_to("RelNoSuchModel", foreign_key="owner_id")
    wrong_key = has_many(RelComment, foreign_key="orphan_id")

    class Meta:
        table_name = "orphan"


async def _schema(engine) -> tuple[RelAuthor, RelAuthor]:
    await engine.create_table(RelAuthor, RelProfile, RelPost, RelComment)
    ada = await RelAuthor.create(name="Ada")
    bob = await RelAuthor.create(name="Bob")
    return ada, bob


async def test_belongs_to_gives_the_related_instance(engine):
    ada, _ = await _schema(engine)
    post = await RelPost.create(title="p", author_id=ada.id)
    loaded = await RelPost.get(RelPost.id == post.id)
    author = await loaded.author
    assert type(author) is RelAuthor
    assert author.to_dict() == {"id": 1, "name": "Ada"}
    assert author == ada


async def test_belongs_to_with_a_null_key_gives_none_without_a_query(engine, sql_log):
    await _schema(engine)
    post = await RelPost.create(title="anonymous")
    sql_log.clear()
    assert await post.author is None
    assert sql_log.statements == []


async def test_has_many_gives_a_list_ordered_by_the_related_key(engine):
    ada, bob = await _schema(engine)
    for key, title, author in [(5, "e", ada), (2, "b", ada), (7, "g", bob), (3, "c", ada)]:
        await RelPost.create(id=key, title=title, author_id=author.id)
    posts = await ada.posts
    assert type(posts) is list
    assert [(p.id, p.title) for p in posts] == [(2, "b"), (3, "c"), (5, "e")]
    assert all(type(p) is RelPost for p in posts)
    assert [p.id for p in await bob.posts] == [7]


async def test_has_many_without_related_rows_gives_an_empty_list(engine):
    ada, _ = await _schema(engine)
    assert await ada.posts == []


async def test_has_one_gives_the_related_instance_or_none(engine):
    ada, bob = await _schema(engine)
    await RelProfile.create(bio="mathematician", author_id=ada.id)
    profile = await ada.profile
    assert type(profile) is RelProfile
    assert (profile.id, profile.bio, profile.author_id) == (1, "mathematician", 1)
    assert await bob.profile is None


async def test_has_one_with_several_rows_gives_the_lowest_key(engine):
    ada, _ = await _schema(engine)
    await RelProfile.create(id=9, bio="later", author_id=ada.id)
    await RelProfile.create(id=4, bio="first", author_id=ada.id)
    profile = await ada.profile
    assert (profile.id, profile.bio) == (4, "first")


async def test_prefetched_has_one_with_several_rows_gives_the_lowest_key(engine, sql_log):
    ada, bob = await _schema(engine)
    await RelProfile.create(id=9, bio="later", author_id=ada.id)
    await RelProfile.create(id=4, bio="first", author_id=ada.id)
    await RelProfile.create(id=6, bio="middle", author_id=ada.id)
    authors = await RelAuthor.all().order_by(RelAuthor.id).prefetch("profile")
    sql_log.clear()
    profiles = [await a.profile for a in authors]
    assert sql_log.count == 0
    assert [a.id for a in authors] == [ada.id, bob.id]
    assert type(profiles[0]) is RelProfile
    assert (profiles[0].id, profiles[0].bio) == (4, "first")
    assert profiles[1] is None


async def test_reading_a_relation_sends_nothing_until_awaited(engine, sql_log):
    ada, _ = await _schema(engine)
    post = await RelPost.create(title="p", author_id=ada.id)
    sql_log.clear()
    pending_author = post.author
    pending_posts = ada.posts
    pending_profile = ada.profile
    assert sql_log.statements == []
    assert (await pending_author) == ada
    assert sql_log.count == 1
    assert [p.id for p in await pending_posts] == [post.id]
    assert await pending_profile is None
    assert sql_log.count == 3
    assert all(s.startswith("SELECT") for s in sql_log.statements)


async def test_each_await_queries_again_and_sees_a_changed_key(engine, sql_log):
    ada, bob = await _schema(engine)
    post = await RelPost.create(title="p", author_id=ada.id)
    assert await post.author == ada
    post.author_id = bob.id
    sql_log.clear()
    assert await post.author == bob
    assert sql_log.count == 1


async def test_a_relation_named_by_string_resolves_to_the_model(engine):
    ada, _ = await _schema(engine)
    post = await RelPost.create(title="p", author_id=ada.id)
    comment = await RelComment.create(body="nice", post_id=post.id)
    assert RelComment.post.related is RelPost
    assert RelAuthor.posts.related is RelPost
    assert await comment.post == post
    assert [c.body for c in await post.comments] == ["nice"]


def test_the_class_attribute_is_the_relation_descriptor():
    assert type(RelPost.author) is BelongsTo
    assert type(RelAuthor.posts) is HasMany
    assert type(RelAuthor.profile) is HasOne
    assert (RelPost.author.name, RelPost.author.foreign_key, RelPost.author.owner) == (
        "author", "author_id", RelPost,
    )
    assert set(RelPost._meta.relations) == {"author", "comments"}


async def test_an_unknown_model_name_raises_model_error_when_first_used():
    orphan = RelOrphan(owner_id=1)
    with pytest.raises(ModelError) as info:
        await orphan.ghost
    message = str(info.value)
    assert "RelOrphan.ghost" in message
    assert "'RelNoSuchModel'" in message
    assert "Known models:" in message
    assert "RelAuthor" in message and "RelPost" in message


def test_prefetching_an_unknown_model_name_raises_model_error_before_any_query():
    with pytest.raises(ModelError, match="'RelNoSuchModel'"):
        RelOrphan.all().prefetch("ghost")


async def test_a_foreign_key_that_is_not_a_column_raises_model_error_naming_the_columns():
    orphan = RelOrphan(owner_id=1)
    orphan.__dict__["_kakaorm_pk"] = 1  # as if loaded: the key is there, the column is not
    with pytest.raises(ModelError) as info:
        await orphan.wrong_key
    assert str(info.value) == (
        "RelOrphan.wrong_key: foreign_key='orphan_id' is not a column of RelComment; "
        "its columns are: id, body, post_id"
    )


class RelTitled(Model):
    title = StrColumn()
    author_id = IntColumn()

    class Meta:
        abstract = True


def test_a_relation_may_not_reuse_an_inherited_column_name():
    with pytest.raises(ModelError, match=r"RelClash\.title: the relation's name is taken"):

        class RelClash(RelTitled):
            title = belongs_to(RelAuthor, foreign_key="author_id")  # type: ignore[assignment]


def test_a_relation_may_not_use_a_model_method_name():
    with pytest.raises(ModelError, match=r"RelClash2\.delete: the relation's name is taken"):

        class RelClash2(Model):
            author_id = IntColumn()
            delete = belongs_to(RelAuthor, foreign_key="author_id")


def test_a_relation_needs_a_foreign_key_name():
    with pytest.raises(ModelError, match=r"BelongsTo\(\) needs foreign_key='column_name'"):
        belongs_to(RelAuthor, foreign_key="")


def test_a_name_defined_in_the_referring_module_wins_over_other_modules():
    ns_a = {"__module__": "rel_app_a", "label": StrColumn()}
    ns_b = {"__module__": "rel_app_b", "label": StrColumn()}
    twin_a = type(Model)("RelTwin", (Model,), ns_a)
    type(Model)("RelTwin", (Model,), ns_b)
    holder = type(Model)(
        "RelTwinHolder", (Model,),
        {"__module__": "rel_app_a", "twin_id": IntColumn(), "twin": belongs_to("RelTwin", foreign_key="twin_id")},
    )
    assert holder.twin.related is twin_a


def test_a_name_defined_in_several_other_modules_is_ambiguous():
    for module in ("rel_app_c", "rel_app_d"):
        type(Model)("RelTwinToo", (Model,), {"__module__": module, "label": StrColumn()})
    holder = type(Model)(
        "RelTwinHolderToo", (Model,),
        {"__module__": "rel_app_e", "twin_id": IntColumn(), "twin": belongs_to("RelTwinToo", foreign_key="twin_id")},
    )
    with pytest.raises(ModelError) as info:
        _ = holder.twin.related
    assert str(info.value) == (
        "RelTwinHolderToo.twin refers to a model named 'RelTwinToo', which is ambiguous: the "
        "modules rel_app_c, rel_app_d each define one. Pass the model class instead of its name"
    )


def test_prefetch_of_a_column_raises_query_error_listing_the_relations():
    with pytest.raises(QueryError) as info:
        RelPost.all().prefetch("title")
    assert str(info.value).startswith(
        "prefetch('title'): RelPost has no relation named 'title'; its relations are: "
        "author, comments."
    )
