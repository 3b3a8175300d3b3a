"""Unknown names are refused, values are always bound, identifiers are always quoted."""

from __future__ import annotations

import pytest

from kakaorm import ForeignKey, IntColumn, Model, StrColumn


class SecAccount(Model):
    name = StrColumn(nullable=False)
    is_admin = IntColumn(nullable=False, default=0)


class SecUser(Model):
    name = StrColumn(nullable=False)
    select = StrColumn()
    group = StrColumn(max_length=30, index=True)

    class Meta:
        table_name = "user"


class SecOrder(Model):
    user_id = ForeignKey(SecUser, nullable=False)
    desc = StrColumn()
    order = IntColumn(nullable=False, default=0)

    class Meta:
        table_name = "order"
        indexes = [("user_id", "order")]


class SecOdd(Model):
    label = StrColumn()

    class Meta:
        table_name = 'odd "name`s'


PAYLOADS = [
    "'; DROP TABLE sec_account; --",
    "Robert'); DROP TABLE sec_account;--",
    "x' OR '1'='1",
    '" OR ""="',
    "%s %% ? $1 :name",
    "\\'; SELECT 1; --",
]


async def test_create_rejects_an_unknown_field_naming_it_and_the_valid_ones(engine):
    await engine.create_table(SecAccount)
    with pytest.raises(TypeError) as info:
        await SecAccount.create(name="a", is_admn=1)
    message = str(info.value)
    assert "'is_admn'" in message
    assert "valid fields: id, is_admin, name" in message
    assert await SecAccount.count() == 0


async def test_constructor_rejects_an_unknown_field(engine):
    await engine.create_table(SecAccount)
    with pytest.raises(TypeError, match=r"^Unknown field 'password' for SecAccount\(\); valid fields: id, is_admin, name$"):
        SecAccount(name="a", password="x")


async def test_update_rejects_an_unknown_column(engine):
    await engine.create_table(SecAccount)
    await SecAccount.create(name="a")
    with pytest.raises(ValueError) as info:
        await SecAccount.all().update(name="b", **{"is_admin = 1 --": 1})
    assert "Unknown column 'is_admin = 1 --' for SecAccount" in str(info.value)
    assert "its columns are: id, name, is_admin" in str(info.value)
    assert [(a.name, a.is_admin) for a in await SecAccount.all()] == [("a", 0)]


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_injection_strings_are_stored_and_matched_verbatim(engine, sql_log, payload):
    await engine.create_table(SecAccount)
    sql_log.clear()
    row = await SecAccount.create(name=payload)
    assert (await SecAccount.get(SecAccount.id == row.id)).name == payload
    assert [a.id for a in await SecAccount.where(SecAccount.name == payload)] == [row.id]
    assert [a.id for a in await SecAccount.where(SecAccount.name.like(payload))] == [row.id]
    assert [a.id for a in await SecAccount.where(SecAccount.name.in_([payload, "other"]))] == [row.id]
    await SecAccount.where(SecAccount.name == payload).update(name=payload + "!")
    assert [a.name for a in await SecAccount.all()] == [payload + "!"]
    assert await SecAccount.count() == 1
    assert sql_log.statements and all(payload not in sql for sql in sql_log.statements)


async def test_reserved_words_work_as_table_and_column_names(engine):
    await engine.create_table(SecUser, SecOrder)
    await engine.create_table(SecUser, SecOrder)
    user = await SecUser.create(name="ann", select="yes", group="admins")
    order = await SecOrder.create(user_id=user.id, desc="first", order=2)
    await SecOrder.create(user_id=user.id, desc="second", order=1)

    assert (await SecUser.get(SecUser.select == "yes")).group == "admins"
    by_order = await SecOrder.where(SecOrder.user_id == user.id).order_by(SecOrder.order)
    assert [o.desc for o in by_order] == ["second", "first"]
    assert [o.desc for o in await SecOrder.all().order_by("-order")] == ["first", "second"]
    rows = await SecUser.all().select(SecUser.select, SecUser.group)
    assert rows == [{"select": "yes", "group": "admins"}]

    order.desc = "changed"
    await order.save()
    assert await SecUser.where(SecUser.group == "admins").update(select="no") == 1
    assert await SecOrder.where(SecOrder.order == 1).delete() == 1
    assert [(o.desc, o.order) for o in await SecOrder.all()] == [("changed", 2)]
    await user.delete()  # ON DELETE CASCADE through the quoted names
    assert await SecOrder.count() == 0
    await SecOrder.truncate()


async def test_quote_characters_inside_a_table_name_are_escaped(engine):
    await engine.create_table(SecOdd)
    row = await SecOdd.create(label="ok")
    assert (await SecOdd.get(SecOdd.id == row.id)).label == "ok"
    assert await SecOdd.where(SecOdd.label == "ok").update(label="fine") == 1
    await engine.drop_table(SecOdd)
