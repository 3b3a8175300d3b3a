"""Model.bulk_update() (0.4's batched UPDATE) and what bulk_create() returns, on every
backend: statement counts, exact values, errors before anything is written."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from kakaorm import (
    BoolColumn,
    DateTimeColumn,
    DecimalColumn,
    IntColumn,
    Model,
    NotFound,
    QueryError,
    StrColumn,
)


class BuPost(Model):
    title = StrColumn(nullable=False)
    views = IntColumn(nullable=False, default=0)
    published = BoolColumn(nullable=False, default=False)
    price = DecimalColumn(max_digits=8, decimal_places=2)
    note = StrColumn()


class BuStamped(Model):
    title = StrColumn(nullable=False)
    created_at = DateTimeColumn(auto_now_add=True)
    updated_at = DateTimeColumn(auto_now=True)


class BuCode(Model):
    code = StrColumn(primary_key=True, max_length=10)
    label = StrColumn()


#: 40 columns: a row binds 81 values, so the parameter limit (not the row cap) splits batches
BuWide: Any = type("BuWide", (Model,), {"__module__": __name__, **{f"c{i}": IntColumn() for i in range(40)}})


class Statements(logging.Handler):
    """(sql, number of bound values) of every statement logged on kakaorm.sql."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[tuple[str, int]] = []

    def emit(self, record: logging.LogRecord) -> None:
        args: Any = record.args
        self.seen.append((str(args[0]), len(args[1])))

    def of(self, verb: str) -> list[tuple[str, int]]:
        return [(sql, n) for sql, n in self.seen if sql.lstrip().upper().startswith(verb)]

    def verbs(self) -> list[str]:
        return [sql.split()[0].upper() for sql, _ in self.seen]


@pytest.fixture
def statements() -> Iterator[Statements]:
    log = logging.getLogger("kakaorm.sql")
    handler = Statements()
    old = log.level
    log.setLevel(logging.DEBUG)
    log.addHandler(handler)
    try:
        yield handler
    finally:
        log.removeHandler(handler)
        log.setLevel(old)


async def _posts(n: int) -> list[BuPost]:
    return await BuPost.bulk_create([BuPost(title=f"p{i}", views=i) for i in range(n)])


def _rekeyed(posts: list[BuPost]) -> list[BuPost]:
    posts[0].id = 50
    return posts


# -- bulk_update ---------------------------------------------------------------------


async def test_bulk_update_writes_the_listed_fields_of_every_row_in_one_update(engine, statements):
    await engine.create_table(BuPost)
    posts = await _posts(5)
    for p in posts:
        p.views = p.views * 10
        p.published = p.id % 2 == 0
        p.note = "not listed"
    statements.seen.clear()
    result = await BuPost.bulk_update(posts, ["views", "published"])
    assert result is posts
    assert statements.verbs() == ["BEGIN", "UPDATE", "COMMIT"]
    # per row: the key and a value for each of the 2 columns, plus the key in IN (...)
    # (on PostgreSQL the keys of the IN list are one array parameter)
    in_list = 1 if engine.dialect.name == "postgresql" else 5
    assert statements.of("UPDATE")[0][1] == 5 * (2 * 2) + in_list
    rows = await BuPost.all().order_by(BuPost.id)
    assert [(r.id, r.title, r.views, r.published, r.note) for r in rows] == [
        (1, "p0", 0, False, None),
        (2, "p1", 10, True, None),
        (3, "p2", 20, False, None),
        (4, "p3", 30, True, None),
        (5, "p4", 40, False, None),
    ]


async def test_bulk_update_without_fields_writes_every_column_but_the_key(engine):
    await engine.create_table(BuPost)
    posts = await _posts(3)
    for p in posts:
        p.title = p.title.upper()
        p.price = Decimal("1.50") * p.id
        p.note = None if p.id == 2 else f"n{p.id}"
    await BuPost.bulk_update(posts)
    rows = await BuPost.all().order_by(BuPost.id)
    assert [(r.title, r.price, r.note) for r in rows] == [
        ("P0", Decimal("1.50"), "n1"),
        ("P1", Decimal("3.00"), None),
        ("P2", Decimal("4.50"), "n3"),
    ]
    assert [type(r.price) for r in rows] == [Decimal] * 3


async def test_bulk_update_sets_auto_now_columns_as_save_does(engine):
    await engine.create_table(BuStamped)
    items = await BuStamped.bulk_create([BuStamped(title="a"), BuStamped(title="b")])
    before = [(i.created_at, i.updated_at) for i in items]
    for i in items:
        i.title += "!"
    await BuStamped.bulk_update(items, ["title"])
    rows = await BuStamped.all().order_by(BuStamped.id)
    for row, item, (created, updated) in zip(rows, items, before, strict=True):
        assert row.title == item.title
        assert row.created_at == created
        assert item.updated_at > updated
        assert row.updated_at == item.updated_at
    assert items[0].updated_at == items[1].updated_at


async def test_bulk_update_batches_stay_under_the_parameter_limit(engine, statements):
    await engine.create_table(BuWide)
    limit = engine.features.max_params
    per_row = 2 * 40 + 1
    n = limit // per_row + 10  # more rows than one statement may carry
    assert n < 1000  # under the row cap: the parameter limit is what splits
    objs = await BuWide.bulk_create([BuWide(**{f"c{j}": i for j in range(40)}) for i in range(n)])
    for o in objs:
        for j in range(40):
            setattr(o, f"c{j}", None if j == 3 else o.id * 100 + j)
    statements.seen.clear()
    await BuWide.bulk_update(objs)
    updates = statements.of("UPDATE")
    # the batch is sized for one key per row in the IN list; PostgreSQL sends those keys
    # as one array parameter, so its statements carry fewer parameters than that bound
    rows_per = limit // per_row
    if engine.dialect.name == "postgresql":
        expected = [rows_per * 80 + 1, 10 * 80 + 1]
    else:
        expected = [rows_per * per_row, 10 * per_row]
    assert [count for _, count in updates] == expected
    rows = await BuWide.all().order_by(BuWide.id)
    assert [[getattr(r, f"c{j}") for j in range(40)] for r in rows] == [
        [None if j == 3 else i * 100 + j for j in range(40)] for i in range(1, n + 1)
    ]


async def test_bulk_update_batch_size_caps_the_rows_per_statement(engine, statements):
    await engine.create_table(BuPost)
    posts = await _posts(250)
    for p in posts:
        p.views += 1000
    statements.seen.clear()
    await BuPost.bulk_update(posts, ["views"], batch_size=100)
    per_row = 2 if engine.dialect.name == "postgresql" else 3  # PG: the keys go as one array
    in_list = 1 if engine.dialect.name == "postgresql" else 0
    assert [count for _, count in statements.of("UPDATE")] == [
        100 * per_row + in_list, 100 * per_row + in_list, 50 * per_row + in_list,
    ]
    assert statements.verbs().count("BEGIN") == 1
    assert [r.views for r in await BuPost.all().order_by(BuPost.id)] == [1000 + i for i in range(250)]


async def test_bulk_update_finds_rows_by_a_text_primary_key(engine):
    await engine.create_table(BuCode)
    codes = await BuCode.bulk_create([BuCode(code="a", label="x"), BuCode(code="b'q", label="y")])
    codes[0].label, codes[1].label = "first", "second"
    await BuCode.bulk_update(codes, ["label", "code"])  # the key names the row; it is not written
    assert [(r.code, r.label) for r in await BuCode.all().order_by(BuCode.code)] == [
        ("a", "first"), ("b'q", "second"),
    ]


async def test_bulk_update_of_nothing_sends_nothing(engine, statements):
    await engine.create_table(BuPost)
    given: list[BuPost] = []
    statements.seen.clear()
    assert await BuPost.bulk_update(given, ["views"]) is given
    posts = await _posts(2)
    statements.seen.clear()
    assert await BuPost.bulk_update(posts, ["id"]) is posts  # no column left to write
    assert statements.seen == []


async def test_bulk_update_given_a_tuple_returns_a_list_of_the_same_instances(engine):
    await engine.create_table(BuPost)
    posts = await _posts(2)
    result = await BuPost.bulk_update(tuple(posts), ["views"])
    assert isinstance(result, list)
    assert all(a is b for a, b in zip(result, posts, strict=True))


async def test_bulk_update_accepts_the_same_instance_twice(engine, statements):
    await engine.create_table(BuPost)
    (post,) = await _posts(1)
    post.views = 5
    statements.seen.clear()
    await BuPost.bulk_update([post, post], ["views"])
    assert statements.of("UPDATE")[0][1] == 3
    assert (await BuPost.get(BuPost.id == post.id)).views == 5


async def test_bulk_update_of_a_deleted_row_raises_not_found_and_writes_nothing(engine):
    await engine.create_table(BuPost)
    posts = await _posts(3)
    await BuPost.where(BuPost.id == 2).delete()
    for p in posts:
        p.views = 99
    with pytest.raises(NotFound) as info:
        await BuPost.bulk_update(posts, ["views"])
    assert isinstance(info.value, BuPost.NotFound)
    assert str(info.value) == (
        "bulk_update(): no BuPost row with id in [2] exists any more (deleted); nothing was written"
    )
    assert [r.views for r in await BuPost.all().order_by(BuPost.id)] == [0, 2]


@pytest.mark.parametrize(
    ("prepare", "error", "message"),
    [
        (
            lambda posts: (posts, ["views", "veiws"]),
            ValueError,
            "Unknown field 'veiws' in the fields of BuPost.bulk_update(); did you mean 'views'?; "
            "valid fields: id, note, price, published, title, views",
        ),
        (
            lambda posts: (posts, "views"),
            TypeError,
            "BuPost.bulk_update(fields=...) takes a list of field names, e.g. ['views'], not a string",
        ),
        (
            lambda posts: ([*posts, BuPost(title="new")], ["views"]),
            QueryError,
            "bulk_update(): <BuPost id=None> is not in the database (never saved, or deleted); "
            "insert it with save() or bulk_create() first",
        ),
        (
            lambda posts: ([*posts, BuStamped(title="x")], ["views"]),
            TypeError,
            "BuPost.bulk_update() takes BuPost instances, got <BuStamped id=None>",
        ),
        (
            lambda posts: (_rekeyed(posts), ["views"]),
            QueryError,
            "bulk_update(): the id of BuPost row 1 was changed to 50; bulk_update() finds rows by "
            "their key and never changes it: save() that instance instead",
        ),
    ],
)
async def test_bulk_update_mistakes_raise_before_any_statement(engine, statements, prepare, error, message):
    await engine.create_table(BuPost)
    posts = await _posts(2)
    for p in posts:
        p.views = 77
    objs, fields = prepare(posts)
    statements.seen.clear()
    with pytest.raises(error) as info:
        await BuPost.bulk_update(objs, fields)
    assert str(info.value) == message
    assert statements.seen == []
    assert [r.views for r in await BuPost.all().order_by(BuPost.id)] == [0, 1]


async def test_bulk_update_refuses_two_instances_of_one_row(engine):
    await engine.create_table(BuPost)
    (post,) = await _posts(1)
    twin = await BuPost.get(BuPost.id == post.id)
    with pytest.raises(QueryError) as info:
        await BuPost.bulk_update([post, twin], ["views"])
    assert str(info.value) == (
        "bulk_update(): two different BuPost instances stand for the row id=1; pass one instance per row"
    )


@pytest.mark.parametrize("size", [0, -1, 2.5, True])
async def test_bulk_update_batch_size_must_be_a_positive_int(engine, size):
    await engine.create_table(BuPost)
    posts = await _posts(1)
    with pytest.raises(ValueError) as info:
        await BuPost.bulk_update(posts, ["views"], batch_size=size)
    assert str(info.value) == f"bulk_update(batch_size=...) must be a positive int, got {size!r}"


# -- bulk_create returns the instances it was given ------------------------------------


async def test_bulk_create_returns_the_very_instances_given_filled_in(engine):
    await engine.create_table(BuPost, BuStamped)
    posts = [BuPost(title="a"), BuPost(title="b", views=3)]
    result = await BuPost.bulk_create(posts)
    assert result is posts
    assert [(p.id, p.title, p.views, p.published, p.price) for p in result] == [
        (1, "a", 0, False, None), (2, "b", 3, False, None),
    ]
    stamped = (BuStamped(title="x"), BuStamped(title="y"))
    made = await BuStamped.bulk_create(stamped)
    assert isinstance(made, list) and all(a is b for a, b in zip(made, stamped, strict=True))
    for obj in made:
        assert obj.is_saved
        assert isinstance(obj.created_at, dt.datetime) and obj.created_at.tzinfo is not None
        assert obj.updated_at == obj.created_at
    rows = await BuStamped.all().order_by(BuStamped.id)
    assert [r.to_dict() for r in rows] == [o.to_dict() for o in made]


async def test_bulk_create_keeps_explicit_keys_and_returns_the_same_objects(engine):
    await engine.create_table(BuCode)
    codes = [BuCode(code="z", label="last"), BuCode(code="a")]
    result = await BuCode.bulk_create(codes)
    assert result is codes
    assert [(c.code, c.label, c.is_saved) for c in codes] == [("z", "last", True), ("a", None, True)]
