"""many_to_many(): rows linked through a link table, on every backend.

The link table is created by the relation (``many_to_many(Tag)``) or is a model of
its own (``through=``); links are read by awaiting ``post.tags``, changed with
add/remove/clear/set, filtered on with ``Post.tags.any(...)``, prefetched in one
query, deleted with either row (ON DELETE CASCADE) and planned by migrations.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kakaorm import (
    AfterExecute,
    ForeignKey,
    IntColumn,
    IntegrityError,
    Migrator,
    Model,
    ModelError,
    QueryError,
    QuerySet,
    SoftDeleteModel,
    StrColumn,
    UnresolvedRelationError,
    many_to_many,
)
from kakaorm.orm.many_to_many import ManyToManyManager
from kakaorm.orm.state import PK_KEY


class M2mTag(Model):
    name = StrColumn(nullable=False, max_length=40)

    class Meta:
        table_name = "tag"


class M2mPost(Model):
    title = StrColumn(nullable=False, max_length=40)
    tags = many_to_many(M2mTag, related_name="posts")
    # a forward reference by name, before the model is defined
    readers = many_to_many("M2mReader", through="M2mReading", related_name="read")

    class Meta:
        table_name = "post"


class M2mReader(Model):
    """Its reverse relation ``read`` is declared on M2mReading's side, before it exists."""

    name = StrColumn(nullable=False, max_length=40)

    class Meta:
        table_name = "reader"


class M2mReading(Model):
    """An explicit through model with a required extra column and one with a default."""

    post = ForeignKey(M2mPost, nullable=False)
    reader = ForeignKey(M2mReader, nullable=False)
    rating = IntColumn(nullable=False)
    note = StrColumn(nullable=False, max_length=20, default="-")

    class Meta:
        table_name = "reading"


class M2mLabel(SoftDeleteModel):
    name = StrColumn(nullable=False, max_length=40)

    class Meta:
        table_name = "label"


class M2mNote(Model):
    labels = many_to_many(M2mLabel)

    class Meta:
        table_name = "note"


class M2mPerson(Model):
    name = StrColumn(nullable=False, max_length=40)
    friends = many_to_many("M2mPerson")

    class Meta:
        table_name = "person"


Through = M2mPost.tags.through


class Events:
    """The statements an engine runs, from its statement events."""

    def __init__(self, engine) -> None:
        self.sql: list[str] = []
        self._engine = engine

    def __enter__(self) -> Events:
        self._listener = self._engine.add_listener(after_execute=self._seen)
        return self

    def __exit__(self, *exc: object) -> None:
        self._listener.remove()

    def _seen(self, event: AfterExecute) -> None:
        self.sql.append(event.sql)

    @property
    def verbs(self) -> list[str]:
        return [s.split()[0].upper() for s in self.sql]

    @property
    def one_transaction(self) -> list[str]:
        """The data statements, after checking they ran in one transaction (bulk
        inserts nest a savepoint in it)."""
        verbs = self.verbs
        assert verbs[0] == "BEGIN" and verbs[-1] == "COMMIT" and verbs.count("BEGIN") == 1, verbs
        return [v for v in verbs[1:-1] if v not in ("SAVEPOINT", "RELEASE")]


async def _setup(engine) -> None:
    await engine.create_table(M2mTag, M2mPost, M2mReader, M2mReading, M2mPerson, Through, M2mPerson.friends.through)


async def _tags(*names: str) -> list[M2mTag]:
    return [await M2mTag.create(name=n) for n in names]


async def _links(post: M2mPost) -> list[tuple[int, int]]:
    rows = await Through.all().where(Through.m2m_post_id == post.id).select(Through.m2m_post_id, Through.m2m_tag_id)
    return sorted((r["m2m_post_id"], r["m2m_tag_id"]) for r in rows)


# -- declaration ------------------------------------------------------------------------


def test_the_link_model_is_created_with_a_deterministic_name_and_two_cascading_keys():
    assert isinstance(M2mPost.tags, many_to_many)
    assert Through.__name__ == "M2mPostTags"
    assert Through._meta.table_name == "post_tags"
    assert Through._meta.names == ("id", "m2m_post_id", "m2m_tag_id")
    assert [c.target_model for c in (Through.m2m_post_id, Through.m2m_tag_id)] == [M2mPost, M2mTag]
    assert [c.on_delete for c in (Through.m2m_post_id, Through.m2m_tag_id)] == ["CASCADE", "CASCADE"]
    assert not Through.m2m_post_id.nullable and not Through.m2m_tag_id.nullable
    schema = Through.__table_schema__()
    assert [(ix.columns, ix.unique, ix.constraint) for ix in schema.indexes] == [
        (("m2m_post_id", "m2m_tag_id"), True, True),
        (("m2m_tag_id",), False, False),
    ]
    assert M2mPost.tags.implied_models() == (Through,)
    assert M2mPost.readers.implied_models() == ()
    assert M2mPost.readers.through is M2mReading
    assert M2mPost.readers.related is M2mReader


def test_a_model_linked_to_itself_gets_from_and_to_keys():
    through = M2mPerson.friends.through
    assert through._meta.table_name == "person_friends"
    assert through._meta.names == ("id", "from_m2m_person_id", "to_m2m_person_id")


def test_reading_the_relation_on_an_instance_gives_its_manager():
    post = M2mPost(title="x")
    assert type(post.tags) is ManyToManyManager
    assert repr(post.tags) == "<M2mPost.tags of <M2mPost id=None>>"
    assert repr(M2mPost.tags) == "<many_to_many M2mPost.tags -> M2mTag>"
    assert M2mPost.tags.name == "tags" and M2mPost.tags.owner is M2mPost


def test_bad_declarations_raise_model_error_saying_what_to_do():
    with pytest.raises(ModelError, match=r"many_to_many\(\) takes a model class or its class name, got 3"):
        many_to_many(3)  # type: ignore[call-overload]
    with pytest.raises(ModelError, match=r"through_fields=\.\.\.\) names the foreign keys of a through model"):
        many_to_many(M2mTag, through_fields=("a", "b"))
    with pytest.raises(ModelError, match=r"takes two column names"):
        many_to_many(M2mTag, through=M2mReading, through_fields=("a",))  # type: ignore[arg-type]
    with pytest.raises(ModelError, match=r"M2mAbstract.tags: many_to_many\(\) on an abstract model"):

        class M2mAbstract(Model):
            tags = many_to_many(M2mTag)

            class Meta:
                abstract = True


def test_an_ambiguous_through_model_needs_through_fields():
    class M2mFollow(Model):
        follower = ForeignKey(M2mPerson, nullable=False)
        followed = ForeignKey(M2mPerson, nullable=False)

    class M2mFan(Model):
        name = StrColumn(nullable=False)
        idols = many_to_many(M2mPerson, through=M2mFollow)
        follows = many_to_many(M2mPerson, through=M2mFollow, through_fields=("follower", "followed"))

    with pytest.raises(ModelError) as err:
        M2mFan.idols.through  # noqa: B018
    assert str(err.value) == (
        "M2mFan.idols: the through model M2mFollow needs exactly one ForeignKey to M2mFan and one "
        "to M2mPerson to be told apart; its foreign keys are: follower (to M2mPerson), followed "
        "(to M2mPerson). Add the missing key, or say which is which with "
        "through_fields=('<key to M2mFan>', '<key to M2mPerson>')"
    )
    with pytest.raises(ModelError, match=r"through_fields names 'follower', which is not a foreign key of M2mFollow to M2mFan"):
        M2mFan.follows.through  # noqa: B018


def test_a_through_model_that_keeps_deleted_rows_is_refused():
    class M2mSoftLink(SoftDeleteModel):
        note = ForeignKey("M2mNote", nullable=False)
        label = ForeignKey(M2mLabel, nullable=False)

    class M2mSoftOwner(Model):
        labels = many_to_many(M2mLabel, through=M2mSoftLink)

    with pytest.raises(ModelError) as err:
        M2mSoftOwner.labels.through  # noqa: B018
    assert str(err.value) == (
        "M2mSoftOwner.labels: the through model M2mSoftLink keeps deleted rows (a SoftDeleteModel "
        "or ArchiveModel); a link is either there or not: make it a plain Model"
    )


def test_an_unknown_through_name_raises_model_error_when_first_used():
    class M2mLost(Model):
        tags = many_to_many(M2mTag, through="M2mNoSuchLink")

    with pytest.raises(ModelError, match=r"M2mLost.tags refers to a model named 'M2mNoSuchLink', but no such model"):
        M2mLost.tags.through  # noqa: B018


# -- reading and changing links ----------------------------------------------------------


async def test_add_links_rows_and_awaiting_gives_them_ordered_by_key(engine):
    await _setup(engine)
    post = await M2mPost.create(title="p")
    python, sql, web = await _tags("python", "sql", "web")
    assert await post.tags == []
    await post.tags.add(web, python)
    tags = await post.tags
    assert [(type(t), t.id, t.name) for t in tags] == [(M2mTag, python.id, "python"), (M2mTag, web.id, "web")]
    assert await post.tags.count() == 2
    assert await post.tags.where(M2mTag.name == "web") == [web]
    assert await post.tags.all().order_by(M2mTag.name.desc).select(M2mTag.name) == [{"name": "web"}, {"name": "python"}]
    assert isinstance(post.tags.all(), QuerySet)
    assert sql not in tags


async def test_add_is_idempotent_and_adds_only_missing_links(engine):
    await _setup(engine)
    post = await M2mPost.create(title="p")
    a, b, c = await _tags("a", "b", "c")
    await post.tags.add(a, b)
    with Events(engine) as ev:
        await post.tags.add(a, b, b, c)
    assert ev.one_transaction == ["SELECT", "INSERT"]
    with Events(engine) as ev:
        await post.tags.add(a, c)
    assert ev.one_transaction == ["SELECT"]
    assert await _links(post) == [(post.id, a.id), (post.id, b.id), (post.id, c.id)]
    with Events(engine) as ev:
        await post.tags.add()
    assert ev.sql == []


async def test_remove_and_clear(engine):
    await _setup(engine)
    post, other = await M2mPost.create(title="p"), await M2mPost.create(title="q")
    a, b, c = await _tags("a", "b", "c")
    await post.tags.add(a, b, c)
    await other.tags.add(a)
    await post.tags.remove(b, b)
    await post.tags.remove(b)  # not linked any more: no error
    assert await post.tags == [a, c]
    await post.tags.clear()
    assert await post.tags == []
    assert await other.tags == [a]
    assert await M2mTag.all().count() == 3


async def test_set_keeps_common_links_and_changes_only_the_difference(engine):
    await _setup(engine)
    post = await M2mPost.create(title="p")
    a, b, c, d = await _tags("a", "b", "c", "d")
    await post.tags.add(a, b, c)
    kept = await Through.where(Through.m2m_tag_id.in_([b.id, c.id])).order_by(Through.id.asc)
    with Events(engine) as ev:
        await post.tags.set([d, b, c])
    assert ev.one_transaction == ["SELECT", "DELETE", "INSERT"]
    assert await post.tags == [b, c, d]
    again = await Through.where(Through.m2m_tag_id.in_([b.id, c.id])).order_by(Through.id.asc)
    assert [r.id for r in again] == [r.id for r in kept]  # the common links were not rewritten
    with Events(engine) as ev:
        await post.tags.set([b, c, d])
    assert ev.one_transaction == ["SELECT"]
    await post.tags.set([])
    assert await post.tags == []


async def test_set_is_one_transaction(engine):
    await _setup(engine)
    post = await M2mPost.create(title="p")
    a, b = await _tags("a", "b")
    await post.tags.add(a)
    ghost = M2mTag(name="ghost")
    ghost.__dict__.update({PK_KEY: 10_000, "id": 10_000})  # looks saved, has no row: the INSERT fails
    with pytest.raises(IntegrityError):
        await post.tags.set([b, ghost])
    assert await post.tags == [a]  # the DELETE of a's link was rolled back


async def test_unsaved_rows_raise_query_error_saying_to_save(engine):
    await _setup(engine)
    post = M2mPost(title="p")
    tag = (await _tags("a"))[0]
    assert await post.tags == []  # no key, no links, no query
    for call, name in [
        (lambda: post.tags.add(tag), "add"), (lambda: post.tags.remove(tag), "remove"),
        (lambda: post.tags.clear(), "clear"), (lambda: post.tags.set([tag]), "set"),
    ]:
        with pytest.raises(QueryError) as err:
            await call()
        assert str(err.value) == (
            f"M2mPost.tags.{name}(): this M2mPost is not in the database (never saved, or deleted); "
            "save() it before linking rows to it"
        )
    with pytest.raises(QueryError, match=r"M2mPost.tags.all\(\): this M2mPost is not in the database"):
        post.tags.all()
    saved = await M2mPost.create(title="q")
    with pytest.raises(QueryError) as err:
        await saved.tags.add(M2mTag(name="new"))
    assert str(err.value) == (
        "M2mPost.tags.add(): <M2mTag id=None> is not in the database (never saved, or deleted); save() it first"
    )


async def test_rows_of_the_wrong_model_raise_type_error(engine):
    await _setup(engine)
    post = await M2mPost.create(title="p")
    tag = (await _tags("a"))[0]
    other = await M2mPost.create(title="q")
    with pytest.raises(TypeError) as err:
        await post.tags.add(other)  # type: ignore[arg-type]
    assert str(err.value) == "M2mPost.tags.add() takes M2mTag instances, got <M2mPost id=2>"
    with pytest.raises(TypeError) as err:
        await post.tags.add([tag])  # type: ignore[arg-type]
    assert str(err.value) == (
        "M2mPost.tags.add() takes M2mTag instances, got [<M2mTag id=1>]; pass the rows one by one: add(*rows)"
    )
    with pytest.raises(TypeError, match=r"M2mPost.tags.remove\(\) takes M2mTag instances, got 1"):
        await post.tags.remove(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"M2mPost.tags.set\(\) takes a list of M2mTag rows, got <M2mTag id=1>"):
        await post.tags.set(tag)  # type: ignore[arg-type]
    assert await post.tags == []


async def test_a_model_linked_to_itself(engine):
    await _setup(engine)
    ann, bob, cy = [await M2mPerson.create(name=n) for n in ("ann", "bob", "cy")]
    await ann.friends.add(bob, cy)
    await bob.friends.add(cy)
    assert await ann.friends == [bob, cy]
    assert await bob.friends == [cy]
    assert await cy.friends == []
    assert await M2mPerson.where(M2mPerson.friends.any(M2mPerson.name == "cy")).order_by(M2mPerson.id.asc) == [ann, bob]


# -- the reverse relation (related_name=) ------------------------------------------------------


def test_related_name_puts_the_reverse_relation_on_the_related_model():
    assert isinstance(M2mTag.posts, many_to_many)
    assert (M2mTag.posts.owner, M2mTag.posts.related, M2mTag.posts.name) == (M2mTag, M2mPost, "posts")
    assert M2mTag._meta.relations["posts"] is M2mTag.posts
    assert M2mTag.posts.through is Through
    assert M2mTag.posts.implied_models() == ()  # the forward relation owns the table
    assert M2mReader.read.through is M2mReading  # declared before M2mReader existed


def test_a_related_name_that_is_taken_raises_model_error():
    with pytest.raises(ModelError) as err:

        class M2mClash(Model):
            tags = many_to_many(M2mTag, related_name="name")

    assert str(err.value) == (
        "M2mClash.tags: related_name='name' is taken on M2mTag (by a column, a relation or a "
        "Model method); choose another name"
    )
    with pytest.raises(ModelError, match=r"related_name=\.\.\.\) takes an attribute name such as 'posts', got 'a b'"):
        many_to_many(M2mTag, related_name="a b")


async def test_the_reverse_relation_reads_changes_filters_and_prefetches(engine):
    await _setup(engine)
    p1, p2 = await M2mPost.create(title="p1"), await M2mPost.create(title="p2")
    a, b = await _tags("a", "b")
    await p1.tags.add(a, b)
    await b.posts.add(p2)
    assert await a.posts == [p1]
    assert await b.posts == [p1, p2]
    assert await p2.tags == [b]
    assert await M2mTag.where(M2mTag.posts.any(M2mPost.title == "p2")) == [b]
    with Events(engine) as ev:
        tags = await M2mTag.all().order_by(M2mTag.id.asc).prefetch("posts")
        assert [[p.title for p in await t.posts] for t in tags] == [["p1"], ["p1", "p2"]]
    assert ev.verbs == ["SELECT", "SELECT"]
    await b.posts.remove(p1)
    assert await p1.tags == [a]
    ann = await M2mReader.create(name="ann")
    await ann.read.add(p1, through_defaults={"rating": 5})
    assert await p1.readers == [ann]


# -- soft-deleted rows ----------------------------------------------------------------------------


async def test_soft_deleted_related_rows_are_left_out_as_in_every_default_query(engine):
    await engine.create_table(M2mLabel, M2mNote, M2mNote.labels.through)
    note = await M2mNote.create()
    red, blue = await M2mLabel.create(name="red"), await M2mLabel.create(name="blue")
    await note.labels.add(red, blue)
    await blue.delete()  # soft: the row and its link stay
    assert await M2mNote.labels.through.all().count() == 2
    assert await note.labels == [red]
    assert await note.labels.count() == 1
    (loaded,) = await M2mNote.all().prefetch("labels")
    assert await loaded.labels == [red]
    assert await M2mNote.where(M2mNote.labels.any(M2mLabel.name == "blue")) == []
    await blue.restore()
    assert await note.labels == [red, blue]


# -- an explicit through model -------------------------------------------------------------


async def test_a_through_model_with_a_required_column_needs_through_defaults(engine):
    await _setup(engine)
    post = await M2mPost.create(title="p")
    ann, bob = [await M2mReader.create(name=n) for n in ("ann", "bob")]
    with pytest.raises(TypeError) as err:
        await post.readers.add(ann)
    assert str(err.value) == (
        "M2mPost.readers.add(): the through model M2mReading has required column(s) rating with no "
        "default; pass their values as through_defaults={'rating': ...}"
    )
    with pytest.raises(TypeError, match=r"through_defaults may not set post; the relation fills in"):
        await post.readers.add(ann, through_defaults={"post": 1, "rating": 1})
    with pytest.raises(TypeError, match=r"Unknown field 'stars' for M2mReading\(\)"):
        await post.readers.add(ann, through_defaults={"rating": 1, "stars": 5})
    await post.readers.add(ann, through_defaults={"rating": 4})
    await post.readers.set([ann, bob], through_defaults={"rating": 2, "note": "new"})
    assert await post.readers == [ann, bob]
    rows = await M2mReading.all().order_by(M2mReading.id.asc)
    assert [(r.post, r.reader, r.rating, r.note) for r in rows] == [
        (post.id, ann.id, 4, "-"), (post.id, bob.id, 2, "new"),
    ]
    assert await M2mPost.where(M2mPost.readers.any(M2mReader.name == "bob")) == [post]


# -- filters across the relation -----------------------------------------------------------


async def test_any_filters_owners_without_duplicate_rows(engine):
    await _setup(engine)
    p1, p2, p3 = [await M2mPost.create(title=t) for t in ("one", "two", "three")]
    python, sql, _web = await _tags("python", "sql", "web")
    await p1.tags.add(python, sql)
    await p2.tags.add(sql)
    by_id = M2mPost.id.asc
    assert await M2mPost.where(M2mPost.tags.any(M2mTag.name == "sql")).order_by(by_id) == [p1, p2]
    # p1 matches through two tags and still comes once
    assert await M2mPost.where(M2mPost.tags.any(M2mTag.name.in_(["python", "sql"]))).order_by(by_id) == [p1, p2]
    assert await M2mPost.where(M2mPost.tags.any(M2mTag.name == "python")).count() == 1
    assert await M2mPost.where(M2mPost.tags.any(M2mTag.name == "web")) == []
    assert await M2mPost.where(M2mPost.tags.any()).order_by(by_id) == [p1, p2]
    assert await M2mPost.exclude(M2mPost.tags.any()).order_by(by_id) == [p3]
    both = M2mPost.where(M2mPost.tags.any(M2mTag.name == "python"), M2mPost.tags.any(M2mTag.name == "sql"))
    assert await both == [p1]
    assert await M2mPost.where(M2mPost.tags.any(M2mTag.name == "sql"), M2mPost.title == "two") == [p2]


# -- prefetch ------------------------------------------------------------------------------


@pytest.mark.parametrize("n_posts", [5, 300])
async def test_prefetch_runs_one_query_for_the_links_of_every_post(engine, n_posts):
    await _setup(engine)
    await M2mPost.bulk_create([M2mPost(title=f"p{i}") for i in range(1, n_posts + 1)])
    await M2mTag.bulk_create([M2mTag(name=f"t{i}") for i in range(1, 6)])
    # post i is linked to tags 1..(i % 4) (none for every fourth post)
    await Through.bulk_create(
        [Through(m2m_post_id=i, m2m_tag_id=t) for i in range(1, n_posts + 1) for t in range(1, i % 4 + 1)]
    )
    with Events(engine) as ev:
        posts = await M2mPost.all().order_by(M2mPost.id.asc).prefetch("tags")
    assert len(posts) == n_posts
    assert ev.verbs == ["SELECT", "SELECT"]
    with Events(engine) as ev:
        for post in posts:
            tags = await post.tags
            assert [(type(t), t.id, t.name) for t in tags] == [(M2mTag, t, f"t{t}") for t in range(1, post.id % 4 + 1)]
            assert all("kakaorm_m2m_owner" not in t.__dict__ for t in tags)
    assert ev.sql == []


async def test_changing_links_forgets_a_prefetched_list(engine):
    await _setup(engine)
    post = await M2mPost.create(title="p")
    a, b = await _tags("a", "b")
    await post.tags.add(a)
    (loaded,) = await M2mPost.all().prefetch("tags")
    assert await loaded.tags == [a]
    await loaded.tags.add(b)
    assert await loaded.tags == [a, b]
    await loaded.tags.remove(a)
    assert await loaded.tags == [b]


async def test_prefetch_through_an_explicit_model_and_with_no_rows(engine):
    await _setup(engine)
    assert await M2mPost.all().prefetch("readers", "tags") == []
    post = await M2mPost.create(title="p")
    ann = await M2mReader.create(name="ann")
    await post.readers.add(ann, through_defaults={"rating": 1})
    with Events(engine) as ev:
        (loaded,) = await M2mPost.all().prefetch("readers", "tags")
        assert await loaded.readers == [ann]
        assert await loaded.tags == []
    assert ev.verbs == ["SELECT", "SELECT", "SELECT"]


# -- deleting rows removes their links -------------------------------------------------------


async def test_deleting_either_row_deletes_its_links(engine):
    await _setup(engine)
    p1, p2 = await M2mPost.create(title="p1"), await M2mPost.create(title="p2")
    a, b = await _tags("a", "b")
    await p1.tags.add(a, b)
    await p2.tags.add(a, b)
    await p1.delete()
    assert await Through.all().count() == 2
    assert await _links(p2) == [(p2.id, a.id), (p2.id, b.id)]
    await a.delete()
    assert await _links(p2) == [(p2.id, b.id)]
    assert await p2.tags == [b]


async def test_the_link_table_refuses_a_second_identical_link(engine):
    await _setup(engine)
    post = await M2mPost.create(title="p")
    (a,) = await _tags("a")
    await Through.create(m2m_post_id=post.id, m2m_tag_id=a.id)
    with pytest.raises(IntegrityError):
        await Through.create(m2m_post_id=post.id, m2m_tag_id=a.id)


# -- migrations ---------------------------------------------------------------------------------


async def test_migrations_plan_the_link_table_and_nothing_after_create_table(engine):
    await _setup(engine)
    plan = await Migrator(engine).plan([M2mTag, M2mPost, M2mReader, M2mReading, M2mPerson])
    assert plan.is_empty(), plan.sql


async def test_a_migration_from_nothing_creates_the_link_table_after_both_sides(engine):
    migrator = Migrator(engine)
    plan = await migrator.plan([M2mPost, M2mPerson, M2mReading, M2mReader, M2mTag])
    created = [line.split(" ")[2] for line in plan.summary if line.startswith("create table")]
    assert sorted(created) == sorted(["post", "person", "reading", "reader", "tag", "post_tags", "person_friends"])
    assert created.index("post_tags") > max(created.index("post"), created.index("tag"))
    await plan.apply()
    assert (await migrator.plan([M2mTag, M2mPost, M2mReader, M2mReading, M2mPerson])).is_empty()
    post = await M2mPost.create(title="p")
    (tag,) = await _tags("t")
    await post.tags.add(tag)
    assert await tag.posts == [post]


async def test_adding_a_many_to_many_plans_a_create_table_of_the_link_table(engine):
    class M2mArticle(Model):
        title = StrColumn(nullable=False, max_length=40)

        class Meta:
            table_name = "article"

    await engine.create_table(M2mTag, M2mArticle)

    class M2mArticleV2(Model):  # the same table, now with a many_to_many
        title = StrColumn(nullable=False, max_length=40)
        labels = many_to_many(M2mTag)

        class Meta:
            table_name = "article"

    migrator = Migrator(engine)
    plan = await migrator.plan([M2mTag, M2mArticleV2])
    assert [line.split(" ")[:3] for line in plan.summary] == [["create", "table", "article_labels"]]
    await plan.apply()
    assert (await migrator.plan([M2mTag, M2mArticleV2])).is_empty()
    article = await M2mArticleV2.create(title="a")
    (tag,) = await _tags("t")
    await article.labels.add(tag)
    assert await article.labels == [tag]


async def test_planning_lists_the_names_a_many_to_many_cannot_resolve(engine):
    class M2mBroken(Model):
        tags = many_to_many("M2mNoSuchTag")
        links = many_to_many(M2mTag, through="M2mNoSuchLink")

    with pytest.raises(UnresolvedRelationError) as err:
        await Migrator(engine).plan([M2mTag, M2mBroken])
    message = str(err.value)
    assert message.startswith("2 relation(s) refer to a model that cannot be resolved")
    assert "- M2mBroken.tags refers to a model named 'M2mNoSuchTag', but no such model is defined" in message
    assert "- M2mBroken.links refers to a model named 'M2mNoSuchLink', but no such model is defined" in message


# -- the links behave as a set ---------------------------------------------------------------

_op = st.one_of(
    st.tuples(st.just("add"), st.lists(st.integers(0, 5), max_size=4)),
    st.tuples(st.just("remove"), st.lists(st.integers(0, 5), max_size=4)),
    st.tuples(st.just("set"), st.lists(st.integers(0, 5), max_size=6)),
    st.tuples(st.just("clear"), st.just([])),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.tuples(st.integers(0, 1), _op), max_size=8))
async def test_any_sequence_of_changes_matches_a_python_set(engine, ops):
    await _setup(engine)
    await Through.all().delete()
    await M2mTag.all().delete()
    await M2mPost.all().delete()
    posts = [await M2mPost.create(title=f"p{i}") for i in range(2)]
    tags = await _tags(*(f"t{i}" for i in range(6)))
    model: list[set[int]] = [set(), set()]
    for which, (name, picks) in ops:
        manager, expected = posts[which].tags, model[which]
        chosen = [tags[i] for i in picks]
        if name == "add":
            await manager.add(*chosen)
            expected |= {t.id for t in chosen}
        elif name == "remove":
            await manager.remove(*chosen)
            expected -= {t.id for t in chosen}
        elif name == "set":
            await manager.set(chosen)
            expected.clear()
            expected |= {t.id for t in chosen}
        else:
            await manager.clear()
            expected.clear()
        for post, want in zip(posts, model, strict=True):
            assert [t.id for t in await post.tags] == sorted(want)
    assert await Through.all().count() == len(model[0]) + len(model[1])
    for post, want in zip(posts, model, strict=True):
        assert await post.tags.count() == len(want)
        matching = M2mPost.where(M2mPost.tags.any(M2mTag.id.in_(sorted(want) or [-1])))
        assert {p.id for p in await matching} == {o.id for o, w in zip(posts, model, strict=True) if w & want}
