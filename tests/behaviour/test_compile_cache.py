"""The compile cache: one entry per statement shape, reused with new values."""

from __future__ import annotations

from kakaorm import IntColumn, Model, StrColumn


class CacheRow(Model):
    name = StrColumn(nullable=False, max_length=40)
    size = IntColumn(nullable=False, default=0)


async def _seed(engine):
    await engine.create_table(CacheRow)
    await CacheRow.bulk_create([CacheRow(name=f"n{i}", size=i) for i in range(10)])


async def test_a_repeated_query_shape_compiles_once_and_binds_each_calls_values(engine):
    await _seed(engine)
    engine._cache.clear()
    await CacheRow.get(CacheRow.id == 1)
    # one statement compiled, cached under the query's key and get()'s short key
    assert len(engine._cache) == 2
    assert len({id(entry) for entry in engine._cache.values()}) == 1
    names = [(await CacheRow.get(CacheRow.id == i)).name for i in (2, 5, 9)]
    assert names == ["n1", "n4", "n8"]
    assert len(engine._cache) == 2


async def test_a_different_shape_gets_its_own_entry(engine):
    await _seed(engine)
    await CacheRow.where(CacheRow.size > 3).count()
    entries = len(engine._cache)
    assert await CacheRow.where(CacheRow.size > 3, CacheRow.size < 6).count() == 2
    assert len(engine._cache) == entries + 1
    assert await CacheRow.where(CacheRow.size.in_([1, 2, 3])).count() == 3
    assert await CacheRow.where(CacheRow.size.in_([1, 2])).count() == 2  # list length is shape
    assert len(engine._cache) == entries + 3


async def test_in_lists_of_values_share_an_entry_per_length_and_mixed_lists_bind_in_order(engine):
    await _seed(engine)
    engine._cache.clear()
    assert sorted(r.size for r in await CacheRow.where(CacheRow.size.in_([1, 2, 3]))) == [1, 2, 3]
    assert len(engine._cache) == 1
    assert sorted(r.size for r in await CacheRow.where(CacheRow.size.in_([7, 8, 9]))) == [7, 8, 9]
    assert len(engine._cache) == 1  # same length, same type: same SQL, reused
    # an expression among the values keys the list item by item, and binds in order
    mixed = CacheRow.where(CacheRow.size.in_([CacheRow.id - 1, 4, 6]), CacheRow.size < 7)
    assert sorted(r.size for r in await mixed) == [0, 1, 2, 3, 4, 5, 6]
    assert len(engine._cache) == 2
    mixed = CacheRow.where(CacheRow.size.in_([CacheRow.id - 100, 4, 6]), CacheRow.size < 5)
    assert sorted(r.size for r in await mixed) == [4]
    assert len(engine._cache) == 2


async def test_in_and_not_in_lists_of_each_key_type_match_the_same_rows_everywhere(engine):
    """On PostgreSQL these lists are one array parameter; the rows are the same."""
    await _seed(engine)
    assert sorted(r.size for r in await CacheRow.where(CacheRow.size.in_([9, 0, 4, 4]))) == [0, 4, 9]
    assert sorted(r.size for r in await CacheRow.where(CacheRow.size.not_in([9, 0, 4]))) == [1, 2, 3, 5, 6, 7, 8]
    assert sorted(r.name for r in await CacheRow.where(CacheRow.name.in_(["n1", "n7", "none", "n'1"]))) == ["n1", "n7"]
    assert await CacheRow.where(CacheRow.name.not_in([f"n{i}" for i in range(10)])).count() == 0
    # a long list (longer than any compiled before) and its NOT IN
    many = list(range(3, 3000))
    assert await CacheRow.where(CacheRow.size.in_(many)).count() == 7
    assert await CacheRow.where(CacheRow.size.not_in(many)).count() == 3
    # several lists and plain values in one statement bind in their own places
    both = CacheRow.where(CacheRow.size > 1, CacheRow.size.in_([1, 2, 3, 8]), CacheRow.name.in_(["n3", "n8"]))
    assert sorted(r.size for r in await both.where(CacheRow.size < 8)) == [3]
    both = CacheRow.where(CacheRow.size > 2, CacheRow.size.in_([2, 5, 8, 9]), CacheRow.name.in_(["n5", "n9"]))
    assert sorted(r.size for r in await both.where(CacheRow.size < 9)) == [5]


async def test_value_objects_reused_inside_and_outside_in_lists_bind_everywhere(engine):
    """A value() object may sit in an IN list and elsewhere in the statement (on
    PostgreSQL the list is one array, bound from the run of its members)."""
    from kakaorm.expr import value

    await _seed(engine)
    a, b = value(1), value(2)
    assert sorted(r.size for r in await CacheRow.where(CacheRow.size.in_([a, b]), CacheRow.size != a)) == [2]
    assert await CacheRow.where(CacheRow.size.in_([a, b]) | CacheRow.size.in_([b, value(3)])).count() == 3
    assert await CacheRow.where(CacheRow.size.not_in([a, b]), CacheRow.size > b).count() == 7


def test_walking_an_in_list_of_values_yields_every_value():
    from kakaorm.expr import Param

    cond = CacheRow.size.in_([3, 1, 2])
    nodes = list(cond.walk())
    assert nodes[0] is cond
    assert nodes[1] is CacheRow.size
    assert [(type(n), n.value) for n in nodes[2:]] == [(Param, 3), (Param, 1), (Param, 2)]
    mixed = CacheRow.size.in_([CacheRow.id, 5])
    assert [type(n).__name__ for n in mixed.walk()] == ["InList", "IntColumn", "IntColumn", "Param"]


async def test_values_bind_in_placeholder_order_from_a_cached_entry(engine):
    await _seed(engine)
    # the subquery's value sits between the outer ones in the SQL text
    def query(low, sub, high):
        inner = CacheRow.where(CacheRow.size >= sub).select(CacheRow.id)
        return CacheRow.where(CacheRow.size >= low, CacheRow.id.in_(inner), CacheRow.size <= high)

    assert sorted(r.size for r in await query(2, 4, 7)) == [4, 5, 6, 7]
    assert sorted(r.size for r in await query(0, 8, 9)) == [8, 9]
    assert sorted(r.size for r in await query(5, 1, 6)) == [5, 6]


async def test_a_condition_used_twice_is_not_cached_and_later_queries_bind_their_own_values(engine):
    await _seed(engine)
    twice = CacheRow.size == 3
    assert [r.size for r in await CacheRow.where(twice | twice)] == [3]
    # the same shape built from two distinct conditions must bind both of its values
    assert sorted(r.size for r in await CacheRow.where((CacheRow.size == 1) | (CacheRow.size == 2))) == [1, 2]


async def test_the_cache_is_bounded_and_evicts_the_oldest_entries(engine):
    await _seed(engine)
    engine._cache_size = 3
    engine._cache.clear()
    for n in range(1, 6):
        values = list(range(n))
        assert await CacheRow.where(CacheRow.size.in_(values)).count() == n
    assert len(engine._cache) == 3
    assert await CacheRow.where(CacheRow.size.in_([0, 1, 2, 3, 4])).count() == 5


async def test_a_plain_query_and_the_same_query_with_more_clauses_are_separate_shapes(engine):
    await _seed(engine)
    engine._cache.clear()
    plain = CacheRow.where(CacheRow.size > 2).order_by(CacheRow.size).limit(3)
    assert [r.size for r in await plain] == [3, 4, 5]
    assert len(engine._cache) == 1
    # distinct and an offset keep the plain form; each is its own shape
    assert [r.size for r in await plain.offset(1)] == [4, 5, 6]
    assert [r.size for r in await plain.distinct()] == [3, 4, 5]
    assert len(engine._cache) == 3
    # a group or a union leave the plain form: other shapes again
    grouped = await CacheRow.where(CacheRow.size > 7).group_by(CacheRow.size).order_by(CacheRow.size).select(CacheRow.size)
    assert grouped == [{"size": 8}, {"size": 9}]
    united = await CacheRow.where(CacheRow.size < 2).union(CacheRow.where(CacheRow.size > 8)).order_by(CacheRow.size)
    assert [r.size for r in united] == [0, 1, 9]
    assert len(engine._cache) == 5
    assert [r.size for r in await plain] == [3, 4, 5]
    assert len(engine._cache) == 5


async def test_a_compiled_model_query_runs_again_without_building_its_statement(engine, monkeypatch):
    """The usual model query of a shape already compiled is run from its cache key
    (kakaorm.orm.query_build.model_query_key): no SELECT is built, and each run binds
    its own values, in the statement's order."""
    from kakaorm.orm.queryset import QuerySet

    await _seed(engine)
    built: list[object] = []
    build = QuerySet._build_select

    def counting(self, columns=None):
        built.append(self)
        return build(self, columns)

    monkeypatch.setattr(QuerySet, "_build_select", counting)

    def top(low, name, limit, offset):
        return CacheRow.where(CacheRow.size > low, CacheRow.name != name).order_by(CacheRow.size.desc).limit(limit).offset(offset)

    assert [r.size for r in await top(2, "n8", 3, 1)] == [7, 6, 5]
    assert len(built) == 1
    assert [r.size for r in await top(0, "n5", 2, 3)] == [6, 4]
    assert [r.size for r in await top(6, "n1", 5, 0)] == [9, 8, 7]
    assert [(await CacheRow.get(CacheRow.id == i)).size for i in (3, 8)] == [2, 7]
    assert len(built) == 2  # the get shape, once
    # an IN list of values (a prefetch's keys) is such a query too
    for low in (7, 8):
        assert [r.size for r in await CacheRow.where(CacheRow.size.in_([low, 9]))] == [low, 9]
    assert len(built) == 3
    # a query the key is not computed for is built each time
    for low in (7, 8):
        either = (CacheRow.size == low) | (CacheRow.size == 9)
        assert [r.size for r in await CacheRow.where(either).order_by(CacheRow.size)] == [low, 9]
    assert len(built) == 5
