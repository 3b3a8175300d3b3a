"""Column validators run before anything is written, on every backend: a refused save
(insert or update), create, bulk_create or QuerySet.update sends no INSERT or UPDATE and
leaves the table as it was, and the error lists every failing field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kakaorm import IntColumn, Model, StrColumn, ValidationError
from kakaorm.i18n import set_locale, use_locale
from kakaorm.validators import max_length, max_value, min_length, min_value, one_of, regex


@pytest.fixture(autouse=True)
def japanese_by_default() -> Iterator[None]:
    set_locale("ja")
    yield
    set_locale("ja")


def even(value: Any) -> None:
    if value is not None and value % 2:
        raise ValidationError("must be even")


def no_spaces(value: Any) -> None:
    if value is not None and " " in value:
        raise ValueError("no spaces allowed")


class BvMember(Model):
    name = StrColumn(nullable=False, max_length=50, validators=[min_length(2), max_length(10), regex(r"^[a-z]+$")])
    age = IntColumn(validators=[min_value(0), max_value(150), even])
    role = StrColumn(max_length=20, validators=[one_of("admin", "member")])
    nick = StrColumn(max_length=50, validators=[no_spaces])

    class Meta:
        table_name = "bv_member"


class BvSlugged(Model):
    """A hook fills ``slug`` before the write; the validators see the filled value."""

    title = StrColumn(nullable=False, max_length=100)
    slug = StrColumn(max_length=100, validators=[regex(r"^[a-z-]+$")])

    class Meta:
        table_name = "bv_slugged"

    async def before_insert(self) -> None:
        self.slug = self.title.lower().replace(" ", "-")


def writes(sql_log: Any) -> list[str]:
    return [s for s in sql_log.statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]


async def rows(engine: Any, table: str = "bv_member") -> list[dict[str, Any]]:
    return [dict(r) for r in await engine.fetch(f"SELECT * FROM {table} ORDER BY id")]


JA_NAME_SHORT = "短すぎます。2 文字以上にしてください（入力は 1 文字）。"
JA_NAME_FORMAT = "形式が正しくありません。パターン「^[a-z]+$」に合う値にしてください。"


async def test_save_of_a_new_instance_sends_no_insert_and_reports_every_failing_field(engine, sql_log):
    await engine.create_table(BvMember)
    member = BvMember(name="X", age=-1, role="owner", nick="a b")
    sql_log.clear()
    with pytest.raises(ValidationError) as info:
        await member.save()
    assert writes(sql_log) == []
    assert await rows(engine) == []
    assert not member.is_saved and member.id is None
    assert info.value.errors == {
        "name": [JA_NAME_SHORT, JA_NAME_FORMAT],
        "age": ["小さすぎます。0 以上にしてください（入力値: -1）。", "must be even"],
        "role": ["使用できない値です。'admin', 'member' のいずれかにしてください（入力値: 'owner'）。"],
        "nick": ["no spaces allowed"],
    }
    assert [(i["field"], i["rule"]) for i in info.value.detail] == [
        ("name", "min_length"), ("name", "regex"), ("age", "min_value"), ("age", "custom"),
        ("role", "one_of"), ("nick", "custom"),
    ]
    assert info.value.instance is member


async def test_save_of_a_loaded_instance_sends_no_update_and_leaves_the_row(engine, sql_log):
    await engine.create_table(BvMember)
    member = await BvMember.create(name="alice", age=30, role="admin")
    member.name = "ALICE"
    member.age = 151
    sql_log.clear()
    with pytest.raises(ValidationError) as info:
        await member.save()
    assert writes(sql_log) == []
    assert await rows(engine) == [{"id": 1, "name": "alice", "age": 30, "role": "admin", "nick": None}]
    assert info.value.errors == {
        "name": [JA_NAME_FORMAT],
        "age": ["大きすぎます。150 以下にしてください（入力値: 151）。", "must be even"],
    }
    member.name, member.age = "alicia", 32
    await member.save()
    assert await rows(engine) == [{"id": 1, "name": "alicia", "age": 32, "role": "admin", "nick": None}]


async def test_create_sends_no_insert_when_a_value_is_refused(engine, sql_log):
    await engine.create_table(BvMember)
    await BvMember.create(name="bob", age=20)
    sql_log.clear()
    with pytest.raises(ValidationError) as info:
        await BvMember.create(name="carolinemaria", age=20)
    assert writes(sql_log) == []
    assert await BvMember.count() == 1
    assert info.value.errors == {"name": ["長すぎます。10 文字以内にしてください（入力は 13 文字）。"]}
    assert str(info.value) == "BvMember validation failed: name: 長すぎます。10 文字以内にしてください（入力は 13 文字）。"


@pytest.mark.parametrize("bad_at", [0, 4])
async def test_bulk_create_checks_every_instance_before_the_first_statement(engine, sql_log, bad_at):
    await engine.create_table(BvMember)
    members = [BvMember(name=name, age=2 * i) for i, name in enumerate(["ann", "ben", "cat", "dan", "eve"])]
    members[bad_at].role = "guest"
    sql_log.clear()
    with pytest.raises(ValidationError) as info:
        await BvMember.bulk_create(members, batch_size=2)
    assert writes(sql_log) == []
    assert await BvMember.count() == 0
    assert info.value.instance is members[bad_at]
    assert info.value.errors == {"role": ["使用できない値です。'admin', 'member' のいずれかにしてください（入力値: 'guest'）。"]}
    assert [m.is_saved for m in members] == [False] * 5
    members[bad_at].role = "member"
    assert await BvMember.bulk_create(members, batch_size=2) == members
    assert [r["name"] for r in await rows(engine)] == ["ann", "ben", "cat", "dan", "eve"]


@pytest.mark.parametrize("bad_at", [0, 4])
async def test_bulk_update_checks_every_instance_before_the_first_statement(engine, sql_log, bad_at):
    await engine.create_table(BvMember)
    members = await BvMember.bulk_create([BvMember(name=n, age=2) for n in ["ann", "ben", "cat", "dan", "eve"]])
    for m in members:
        m.age = 4
    members[bad_at].age = 7
    sql_log.clear()
    with pytest.raises(ValidationError) as info:
        await BvMember.bulk_update(members, fields=["age"], batch_size=2)
    assert writes(sql_log) == []
    assert [r["age"] for r in await rows(engine)] == [2, 2, 2, 2, 2]
    assert info.value.instance is members[bad_at]
    assert info.value.errors == {"age": ["must be even"]}
    members[bad_at].age = 6
    assert await BvMember.bulk_update(members, fields=["age"], batch_size=2) == members
    expected = [6, 4, 4, 4, 4] if bad_at == 0 else [4, 4, 4, 4, 6]
    assert [r["age"] for r in await rows(engine)] == expected


async def test_queryset_update_checks_constants_and_sends_nothing_when_one_is_refused(engine, sql_log):
    await engine.create_table(BvMember)
    await BvMember.create(name="dora", age=40)
    sql_log.clear()
    with pytest.raises(ValidationError) as info:
        await BvMember.where(BvMember.name == "dora").update(age=-2, role="boss")
    assert writes(sql_log) == []
    assert info.value.errors == {
        "age": ["小さすぎます。0 以上にしてください（入力値: -2）。"],
        "role": ["使用できない値です。'admin', 'member' のいずれかにしてください（入力値: 'boss'）。"],
    }
    assert info.value.instance is None
    # an expression is computed by the database and cannot be checked beforehand
    assert await BvMember.where(BvMember.name == "dora").update(age=BvMember.age + 1) == 1
    assert await BvMember.where(BvMember.name == "dora").update(age=44, role="admin") == 1
    assert await rows(engine) == [{"id": 1, "name": "dora", "age": 44, "role": "admin", "nick": None}]


async def test_valid_values_are_written_and_read_back(engine):
    await engine.create_table(BvMember)
    await BvMember.create(name="erin", age=0, role="member", nick="e")
    await BvMember.create(name="fred")  # nullable columns left empty pass the rules
    assert await rows(engine) == [
        {"id": 1, "name": "erin", "age": 0, "role": "member", "nick": "e"},
        {"id": 2, "name": "fred", "age": None, "role": None, "nick": None},
    ]


async def test_messages_follow_the_locale_of_the_task(engine):
    await engine.create_table(BvMember)
    with use_locale("en"), pytest.raises(ValidationError) as info:
        await BvMember.create(name="g", age=3)
    assert info.value.errors == {
        "name": ["Too short: at least 2 characters are required (got 1)."],
        "age": ["must be even"],
    }


async def test_values_set_by_before_insert_are_the_ones_checked(engine, sql_log):
    await engine.create_table(BvSlugged)
    sql_log.clear()
    with pytest.raises(ValidationError) as info:
        await BvSlugged.create(title="Hello World 2")
    assert writes(sql_log) == []
    assert info.value.detail == [{
        "status": "validation_error", "field": "slug", "rule": "regex",
        "message": "形式が正しくありません。パターン「^[a-z-]+$」に合う値にしてください。",
        "received": "hello-world-2", "pattern": "^[a-z-]+$",
    }]
    post = await BvSlugged.create(title="Hello World")
    assert (post.id, post.slug) == (1, "hello-world")
    assert await rows(engine, "bv_slugged") == [{"id": 1, "title": "Hello World", "slug": "hello-world"}]
