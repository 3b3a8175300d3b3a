"""ArrayColumn: native arrays on PostgreSQL (both drivers) as exact lists, their filters,
migrations and pydantic; a clear NotSupportedError on databases without arrays."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kakaorm import ArrayColumn, IntColumn, Model, ModelError, NotSupportedError
from kakaorm.migration import Migrator

U1 = uuid.UUID("12345678-1234-5678-1234-567812345678")
T1 = dt.datetime(2024, 2, 29, 12, 30, 0, 123456, tzinfo=dt.UTC)


class ArPost(Model):
    nums = ArrayColumn(int, nullable=False, default=list)
    names = ArrayColumn(str)
    ids = ArrayColumn(uuid.UUID)
    whens = ArrayColumn(dt.datetime)
    days = ArrayColumn(dt.date)
    ratios = ArrayColumn(float)
    flags = ArrayColumn(bool)
    n = IntColumn()


async def _reload(obj: ArPost) -> ArPost:
    return await ArPost.get(ArPost.id == obj.id)


@pytest.mark.backends("postgres")
async def test_lists_round_trip_exactly_with_item_types(engine):
    await engine.create_table(ArPost)
    obj = await ArPost.create(
        nums=[3, -1, 2**62], names=["a", "", "ü'\"{}", "NULL"], ids=[U1], whens=[T1],
        days=[dt.date(2020, 1, 2)], ratios=[0.5, -2.0], flags=[True, False],
    )
    got = await _reload(obj)
    assert (type(got.nums), got.nums) == (list, [3, -1, 2**62])
    assert got.names == ["a", "", "ü'\"{}", "NULL"]
    assert (got.ids, type(got.ids[0])) == ([U1], uuid.UUID)
    assert (got.whens, got.whens[0].utcoffset()) == ([T1], dt.timedelta(0))
    assert (got.days, got.ratios, got.flags) == ([dt.date(2020, 1, 2)], [0.5, -2.0], [True, False])
    assert [type(x) for x in (*got.nums, *got.ratios, *got.flags)] == [int, int, int, float, float, bool, bool]


@pytest.mark.backends("postgres")
async def test_empty_list_null_default_and_tuple(engine):
    await engine.create_table(ArPost)
    obj = await ArPost.create(names=[], ratios=(1.0, 2))
    assert (obj.nums, obj.ratios) == ([], [1.0, 2.0])
    got = await _reload(obj)
    assert (got.nums, got.names, got.ids, got.ratios) == ([], [], None, [1.0, 2.0])
    assert type(got.ratios[1]) is float


@pytest.mark.backends("postgres")
async def test_filters_contains_overlaps_equality_and_any(engine):
    await engine.create_table(ArPost)
    await ArPost.create(n=1, nums=[1, 2, 3], names=["x", "y"], ids=[U1])
    await ArPost.create(n=2, nums=[3, 4], names=["y"])
    await ArPost.create(n=3, nums=[], names=None)

    async def ns(cond):
        return sorted(o.n for o in await ArPost.where(cond))

    assert await ns(ArPost.nums.contains([3])) == [1, 2]
    assert await ns(ArPost.nums.contains([2, 1])) == [1]
    assert await ns(ArPost.nums.contains([])) == [1, 2, 3]
    assert await ns(ArPost.nums.overlaps([4, 9])) == [2]
    assert await ns(ArPost.nums.overlaps([])) == []
    assert await ns(ArPost.nums == [3, 4]) == [2]
    assert await ns(ArPost.nums == [4, 3]) == []
    assert await ns(ArPost.nums == []) == [3]
    assert await ns(ArPost.names.any("y")) == [1, 2]
    assert await ns(ArPost.names == None) == [3]  # noqa: E711
    assert await ns(ArPost.ids.contains([str(U1)])) == [1]
    assert await ns(ArPost.nums.any(3) & ~ArPost.names.any("x")) == [2]
    await ArPost.where(ArPost.n == 3).update(nums=[9])
    assert (await ArPost.get(ArPost.n == 3)).nums == [9]


@pytest.mark.backends("postgres")
async def test_bulk_create_writes_lists(engine):
    await engine.create_table(ArPost)
    await ArPost.bulk_create([ArPost(n=1, nums=[7, 8]), ArPost(n=2, nums=[], names=["z"])])
    assert [(o.nums, o.names) for o in await ArPost.all().order_by(ArPost.n)] == [([7, 8], None), ([], ["z"])]


@pytest.mark.backends("postgres")
async def test_wrong_values_are_type_errors_naming_the_column(engine):
    await engine.create_table(ArPost)
    with pytest.raises(TypeError, match=r"^ArPost\.nums is an ArrayColumn\(int\) and takes a list of int values, not str \('1,2'\)$"):
        await ArPost.create(nums="1,2")
    with pytest.raises(TypeError, match=r"^ArPost\.nums is an ArrayColumn\(int\) and takes a list of int values; item 1 is str \('2'\)$"):
        await ArPost.create(nums=[1, "2"])
    with pytest.raises(
        TypeError,
        match=r"^ArPost\.names is an ArrayColumn\(str\) and takes a list of str values; item 0 is None, "
        r"and the items of an ArrayColumn are never None$",
    ):
        await ArPost.create(names=[None])
    with pytest.raises(TypeError, match=r"^ArPost\.nums is an ArrayColumn\(int\) and takes a list of int values; item 0 is bool \(True\)$"):
        ArPost.nums.contains([True])
    with pytest.raises(
        TypeError, match=r"^the value of ArPost\.names\.any\(\) is an item of an ArrayColumn\(str\) and takes a str, not int \(5\)$"
    ):
        ArPost.names.any(5)
    with pytest.raises(TypeError, match=r"^ArPost\.names\.any\(None\) is never true: the items of an ArrayColumn are never None$"):
        ArPost.names.any(None)
    assert await ArPost.count() == 0


def test_bad_declarations_are_model_errors():
    with pytest.raises(
        ModelError,
        match=r"^ArrayColumn\(\) takes the item type, one of int, str, float, bool, uuid\.UUID, datetime\.date, "
        r"datetime\.datetime, datetime\.time; got <class 'dict'>$",
    ):
        ArrayColumn(dict)
    with pytest.raises(
        ModelError,
        match=r"^ArrayColumn\(int, default=\[\]\): a list default would be shared by every instance and cannot be "
        r"written in DDL; give a callable, e\.g\. default=list$",
    ):
        ArrayColumn(int, default=[])


@pytest.mark.backends("postgres")
async def test_migration_plan_is_empty_after_create_table_and_columns_read_back_as_arrays(engine):
    await engine.create_table(ArPost)
    plan = await Migrator(engine).plan([ArPost])
    assert plan.statements == []
    live = (await engine.dialect.read_schema(engine, ["ar_post"]))["ar_post"]
    assert [(c.name, str(c.type)) for c in live.columns if c.name in ("nums", "names", "whens")] == [
        ("nums", "array(int)"), ("names", "array(str)"), ("whens", "array(datetime)")
    ]


@pytest.mark.backends("sqlite", "mysql")
async def test_create_table_is_refused_where_the_database_has_no_arrays(engine):
    name = f"{engine.dialect.name}+{engine.dialect.driver}"
    with pytest.raises(NotSupportedError) as caught:
        await engine.create_table(ArPost)
    assert str(caught.value) == (
        "ArPost.nums is an ArrayColumn, which needs a database with native arrays, such as "
        f"PostgreSQL; the {name} dialect has none (DialectFeatures.arrays is False): store the "
        "list in a JSONColumn instead"
    )
    assert "ar_post" not in await engine.dialect.read_schema(engine)


@pytest.mark.backends("sqlite", "mysql")
async def test_queries_using_an_array_are_refused_before_anything_is_sent(engine):
    name = f"{engine.dialect.name}+{engine.dialect.driver}"
    expected = (
        "an ArrayColumn (list[int]) needs a database with native arrays, such as PostgreSQL; the "
        f"{name} dialect has none (DialectFeatures.arrays is False): store the list in a JSONColumn instead"
    )
    with pytest.raises(NotSupportedError) as caught:
        await ArPost.where(ArPost.nums.contains([1]))
    assert str(caught.value) == expected
    with pytest.raises(NotSupportedError) as caught:
        await ArPost.create(nums=[1])
    assert str(caught.value) == expected


def test_pydantic_schema_types_the_field_as_a_list():
    pytest.importorskip("pydantic")
    schema = ArPost.create_schema()
    body = schema.model_validate({"nums": [1, 2], "ids": [str(U1)], "days": ["2020-01-02"]})
    assert (body.nums, body.ids, body.days) == ([1, 2], [U1], [dt.date(2020, 1, 2)])
    props = ArPost.model_json_schema()["properties"]
    assert props["nums"] == {"title": "Nums", "type": "array", "items": {"type": "integer"}}
    assert props["ids"]["anyOf"][0] == {"type": "array", "items": {"type": "string", "format": "uuid"}}


@pytest.mark.backends("postgres")
async def test_json_dump_carries_lists(engine):
    pytest.importorskip("pydantic")
    await engine.create_table(ArPost)
    obj = await ArPost.create(nums=[1], ids=[U1], whens=[T1])
    dumped = (await _reload(obj)).model_dump(mode="json")
    assert (dumped["nums"], dumped["ids"], dumped["whens"]) == ([1], [str(U1)], ["2024-02-29T12:30:00.123456Z"])


_ints = st.lists(st.integers(min_value=-(2**63), max_value=2**63 - 1), max_size=8)
_texts = st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12), max_size=6)


@pytest.mark.backends("postgres")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(nums=_ints, names=st.none() | _texts, ids=st.lists(st.uuids(), max_size=3))
async def test_any_list_comes_back_unchanged(engine, nums, names, ids):
    await engine.drop_table(ArPost)
    await engine.create_table(ArPost)
    obj = await ArPost.create(nums=nums, names=names, ids=ids)
    got = await _reload(obj)
    assert (got.nums, got.names, got.ids) == (nums, names, ids)
    assert all(type(u) is uuid.UUID for u in got.ids)
    assert [o.id for o in await ArPost.where(ArPost.nums == nums)] == [obj.id]


@pytest.mark.backends("sqlite", "mysql")
async def test_a_migration_plan_is_refused_where_the_database_has_no_arrays(engine):
    with pytest.raises(NotSupportedError, match=r"^ArPost\.nums is an ArrayColumn, which needs a database with native arrays"):
        await Migrator(engine).plan([ArPost])
