"""SoftDeleteModel: delete() sets deleted_at; default queries leave those rows out."""

from __future__ import annotations

import datetime as dt

import pytest

from kakaorm import (
    Count,
    DatabaseError,
    ForeignKey,
    IntColumn,
    IntegrityError,
    Model,
    QueryError,
    SoftDeleteModel,
    StrColumn,
    Sum,
    belongs_to,
    has_many,
)
from kakaorm.orm.queryset import QuerySet

calls: list[tuple[str, int | None]] = []


class SdAuthor(SoftDeleteModel):
    name = StrColumn(nullable=False)
    posts = has_many("SdPost", foreign_key="author_id")

    class Meta:
        table_name = "author"


class SdPost(SoftDeleteModel):
    title = StrColumn(nullable=False)
    views = IntColumn(nullable=False, default=0)
    author_id = ForeignKey(SdAuthor, nullable=True)
    author = belongs_to(SdAuthor, foreign_key="author_id")

    class Meta:
        table_name = "post"

    async def before_delete(self) -> None:
        calls.append(("before_delete", self.id))

    async def after_delete(self) -> None:
        calls.append(("after_delete", self.id))


class SdPlain(Model):
    name = StrColumn()


@pytest.fixture(autouse=True)
def clear_calls():
    calls.clear()


async def _posts(engine, n: int = 4) -> list[SdPost]:
    await engine.create_table(SdAuthor, SdPost)
    return [await SdPost.create(title=f"p{i}", views=10 * i) for i in range(1, n + 1)]


def _ids(rows) -> list[int]:
    return sorted(r.id for r in rows)


async def test_the_model_gets_a_nullable_deleted_at_column(engine):
    assert SdPost._meta.names == ("id", "deleted_at", "title", "views", "author_id")
    assert SdPost._meta.columns["deleted_at"].nullable is True
    post = (await _posts(engine, 1))[0]
    assert post.deleted_at is None
    assert (await SdPost.get(SdPost.id == 1)).deleted_at is None


async def test_instance_delete_sets_an_aware_utc_time_and_keeps_the_row(engine):
    post = (await _posts(engine, 1))[0]
    before = dt.datetime.now(dt.UTC)
    await post.delete()
    after = dt.datetime.now(dt.UTC)
    stamp = post.deleted_at
    assert type(stamp) is dt.datetime
    assert stamp.utcoffset() == dt.timedelta(0)
    assert before - dt.timedelta(seconds=1) <= stamp <= after + dt.timedelta(seconds=1)
    stored = await SdPost.include_deleted().get(SdPost.id == post.id)
    assert stored.deleted_at == stamp
    assert stored.deleted_at.utcoffset() == dt.timedelta(0)
    assert await engine.fetchval("SELECT COUNT(*) FROM post") == 1
    assert post.is_saved


async def test_default_queries_leave_soft_deleted_rows_out(engine):
    posts = await _posts(engine)
    await posts[1].delete()  # p2, views 20
    assert _ids(await SdPost.all()) == [1, 3, 4]
    assert _ids(await SdPost.where(SdPost.views >= 20)) == [3, 4]
    assert _ids(await SdPost.exclude(SdPost.views == 10)) == [3, 4]
    assert await SdPost.count() == 3
    assert await SdPost.where(SdPost.id == 2).exists() is False
    assert await SdPost.get_or_none(SdPost.id == 2) is None
    with pytest.raises(SdPost.NotFound):
        await SdPost.get(SdPost.id == 2)
    assert (await SdPost.all().order_by(SdPost.id.asc).offset(1).first()).id == 3
    assert (await SdPost.where(SdPost.views < 40).last()).id == 3
    assert await SdPost.all().sum(SdPost.views) == 80
    assert await SdPost.all().aggregate(n=Count(), total=Sum(SdPost.views)) == {"n": 3, "total": 80}
    assert await SdPost.all().select(SdPost.title).order_by(SdPost.id.asc) == [
        {"title": "p1"}, {"title": "p3"}, {"title": "p4"},
    ]


async def test_include_deleted_and_only_deleted_return_querysets(engine):
    posts = await _posts(engine)
    await posts[0].delete()
    await posts[2].delete()
    everything = SdPost.include_deleted()
    deleted = SdPost.only_deleted()
    assert type(everything) is QuerySet and type(deleted) is QuerySet
    assert _ids(await everything) == [1, 2, 3, 4]
    assert _ids(await deleted) == [1, 3]
    assert await everything.count() == 4
    assert await deleted.count() == 2
    assert _ids(await SdPost.where(SdPost.views > 10).only_deleted()) == [3]
    assert [p.id for p in await deleted.order_by(SdPost.id.desc)] == [3, 1]
    assert all(p.deleted_at is not None for p in await deleted)
    assert await SdPost.all().include_deleted().sum(SdPost.views) == 100


async def test_queryset_delete_marks_matching_rows_and_returns_the_count(engine):
    await _posts(engine)
    assert await SdPost.where(SdPost.views >= 30).delete() == 2
    assert _ids(await SdPost.all()) == [1, 2]
    assert _ids(await SdPost.only_deleted()) == [3, 4]
    assert await engine.fetchval("SELECT COUNT(*) FROM post") == 4
    stamps = {p.deleted_at for p in await SdPost.only_deleted()}
    assert len(stamps) == 1
    assert next(iter(stamps)).utcoffset() == dt.timedelta(0)


async def test_deleting_again_keeps_the_first_deletion_time(engine):
    posts = await _posts(engine, 2)
    await posts[0].delete()
    first = (await SdPost.only_deleted().get()).deleted_at
    assert await SdPost.include_deleted().delete() == 1  # only the live row counts
    assert (await SdPost.include_deleted().get(SdPost.id == 1)).deleted_at == first
    again = await SdPost.include_deleted().get(SdPost.id == 1)
    await again.delete()
    assert again.deleted_at == first
    assert (await SdPost.include_deleted().get(SdPost.id == 1)).deleted_at == first


async def test_only_deleted_delete_changes_nothing(engine):
    posts = await _posts(engine, 3)
    await posts[0].delete()
    assert await SdPost.only_deleted().delete() == 0
    assert _ids(await SdPost.all()) == [2, 3]
    assert _ids(await SdPost.only_deleted()) == [1]


async def test_instance_restore_clears_deleted_at(engine):
    posts = await _posts(engine, 2)
    await posts[0].delete()
    await posts[0].restore()
    assert posts[0].deleted_at is None
    assert _ids(await SdPost.all()) == [1, 2]
    assert await SdPost.only_deleted().count() == 0


async def test_queryset_restore_brings_back_matching_deleted_rows_only(engine):
    await _posts(engine)
    await SdPost.all().delete()
    assert await SdPost.only_deleted().where(SdPost.views <= 20).restore() == 2
    assert _ids(await SdPost.all()) == [1, 2]
    # restore counts deleted rows only, whatever the query's scope
    assert await SdPost.include_deleted().restore() == 2
    assert await SdPost.all().restore() == 0
    assert _ids(await SdPost.all()) == [1, 2, 3, 4]


async def test_only_deleted_purge_removes_rows_for_good(engine):
    posts = await _posts(engine)
    await posts[0].delete()
    await posts[1].delete()
    assert await SdPost.only_deleted().where(SdPost.id == 1).purge() == 1
    assert await engine.fetchval("SELECT COUNT(*) FROM post") == 3
    assert await SdPost.only_deleted().purge() == 1
    assert await engine.fetchval("SELECT COUNT(*) FROM post") == 2
    assert _ids(await SdPost.include_deleted()) == [3, 4]


async def test_purge_never_removes_a_live_row(engine):
    posts = await _posts(engine, 3)
    await posts[2].delete()
    assert await SdPost.include_deleted().purge() == 1
    assert await SdPost.where(SdPost.id == 1).purge() == 0
    assert _ids(await SdPost.include_deleted()) == [1, 2]


async def test_update_changes_live_rows_only_unless_widened(engine):
    posts = await _posts(engine, 3)
    await posts[0].delete()
    assert await SdPost.all().update(views=7) == 2
    assert await SdPost.only_deleted().update(views=9) == 1
    views = {p.id: p.views for p in await SdPost.include_deleted()}
    assert views == {1: 9, 2: 7, 3: 7}


async def test_delete_hooks_run_for_an_instance_but_not_for_a_queryset_or_restore(engine):
    posts = await _posts(engine, 3)
    await posts[0].delete()
    assert calls == [("before_delete", 1), ("after_delete", 1)]
    calls.clear()
    assert await SdPost.where(SdPost.id >= 2).delete() == 2
    await posts[0].restore()
    assert await SdPost.only_deleted().restore() == 2
    assert calls == []


async def test_relations_and_prefetch_leave_soft_deleted_rows_out(engine, sql_log):
    await engine.create_table(SdAuthor, SdPost)
    ada = await SdAuthor.create(name="Ada")
    gone = await SdAuthor.create(name="Gone")
    for title, author in [("a1", ada), ("a2", ada), ("a3", ada), ("g1", gone)]:
        await SdPost.create(title=title, author_id=author.id)
    await SdPost.where(SdPost.title == "a2").delete()
    await gone.delete()
    assert [p.title for p in await ada.posts] == ["a1", "a3"]
    orphan = await SdPost.get(SdPost.title == "g1")
    assert await orphan.author is None
    sql_log.clear()
    posts = await SdPost.all().order_by(SdPost.id.asc).prefetch("author")
    assert sql_log.count == 2
    assert [(p.title, None if (a := await p.author) is None else a.name) for p in posts] == [
        ("a1", "Ada"), ("a3", "Ada"), ("g1", None),
    ]
    authors = await SdAuthor.include_deleted().order_by(SdAuthor.id.asc).prefetch("posts")
    assert [[p.title for p in await a.posts] for a in authors] == [["a1", "a3"], ["g1"]]
    assert sql_log.count == 4


async def test_refresh_reloads_a_soft_deleted_instance(engine):
    posts = await _posts(engine, 1)
    await SdPost.all().delete()
    post = posts[0]
    assert post.deleted_at is None
    await post.refresh()
    assert post.deleted_at is not None
    assert post.deleted_at == (await SdPost.only_deleted().get()).deleted_at


async def test_deleting_or_restoring_an_unsaved_instance_raises_query_error(engine):
    await _posts(engine, 0)
    with pytest.raises(QueryError, match=r"^cannot delete this SdPost: it is not in the database"):
        await SdPost(title="never saved").delete()
    with pytest.raises(QueryError, match=r"^cannot restore this SdPost: it was never saved"):
        await SdPost(title="never saved").restore()
    assert calls == []


async def test_deleting_or_restoring_a_purged_instance_raises_not_found(engine):
    posts = await _posts(engine, 2)
    await posts[0].delete()
    await SdPost.only_deleted().purge()
    with pytest.raises(SdPost.NotFound, match=r"^restore\(\): no SdPost row with id=1 exists"):
        await posts[0].restore()
    await engine.execute("DELETE FROM post WHERE id = %s", [2])
    with pytest.raises(SdPost.NotFound, match=r"^delete\(\): no SdPost row with id=2 exists"):
        await posts[1].delete()


async def test_deletion_scopes_are_refused_on_a_plain_model(engine):
    await engine.create_table(SdPlain)
    for action in (lambda: SdPlain.all().include_deleted(), lambda: SdPlain.all().only_deleted()):
        with pytest.raises(QueryError, match=r"is for SoftDeleteModel and ArchiveModel; SdPlain deletes rows"):
            action()
    with pytest.raises(QueryError, match=r"^restore\(\) is for SoftDeleteModel and ArchiveModel"):
        await SdPlain.all().restore()
    with pytest.raises(QueryError, match=r"^purge\(\) is for SoftDeleteModel and ArchiveModel"):
        await SdPlain.all().purge()


# -- data safety: a bulk soft delete that fails part-way changes no row -------------------

_REJECT_TRIGGER = {
    "sqlite": [
        "CREATE TRIGGER post_guard BEFORE UPDATE ON post FOR EACH ROW "
        "WHEN NEW.title = 'keep' AND NEW.deleted_at IS NOT NULL "
        "BEGIN SELECT RAISE(ABORT, 'rejected by post_guard'); END"
    ],
    "postgres": [
        "CREATE FUNCTION post_guard() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN "
        "IF NEW.title = 'keep' AND NEW.deleted_at IS NOT NULL THEN "
        "RAISE EXCEPTION 'rejected by post_guard'; END IF; RETURN NEW; END $f$",
        "CREATE TRIGGER post_guard BEFORE UPDATE ON post FOR EACH ROW EXECUTE FUNCTION post_guard()",
    ],
    "mysql": [
        "CREATE TRIGGER post_guard BEFORE UPDATE ON post FOR EACH ROW BEGIN "
        "IF NEW.title = 'keep' AND NEW.deleted_at IS NOT NULL THEN "
        "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'rejected by post_guard'; END IF; END"
    ],
}


#: how each plugin translates an error raised by a trigger
_TRIGGER_ERROR = {"sqlite": IntegrityError, "postgres": DatabaseError, "mysql": DatabaseError}


async def test_a_bulk_soft_delete_failing_on_a_late_row_leaves_every_row_live(engine, backend):
    await engine.create_table(SdAuthor, SdPost)
    await SdPost.bulk_create([SdPost(title="p") for _ in range(50)] + [SdPost(title="keep")])
    for sql in _REJECT_TRIGGER[backend.family]:
        await engine.execute(sql)
    with pytest.raises(DatabaseError, match="rejected by post_guard") as info:
        await SdPost.all().delete()
    assert type(info.value) is _TRIGGER_ERROR[backend.family]
    assert await SdPost.count() == 51
    assert await engine.fetchval("SELECT COUNT(*) FROM post WHERE deleted_at IS NOT NULL") == 0
    # the rows before the rejected one are untouched too, and a narrower delete works
    assert await SdPost.where(SdPost.title == "p").delete() == 50
    assert _ids(await SdPost.all()) == [51]
