"""EnumColumn: members in, members out, on every backend; the value is what is stored."""

from __future__ import annotations

import enum

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kakaorm import DataError, EnumColumn, IntColumn, Model, ModelError
from kakaorm.migration import Migrator


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


class Size(enum.StrEnum):
    S = "s"
    XL = "extra-large"


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 10
    URGENT = -3


class EnShirt(Model):
    color = EnumColumn(Color, nullable=False, default=Color.RED)
    size = EnumColumn(Size)
    priority = EnumColumn(Priority)
    n = IntColumn()


async def _reload(obj: EnShirt) -> EnShirt:
    return await EnShirt.get(EnShirt.id == obj.id)


async def test_members_round_trip_as_the_exact_member(engine):
    await engine.create_table(EnShirt)
    obj = await EnShirt.create(color=Color.GREEN, size=Size.XL, priority=Priority.URGENT)
    got = await _reload(obj)
    assert (type(got.color), got.color) == (Color, Color.GREEN)
    assert (type(got.size), got.size) == (Size, Size.XL)
    assert (type(got.priority), got.priority) == (Priority, Priority.URGENT)


async def test_the_value_is_what_the_database_holds(engine):
    await engine.create_table(EnShirt)
    await EnShirt.create(color=Color.BLUE, size=Size.S, priority=Priority.HIGH)
    rows = await engine.fetch("SELECT color, size, priority FROM en_shirt")
    assert [(r["color"], r["size"], r["priority"]) for r in rows] == [("blue", "s", 10)]
    assert [type(rows[0]["color"]), type(rows[0]["priority"])] == [str, int]


async def test_a_raw_value_is_accepted_and_held_as_its_member(engine):
    await engine.create_table(EnShirt)
    obj = await EnShirt.create(color="green", size="extra-large", priority=1)
    assert (obj.color, obj.size, obj.priority) == (Color.GREEN, Size.XL, Priority.LOW)
    assert type(obj.color) is Color
    got = await _reload(obj)
    assert (got.color, got.size, got.priority) == (Color.GREEN, Size.XL, Priority.LOW)


async def test_default_and_null(engine):
    await engine.create_table(EnShirt)
    obj = await EnShirt.create()
    got = await _reload(obj)
    assert (got.color, got.size, got.priority) == (Color.RED, None, None)
    inserted = await engine.execute("INSERT INTO en_shirt (n) VALUES (%s)", [7])
    assert inserted == 1
    raw = await EnShirt.get(EnShirt.n == 7)
    assert (type(raw.color), raw.color) == (Color, Color.RED)  # the database default is the value


async def test_filters_with_members_and_values(engine):
    await engine.create_table(EnShirt)
    for n, (c, p) in enumerate([(Color.RED, Priority.LOW), (Color.GREEN, Priority.HIGH), (Color.BLUE, None)]):
        await EnShirt.create(n=n, color=c, priority=p)
    assert [o.n for o in await EnShirt.where(EnShirt.color == Color.GREEN)] == [1]
    assert [o.n for o in await EnShirt.where(EnShirt.color == "blue")] == [2]
    assert sorted(o.n for o in await EnShirt.where(EnShirt.color != Color.GREEN)) == [0, 2]
    assert sorted(o.n for o in await EnShirt.where(EnShirt.color.in_([Color.RED, Color.BLUE]))) == [0, 2]
    assert sorted(o.n for o in await EnShirt.where(EnShirt.priority.in_([Priority.HIGH, 1]))) == [0, 1]
    assert [o.n for o in await EnShirt.where(EnShirt.priority == None)] == [2]  # noqa: E711
    assert await EnShirt.where(EnShirt.color.not_in([Color.RED])).count() == 2
    rows = await EnShirt.all().order_by(EnShirt.n).select(EnShirt.n, EnShirt.color)
    assert rows == [{"n": 0, "color": Color.RED}, {"n": 1, "color": Color.GREEN}, {"n": 2, "color": Color.BLUE}]
    assert type(rows[0]["color"]) is Color
    await EnShirt.where(EnShirt.n == 0).update(color=Color.BLUE)
    assert (await EnShirt.get(EnShirt.n == 0)).color is Color.BLUE


async def test_a_value_of_no_member_is_a_type_error_before_anything_is_sent(engine):
    await engine.create_table(EnShirt)
    with pytest.raises(
        TypeError,
        match=r"^EnShirt\.color is an EnumColumn\(Color\) and takes a Color member or one of its "
        r"values \('red', 'green', 'blue'\), not str \('pink'\)$",
    ):
        await EnShirt.create(color="pink")
    with pytest.raises(TypeError, match=r"^EnShirt\.color is an EnumColumn\(Color\) .* not Size \(<Size\.S: 's'>\)$"):
        await EnShirt.create(color=Size.S)
    with pytest.raises(
        TypeError,
        match=r"^EnShirt\.priority is an EnumColumn\(Priority\) and takes a Priority member or one of "
        r"its values \(1, 10, -3\), not bool \(True\)$",
    ):
        await EnShirt.create(priority=True)
    with pytest.raises(TypeError, match=r"^EnShirt\.priority is an EnumColumn\(Priority\) .* not int \(2\)$"):
        await EnShirt.where(EnShirt.priority == 2)
    with pytest.raises(TypeError, match=r"^EnShirt\.color is an EnumColumn\(Color\) .* not int \(3\)$"):
        await EnShirt.where(EnShirt.color.in_([Color.RED, 3]))
    assert await EnShirt.count() == 0


async def test_an_unknown_stored_value_is_a_data_error_naming_table_column_and_value(engine):
    await engine.create_table(EnShirt)
    obj = await EnShirt.create(color=Color.RED, priority=Priority.LOW)
    await engine.execute("UPDATE en_shirt SET color = %s, priority = %s WHERE id = %s", ["pink", 1, obj.id])
    with pytest.raises(DataError) as caught:
        await EnShirt.all()
    assert str(caught.value).startswith(
        "cannot read column 'color' of table 'en_shirt': the stored value 'pink' is not a Color "
        "(Color's values are 'red', 'green', 'blue'). It was not written by KakaORM in a form it "
        "reads; correct the stored value (e.g. with engine.execute('UPDATE ...'))"
    )
    await engine.execute("UPDATE en_shirt SET color = %s, priority = %s WHERE id = %s", ["red", 5, obj.id])
    with pytest.raises(DataError, match=r"^cannot read column 'priority' of table 'en_shirt': the stored value 5 is not a Priority"):
        await EnShirt.get(EnShirt.id == obj.id)


def test_a_mixed_enum_is_refused_at_class_definition():
    class Mixed(enum.Enum):
        A = "a"
        B = 2

    with pytest.raises(
        ModelError,
        match=r"^EnumColumn\(Mixed\): its values are of types int, str; an EnumColumn stores enums "
        r"whose values are all str or all int: give every member a str value \(or every member an int value\)$",
    ):

        class EnBad(Model):
            kind = EnumColumn(Mixed)

    with pytest.raises(ModelError, match=r"^EnumColumn\(\) takes an enum\.Enum subclass, e\.g\. EnumColumn\(Color\), got <class 'str'>$"):
        EnumColumn(str)
    with pytest.raises(ModelError, match=r"^the default of an EnumColumn\(Color\) and takes a Color member"):
        EnumColumn(Color, default="pink")


def test_the_sql_type_is_sized_to_the_longest_value():
    assert (EnShirt.color.type.kind, EnShirt.color.type.length) == ("str", 5)
    assert (EnShirt.size.type.kind, EnShirt.size.type.length) == ("str", 11)
    assert (EnShirt.priority.type.kind, EnShirt.priority.type.length) == ("int", None)


async def test_migration_plan_is_empty_after_create_table(engine):
    await engine.create_table(EnShirt)
    plan = await Migrator(engine).plan([EnShirt])
    assert plan.statements == []
    assert plan.is_empty()


def test_pydantic_schema_types_the_field_as_the_enum():
    pytest.importorskip("pydantic")
    schema = EnShirt.create_schema()
    body = schema.model_validate({"color": "blue", "size": Size.S, "priority": 10})
    assert (type(body.color), body.color, body.size, body.priority) == (Color, Color.BLUE, Size.S, Priority.HIGH)
    request = schema.model_json_schema()
    assert request["properties"]["color"] == {"$ref": "#/$defs/Color", "default": "red"}
    assert request["$defs"]["Color"] == {"enum": ["red", "green", "blue"], "title": "Color", "type": "string"}
    props = EnShirt.model_json_schema()["properties"]
    assert props["color"] == {"default": "red", "enum": ["red", "green", "blue"], "title": "Color", "type": "string"}
    assert props["priority"]["anyOf"][0] == {"type": "integer", "enum": [1, 10, -3]}


async def test_json_dumps_the_value(engine):
    pytest.importorskip("pydantic")
    await engine.create_table(EnShirt)
    obj = await EnShirt.create(color=Color.GREEN, size=Size.XL, priority=Priority.URGENT)
    got = await _reload(obj)
    dumped = got.model_dump(mode="json")
    assert (dumped["color"], dumped["size"], dumped["priority"]) == ("green", "extra-large", -3)
    assert type(dumped["size"]) is str and type(dumped["priority"]) is int
    assert got.model_dump()["color"] is Color.GREEN
    body = EnShirt.create_schema().model_validate_json(got.model_dump_json(exclude={"id"}))
    assert (body.color, body.size, body.priority) == (Color.GREEN, Size.XL, Priority.URGENT)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(color=st.sampled_from(Color), size=st.none() | st.sampled_from(Size), priority=st.sampled_from(Priority))
async def test_any_member_comes_back_as_itself(engine, color, size, priority):
    await engine.drop_table(EnShirt)
    await engine.create_table(EnShirt)
    obj = await EnShirt.create(color=color, size=size, priority=priority)
    got = await _reload(obj)
    assert (got.color, got.size, got.priority) == (color, size, priority)
    assert type(got.color) is Color and type(got.priority) is Priority
    assert [o.id for o in await EnShirt.where(EnShirt.color == color, EnShirt.priority == priority)] == [obj.id]


class _Before(enum.Enum):
    RED = "red"


class _After(enum.Enum):
    RED = "red"
    MAGENTA = "magenta"


class EnGrowBefore(Model):
    class Meta:
        table_name = "en_grow"

    color = EnumColumn(_Before)


class EnGrowAfter(Model):
    class Meta:
        table_name = "en_grow"

    color = EnumColumn(_After)


async def test_a_member_with_a_longer_value_is_a_migration_that_widens_the_column(engine):
    await engine.create_table(EnGrowBefore)
    await EnGrowBefore.create(color=_Before.RED)
    migrator = Migrator(engine)
    plan = await migrator.plan([EnGrowAfter])
    assert len(plan.statements) >= 1 and "VARCHAR(7)" in plan.statements[0]
    await plan.apply()
    assert (await migrator.plan([EnGrowAfter])).statements == []
    await EnGrowAfter.create(color=_After.MAGENTA)
    assert [o.color for o in await EnGrowAfter.all().order_by(EnGrowAfter.id)] == [_After.RED, _After.MAGENTA]
