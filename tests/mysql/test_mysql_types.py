"""How values are stored on MySQL/MariaDB: session settings, column types, strictness."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import kakaorm
from kakaorm import (
    BoolColumn,
    DateColumn,
    DateTimeColumn,
    DecimalColumn,
    FloatColumn,
    IntColumn,
    Max,
    Model,
    StrColumn,
    TimeColumn,
)

pytestmark = pytest.mark.backends("mysql")

UTC = dt.UTC


class MyTValue(Model):
    n = IntColumn()
    body = StrColumn()
    tag = StrColumn(unique=True)
    short = StrColumn(max_length=5)
    ratio = FloatColumn()
    flag = BoolColumn()
    at = DateTimeColumn()
    day = DateColumn()
    clock = TimeColumn()
    price = DecimalColumn(max_digits=7, decimal_places=2)

    class Meta:
        table_name = "myt_value"


async def test_sessions_are_strict_utf8mb4_utc_and_read_committed(engine):
    row = (await engine.fetch(
        "SELECT @@session.sql_mode AS mode, @@character_set_connection AS cs, "
        "@@session.time_zone AS tz"
    ))[0]
    assert "STRICT_ALL_TABLES" in row["mode"].split(",")
    assert {"NO_ZERO_DATE", "NO_ZERO_IN_DATE", "ERROR_FOR_DIVISION_BY_ZERO"} <= set(row["mode"].split(","))
    assert (row["cs"], row["tz"]) == ("utf8mb4", "+00:00")
    variable = "tx_isolation" if engine.dialect.server.mariadb else "transaction_isolation"
    assert await engine.fetchval(f"SELECT @@session.{variable}") == "READ-COMMITTED"


async def test_tables_are_innodb_utf8mb4_with_the_documented_column_types(engine):
    await engine.create_table(MyTValue)
    table = (await engine.fetch(
        "SELECT engine AS e, table_collation AS c FROM information_schema.tables "
        "WHERE table_schema = DATABASE() AND table_name = %s", ["myt_value"]
    ))[0]
    assert (table["e"], table["c"]) == ("InnoDB", "utf8mb4_unicode_ci")
    columns = await engine.fetch(
        "SELECT column_name AS name, column_type AS type FROM information_schema.columns "
        "WHERE table_schema = DATABASE() AND table_name = %s ORDER BY ordinal_position", ["myt_value"]
    )
    assert [(c["name"], c["type"]) for c in columns] == [
        ("id", "bigint(20)" if engine.dialect.server.mariadb else "bigint"),
        ("n", "bigint(20)" if engine.dialect.server.mariadb else "bigint"),
        ("body", "longtext"),
        ("tag", "varchar(255)"),
        ("short", "varchar(5)"),
        ("ratio", "double"),
        ("flag", "tinyint(1)"),
        ("at", "datetime(6)"),
        ("day", "date"),
        ("clock", "time(6)"),
        ("price", "decimal(7,2)"),
    ]


async def test_four_byte_characters_round_trip_in_text_and_indexed_columns(engine):
    await engine.create_table(MyTValue)
    text = "🎉 𝄞 𠜎 👩‍👩‍👧"
    row = await MyTValue.create(body=text * 1000, tag=text)
    fresh = await MyTValue.get(MyTValue.tag == text)
    assert (fresh.id, fresh.body, fresh.tag) == (row.id, text * 1000, text)


async def test_an_out_of_range_integer_is_a_data_error_and_nothing_is_stored(engine):
    await engine.create_table(MyTValue)
    with pytest.raises(kakaorm.DataError, match="Out of range value for column 'n'") as info:
        await MyTValue.create(n=2**63, tag="a")
    assert info.value.orig.args[0] == 1264
    assert await MyTValue.count() == 0


async def test_an_over_long_string_is_a_data_error_not_a_truncation(engine):
    await engine.create_table(MyTValue)
    with pytest.raises(kakaorm.DataError, match=r"^MyTValue.short is a StrColumn\(max_length=5\)") as before:
        await MyTValue.create(short="abcdef", tag="a")
    assert before.value.orig is None  # refused before sending
    # the server refuses it too (strict mode), as a DataError
    with pytest.raises(kakaorm.DataError, match="Data too long for column 'short'") as info:
        await engine.execute("INSERT INTO myt_value (short, tag) VALUES (%s, %s)", ["abcdef", "a"])
    assert info.value.orig.args[0] == 1406
    await MyTValue.create(short="abcde", tag="b")
    assert [v.short for v in await MyTValue.all()] == ["abcde"]


async def test_a_decimal_too_large_for_its_column_is_a_data_error(engine):
    await engine.create_table(MyTValue)
    with pytest.raises(kakaorm.DataError, match=r"MyTValue\.price is a DecimalColumn") as before:
        await MyTValue.create(price=Decimal("123456.78"), tag="a")
    assert before.value.orig is None  # refused before sending
    await MyTValue.create(price=Decimal("99999.99"), tag="b")
    with pytest.raises(kakaorm.DataError, match="Out of range value for column 'price'") as server:
        await MyTValue.all().update(price=MyTValue.price * 10)
    assert server.value.orig.args[0] == 1264
    assert [str(v.price) for v in await MyTValue.all()] == ["99999.99"]


async def test_datetimes_are_stored_in_utc_and_come_back_aware_with_microseconds(engine):
    await engine.create_table(MyTValue)
    tokyo = dt.timezone(dt.timedelta(hours=9))
    aware = await MyTValue.create(tag="aware", at=dt.datetime(2024, 3, 1, 9, 30, 15, 123456, tzinfo=tokyo))
    naive = await MyTValue.create(tag="naive", at=dt.datetime(2024, 3, 1, 0, 30, 15, 654321))
    stored = await engine.fetch("SELECT tag, at FROM myt_value ORDER BY id")
    # the column holds the UTC wall time; a naive input is already UTC
    assert [(r["tag"], r["at"]) for r in stored] == [
        ("aware", dt.datetime(2024, 3, 1, 0, 30, 15, 123456)),
        ("naive", dt.datetime(2024, 3, 1, 0, 30, 15, 654321)),
    ]
    got = {v.tag: v.at for v in await MyTValue.all()}
    assert got == {
        "aware": dt.datetime(2024, 3, 1, 0, 30, 15, 123456, tzinfo=UTC),
        "naive": dt.datetime(2024, 3, 1, 0, 30, 15, 654321, tzinfo=UTC),
    }
    assert all(value.tzinfo is UTC for value in got.values())
    assert (aware.at, naive.at) == (got["aware"], got["naive"])
    latest = await MyTValue.all().max(MyTValue.at)
    assert latest == dt.datetime(2024, 3, 1, 0, 30, 15, 654321, tzinfo=UTC)


async def test_filters_on_datetimes_compare_in_utc(engine):
    await engine.create_table(MyTValue)
    await MyTValue.create(tag="a", at=dt.datetime(2024, 1, 1, 23, 0, tzinfo=UTC))
    paris = dt.timezone(dt.timedelta(hours=1))
    # 2024-01-02 00:30 in Paris is 23:30 UTC: after the stored instant
    assert await MyTValue.where(MyTValue.at < dt.datetime(2024, 1, 2, 0, 30, tzinfo=paris)).count() == 1
    assert await MyTValue.where(MyTValue.at < dt.datetime(2024, 1, 1, 23, 30, tzinfo=paris)).count() == 0


async def test_times_dates_decimals_and_booleans_keep_their_python_types(engine):
    await engine.create_table(MyTValue)
    await MyTValue.create(
        tag="x", clock=dt.time(23, 59, 59, 999999), day=dt.date(2024, 2, 29),
        price=Decimal("12345.67"), flag=True, ratio=0.1,
    )
    await MyTValue.create(tag="y", clock=dt.time(0, 0), flag=False, price=Decimal("0.01"))
    x, y = await MyTValue.order_by(MyTValue.id)
    assert (x.clock, x.day, x.price, x.flag, x.ratio) == (
        dt.time(23, 59, 59, 999999), dt.date(2024, 2, 29), Decimal("12345.67"), True, 0.1
    )
    assert (y.clock, y.flag, y.price) == (dt.time(0, 0), False, Decimal("0.01"))
    assert type(x.flag) is bool and type(y.flag) is bool and type(x.clock) is dt.time
    assert await MyTValue.all().sum(MyTValue.price) == Decimal("12345.68")
    assert await MyTValue.all().select(Max(MyTValue.flag).label("any")) == [{"any": True}]
    assert await MyTValue.all().max(MyTValue.n) is None
    computed = await MyTValue.order_by(MyTValue.id).select((MyTValue.price > 1).label("big"))
    assert computed == [{"big": True}, {"big": False}]


async def test_equality_follows_the_case_insensitive_collation_but_like_does_not(engine):
    await engine.create_table(MyTValue)
    await MyTValue.create(tag="Alice", body="Alice")
    # documented: = uses the column's utf8mb4_unicode_ci collation
    assert await MyTValue.where(MyTValue.tag == "ALICE").count() == 1
    assert await MyTValue.where(MyTValue.body.like("ALI%")).count() == 0
    assert await MyTValue.where(MyTValue.body.like("Ali%")).count() == 1
    assert await MyTValue.where(MyTValue.body.ilike("aLI%")).count() == 1
    # like() and ilike() are accent-sensitive, as on PostgreSQL
    assert await MyTValue.where(MyTValue.body.ilike("alíce")).count() == 0


async def test_update_reports_matched_rows_even_when_nothing_changes(engine):
    await engine.create_table(MyTValue)
    row = await MyTValue.create(tag="same", n=1)
    assert await MyTValue.where(MyTValue.id == row.id).update(n=1) == 1
    assert await engine.execute("UPDATE myt_value SET n = %s WHERE id = %s", [1, row.id]) == 1
    await row.save()  # unchanged: still matches its row, so no NotFound
    assert (await MyTValue.get(MyTValue.id == row.id)).n == 1


async def test_integer_division_truncates_toward_zero(engine):
    await engine.create_table(MyTValue)
    await MyTValue.create(tag="a", n=7)
    await MyTValue.create(tag="b", n=-7)
    rows = await MyTValue.order_by(MyTValue.id).select((MyTValue.n / 2).label("half"))
    assert rows == [{"half": 3}, {"half": -3}]
    assert type(rows[0]["half"]) is int


async def test_truncate_empties_the_table_and_restarts_auto_increment(engine):
    await engine.create_table(MyTValue)
    for tag in "abc":
        await MyTValue.create(tag=tag)
    await MyTValue.truncate()
    assert await MyTValue.count() == 0
    assert (await MyTValue.create(tag="d")).id == 1
