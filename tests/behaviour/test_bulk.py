"""bulk_create, QuerySet.update / delete and truncate on every backend."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from kakaorm import (
    BoolColumn,
    DateTimeColumn,
    DecimalColumn,
    FloatColumn,
    IntColumn,
    IntegrityError,
    Model,
    QueryError,
    StrColumn,
)


class BlkPost(Model):
    title = StrColumn(nullable=False)
    views = IntColumn(nullable=False, default=0)
    published = BoolColumn(nullable=False, default=False)


class BlkProduct(Model):
    name = StrColumn(nullable=False)
    price = FloatColumn(nullable=False)
    cost = DecimalColumn(max_digits=10, decimal_places=2)


#: gc.isenabled() as each BlkChecked.n value was validated (appended by the validator)
_gc_seen: list[bool] = []


def _record_collector_state(value: Any) -> None:
    _gc_seen.append(gc.isenabled())


class BlkChecked(Model):
    n = IntColumn(nullable=False, validators=[_record_collector_state])


class BlkWide(Model):
    c0 = IntColumn()
    c1 = IntColumn()
    c2 = IntColumn()
    c3 = IntColumn()
    c4 = IntColumn()
    c5 = IntColumn()
    c6 = IntColumn()
    c7 = IntColumn()
    c8 = IntColumn()
    c9 = IntColumn()


class BlkStamped(Model):
    title = StrColumn(nullable=False)
    created_at = DateTimeColumn(auto_now_add=True)
    updated_at = DateTimeColumn(auto_now=True)


class BlkCode(Model):
    code = StrColumn(primary_key=True, max_length=10)
    label = StrColumn()


class BlkLooked(Model):
    """A model whose missing attributes read as a value: bulk_create must read its
    instances through their dicts."""

    title = StrColumn(nullable=False)
    views = IntColumn(nullable=False, default=0)

    def __getattr__(self, name: str) -> Any:
        return "looked up"


def holds_a_dict(obj: object) -> bool:
    """Whether CPython built a ``__dict__`` for ``obj``: an instance keeping its
    attributes inside itself shows the collector its values, one with a dict the dict."""
    return any(type(r) is dict for r in gc.get_referents(obj))


class Statements(logging.Handler):
    """(sql, number of bound values) of every statement logged on kakaorm.sql."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[tuple[str, int]] = []

    def emit(self, record: logging.LogRecord) -> None:
        args: Any = record.args
        self.seen.append((str(args[0]), len(args[1])))

    def inserts(self) -> list[tuple[str, int]]:
        return [(sql, n) for sql, n in self.seen if sql.lstrip().upper().startswith("INSERT")]


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


async def test_bulk_create_inserts_every_row_and_sets_each_primary_key(engine):
    await engine.create_table(BlkPost)
    posts = [BlkPost(title=f"post {i}", views=i) for i in range(250)]
    result = await BlkPost.bulk_create(posts)
    assert result == posts
    assert [p.id for p in posts] == list(range(1, 251))
    assert all(p.is_saved for p in posts)
    rows = await BlkPost.all().order_by(BlkPost.id)
    assert [(r.id, r.title, r.views, r.published) for r in rows] == [
        (p.id, p.title, p.views, False) for p in posts
    ]


@pytest.mark.parametrize(("n_rows", "enabled_while_planning"), [(699, True), (700, False)])
async def test_bulk_create_plans_a_large_batch_with_the_cyclic_collector_paused(
    engine, n_rows, enabled_while_planning
):
    await engine.create_table(BlkChecked)
    assert gc.isenabled() is True
    _gc_seen.clear()
    created = await BlkChecked.bulk_create([BlkChecked(n=i) for i in range(n_rows)])
    assert _gc_seen == [enabled_while_planning] * n_rows
    assert gc.isenabled() is True
    assert [c.n for c in created] == list(range(n_rows))
    assert await BlkChecked.count() == n_rows
    assert sum(r.n for r in await BlkChecked.all()) == n_rows * (n_rows - 1) // 2


async def test_bulk_create_uses_few_statements(engine, statements):
    await engine.create_table(BlkPost)
    statements.seen.clear()
    await BlkPost.bulk_create([BlkPost(title=str(i)) for i in range(2500)])
    inserts = statements.inserts()
    assert 1 <= len(inserts) <= 3
    assert sum(n for _, n in inserts) == 2500 * 3
    assert await BlkPost.count() == 2500


async def test_bulk_create_batches_stay_under_the_parameter_limit(engine, statements):
    await engine.create_table(BlkWide)
    limit = engine.features.max_params
    rows = limit // 10 + 500  # more values than one statement may carry
    objs = [BlkWide(**{f"c{j}": i for j in range(10)}) for i in range(rows)]
    statements.seen.clear()
    await BlkWide.bulk_create(objs)
    inserts = statements.inserts()
    assert len(inserts) >= 2
    assert all(n <= limit for _, n in inserts)
    assert sum(n for _, n in inserts) == rows * 10
    assert [o.id for o in objs] == list(range(1, rows + 1))
    assert await BlkWide.where(BlkWide.c9 == rows - 1).count() == 1


async def test_bulk_create_batch_size_caps_rows_per_statement(engine, statements):
    await engine.create_table(BlkPost)
    statements.seen.clear()
    await BlkPost.bulk_create([BlkPost(title=str(i)) for i in range(250)], batch_size=100)
    assert [n for _, n in statements.inserts()] == [300, 300, 150]
    assert await BlkPost.count() == 250


async def test_bulk_create_sets_automatic_timestamps(engine):
    await engine.create_table(BlkStamped)
    objs = [BlkStamped(title="a"), BlkStamped(title="b")]
    await BlkStamped.bulk_create(objs)
    assert all(o.created_at is not None and o.created_at.tzinfo is not None for o in objs)
    assert all(o.updated_at == o.created_at for o in objs)
    rows = await BlkStamped.all().order_by(BlkStamped.id)
    assert [r.to_dict() for r in rows] == [o.to_dict() for o in objs]


async def test_bulk_create_with_custom_keys_and_empty_input(engine):
    await engine.create_table(BlkCode)
    assert await BlkCode.bulk_create([]) == []
    await BlkCode.bulk_create([BlkCode(code="b", label="B"), BlkCode(code="a", label="A")])
    rows = await BlkCode.all().order_by(BlkCode.code)
    assert [(r.code, r.label) for r in rows] == [("a", "A"), ("b", "B")]


async def test_bulk_create_rejects_saved_instances(engine):
    await engine.create_table(BlkPost)
    saved = await BlkPost.create(title="x")
    with pytest.raises(QueryError, match="already saved"):
        await BlkPost.bulk_create([BlkPost(title="y"), saved])
    assert await BlkPost.count() == 1


async def test_bulk_create_fills_instances_without_building_their_dicts(engine):
    await engine.create_table(BlkPost)
    await engine.create_table(BlkStamped)
    await engine.create_table(BlkCode)
    posts = [BlkPost(title=f"p{i}", views=i) for i in range(3)]
    stamped = [BlkStamped(title="s")]
    codes = [BlkCode(code="c", label="C")]
    assert not any(map(holds_a_dict, [*posts, *stamped, *codes]))
    await BlkPost.bulk_create(posts)
    await BlkStamped.bulk_create(stamped)
    await BlkCode.bulk_create(codes)
    assert [holds_a_dict(o) for o in [*posts, *stamped, *codes]] == [False] * 5
    assert [(p.id, p.is_saved) for p in posts] == [(1, True), (2, True), (3, True)]
    assert stamped[0].created_at is not None and stamped[0].updated_at == stamped[0].created_at
    assert codes[0].is_saved is True
    # the values and keys read back are the ones the instances hold
    assert vars(posts[2]) == {"id": 3, "title": "p2", "views": 2, "published": False, "_kakaorm_pk": 3}
    assert [r.to_dict() for r in await BlkStamped.all()] == [stamped[0].to_dict()]
    with pytest.raises(QueryError, match="already saved"):
        await BlkPost.bulk_create([posts[0]])


async def test_bulk_create_reads_a_model_with_its_own_getattr_through_the_dict(engine):
    await engine.create_table(BlkLooked)
    whole, partial = BlkLooked(title="kept", views=4), BlkLooked(title="lost")
    del partial.title  # reads "looked up" as an attribute, absent from the dict
    with pytest.raises(IntegrityError, match=r"^BlkLooked\.title is NOT NULL and has no value; set it before saving$"):
        await BlkLooked.bulk_create([whole, partial])
    assert await BlkLooked.count() == 0
    created = await BlkLooked.bulk_create([whole])
    assert created == [whole] and whole.id == 1 and whole.__dict__["_kakaorm_pk"] == 1
    assert [(r.id, r.title, r.views) for r in await BlkLooked.all()] == [(1, "kept", 4)]


async def test_queryset_update_with_values_returns_the_row_count(engine):
    await engine.create_table(BlkPost)
    for i in range(5):
        await BlkPost.create(title=str(i), views=i)
    n = await BlkPost.where(BlkPost.views >= 3).update(published=True, title="hot")
    assert n == 2
    rows = await BlkPost.all().order_by(BlkPost.id)
    assert [(r.title, r.published) for r in rows] == [
        ("0", False), ("1", False), ("2", False), ("hot", True), ("hot", True)
    ]
    assert await BlkPost.where(BlkPost.views > 100).update(views=0) == 0


async def test_queryset_update_counts_matched_rows_even_when_unchanged(engine):
    await engine.create_table(BlkPost)
    for _ in range(3):
        await BlkPost.create(title="same", views=1)
    assert await BlkPost.all().update(views=1) == 3


async def test_queryset_update_with_column_expressions(engine):
    await engine.create_table(BlkPost, BlkProduct)
    await BlkPost.create(title="a", views=10)
    await BlkPost.create(title="b", views=20)
    await BlkProduct.create(name="pen", price=100.0, cost=Decimal("20.00"))
    await BlkProduct.create(name="ink", price=50.0, cost=Decimal("19.99"))

    assert await BlkPost.all().update(views=BlkPost.views + 1) == 2
    assert await BlkProduct.all().update(price=BlkProduct.price * 0.97) == 2
    assert await BlkProduct.all().update(cost=BlkProduct.cost * Decimal("0.97")) == 2

    assert [p.views for p in await BlkPost.all().order_by(BlkPost.id)] == [11, 21]
    products = await BlkProduct.all().order_by(BlkProduct.id)
    assert [p.price for p in products] == [pytest.approx(97.0), pytest.approx(48.5)]
    assert [p.cost for p in products] == [Decimal("19.40"), Decimal("19.39")]


async def test_queryset_delete_returns_the_number_deleted(engine):
    await engine.create_table(BlkPost)
    for i in range(4):
        await BlkPost.create(title=str(i), views=i % 2)
    assert await BlkPost.where(BlkPost.views == 0).delete() == 2
    assert sorted(p.title for p in await BlkPost.all()) == ["1", "3"]
    assert await BlkPost.where(BlkPost.views == 0).delete() == 0
    assert await BlkPost.all().delete() == 2
    assert await BlkPost.count() == 0


async def test_bulk_update_and_delete_refuse_limit_and_join(engine):
    await engine.create_table(BlkPost)
    with pytest.raises(QueryError, match="update\\(\\) applies where\\(\\) filters only"):
        await BlkPost.all().limit(1).update(views=1)
    with pytest.raises(QueryError, match="delete\\(\\) applies where\\(\\) filters only"):
        await BlkPost.all().offset(1).delete()


async def test_truncate_empties_the_table_and_restarts_ids(engine):
    await engine.create_table(BlkPost)
    for i in range(3):
        await BlkPost.create(title=str(i))
    await BlkPost.truncate()
    assert await BlkPost.count() == 0
    again = await BlkPost.create(title="again")
    assert again.id == 1
