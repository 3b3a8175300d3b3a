"""PostgreSQL column types, keys, aggregates, statement counts and raw SQL, on both drivers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kakaorm import (
    Avg,
    BoolColumn,
    DataError,
    DateColumn,
    DateTimeColumn,
    DecimalColumn,
    FloatColumn,
    ForeignKey,
    IntColumn,
    Max,
    Min,
    Model,
    StrColumn,
    Sum,
    TimeColumn,
)

pytestmark = pytest.mark.backends("postgres")

UTC = dt.UTC


class PgtRow(Model):
    n = IntColumn()
    name = StrColumn(max_length=40)
    body = StrColumn()
    f = FloatColumn()
    b = BoolColumn()
    at = DateTimeColumn()
    day = DateColumn()
    tm = TimeColumn()
    price = DecimalColumn(max_digits=12, decimal_places=3)


class PgtChild(Model):
    row_id = ForeignKey(PgtRow, nullable=False)


class PgtOddName(Model):
    name = StrColumn()

    class Meta:
        table_name = 'pgt "odd" 100%'


async def test_columns_get_the_postgres_types(engine):
    await engine.create_table(PgtRow, PgtChild)
    rows = await engine.fetch(
        "SELECT table_name, column_name, data_type, character_maximum_length, numeric_precision, "
        "numeric_scale, is_identity FROM information_schema.columns "
        "WHERE table_name IN ('pgt_row', 'pgt_child') ORDER BY table_name DESC, ordinal_position"
    )
    assert [(r["column_name"], r["data_type"]) for r in rows] == [
        ("id", "bigint"),
        ("n", "bigint"),
        ("name", "character varying"),
        ("body", "text"),
        ("f", "double precision"),
        ("b", "boolean"),
        ("at", "timestamp with time zone"),
        ("day", "date"),
        ("tm", "time without time zone"),
        ("price", "numeric"),
        ("id", "bigint"),
        ("row_id", "bigint"),
    ]
    by_name = {(r["table_name"], r["column_name"]): r for r in rows}
    assert by_name[("pgt_row", "name")]["character_maximum_length"] == 40
    assert (by_name[("pgt_row", "price")]["numeric_precision"], by_name[("pgt_row", "price")]["numeric_scale"]) == (12, 3)
    assert [k for k, r in by_name.items() if r["is_identity"] == "YES"] == [("pgt_row", "id"), ("pgt_child", "id")]


async def test_plain_columns_come_back_with_their_python_types(engine):
    await engine.create_table(PgtRow)
    at = dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=dt.timezone(dt.timedelta(hours=-3)))
    row = await PgtRow.create(
        n=5, name="a", body="b", f=1.25, b=True, at=at, day=dt.date(2024, 5, 6),
        tm=dt.time(23, 59, 59, 999999), price=Decimal("7.1"),
    )
    fresh = await PgtRow.get(PgtRow.id == row.id)
    assert fresh.to_dict() == {
        "id": 1, "n": 5, "name": "a", "body": "b", "f": 1.25, "b": True,
        "at": dt.datetime(2024, 5, 6, 10, 8, 9, 123456, tzinfo=UTC), "day": dt.date(2024, 5, 6),
        "tm": dt.time(23, 59, 59, 999999), "price": Decimal("7.100"),
    }
    assert fresh.at.tzinfo is UTC
    assert str(fresh.price) == "7.100"
    assert [type(v) for v in fresh.to_dict().values()] == [
        int, int, str, str, float, bool, dt.datetime, dt.date, dt.time, Decimal,
    ]


async def test_aggregates_have_the_same_types_as_on_other_backends(engine):
    await engine.create_table(PgtRow)
    big = 2**62
    for i, n in enumerate([big, big, big, big]):
        await PgtRow.create(
            n=n, f=float(i), price=Decimal(i) + Decimal("0.125"),
            at=dt.datetime(2024, 1, 1 + i, tzinfo=UTC), day=dt.date(2024, 1, 1 + i),
        )
    result = await PgtRow.all().aggregate(
        total=Sum(PgtRow.n), mean=Avg(PgtRow.n), top=Max(PgtRow.at), low=Min(PgtRow.day),
        money=Sum(PgtRow.price), mean_money=Avg(PgtRow.price), mean_f=Avg(PgtRow.f),
    )
    # PostgreSQL sums bigint into numeric: 2**64 still comes back as an exact int
    assert result["total"] == 2**64 and type(result["total"]) is int
    assert result["mean"] == float(big) and type(result["mean"]) is float
    assert result["top"] == dt.datetime(2024, 1, 4, tzinfo=UTC) and result["top"].tzinfo is UTC
    assert result["low"] == dt.date(2024, 1, 1) and type(result["low"]) is dt.date
    assert str(result["money"]) == "6.500"
    assert result["mean_money"] == Decimal("1.625") and type(result["mean_money"]) is Decimal
    assert result["mean_f"] == 1.5 and type(result["mean_f"]) is float
    assert await PgtRow.count() == 4
    assert await PgtRow.all().sum(PgtRow.n) == 2**64


async def test_create_gets_its_key_in_one_statement(engine, sql_log):
    await engine.create_table(PgtRow)
    sql_log.clear()
    row = await PgtRow.create(name="one")
    assert row.id == 1
    assert len(sql_log.statements) == 1
    assert sql_log.statements[0].startswith('INSERT INTO "pgt_row"')
    assert sql_log.statements[0].endswith('RETURNING "id"')


async def test_bulk_create_of_ten_thousand_rows_takes_ten_inserts(engine, sql_log):
    await engine.create_table(PgtRow)
    sql_log.clear()
    rows = await PgtRow.bulk_create([PgtRow(n=i, name=f"r{i}") for i in range(10_000)])
    inserts = [s for s in sql_log.statements if s.startswith("INSERT")]
    assert len(inserts) == 10
    assert all(s.endswith('RETURNING "id"') for s in inserts)
    assert len(sql_log.statements) == 12  # plus BEGIN and COMMIT
    assert [r.id for r in rows] == list(range(1, 10_001))
    assert await PgtRow.count() == 10_000
    assert await PgtRow.all().sum(PgtRow.n) == sum(range(10_000))


async def test_explicit_keys_move_the_generated_keys_past_them(engine):
    await engine.create_table(PgtRow)
    assert (await PgtRow.create(name="auto")).id == 1
    assert (await PgtRow.create(id=100, name="explicit")).id == 100
    assert (await PgtRow.create(name="next")).id == 101
    assert (await PgtRow.create(id=5, name="lower")).id == 5  # does not move it back
    assert (await PgtRow.create(name="after")).id == 102
    given = await PgtRow.bulk_create([PgtRow(id=500, name="g1"), PgtRow(id=501, name="g2")])
    assert [r.id for r in given] == [500, 501]
    assert (await PgtRow.create(name="last")).id == 502


async def test_explicit_keys_work_in_a_table_whose_name_needs_quoting(engine):
    await engine.create_table(PgtOddName)
    assert (await PgtOddName.create(id=41, name="explicit")).id == 41
    assert (await PgtOddName.create(name="next")).id == 42
    await PgtOddName.truncate()
    assert (await PgtOddName.create(name="again")).id == 1


async def test_truncate_empties_restarts_keys_and_cascades(engine):
    await engine.create_table(PgtRow, PgtChild)
    parent = await PgtRow.create(name="p")
    await PgtRow.create(name="q")
    await PgtChild.create(row_id=parent.id)
    await PgtRow.truncate()
    assert (await PgtRow.count(), await PgtChild.count()) == (0, 0)
    assert (await PgtRow.create(name="again")).id == 1


async def test_like_treats_backslash_literally_and_ilike_ignores_case(engine):
    await engine.create_table(PgtRow)
    for name in ["Report_2024", "report-2024", "C:\\temp\\x", "REPORT 2024"]:
        await PgtRow.create(name=name)
    assert [r.name for r in await PgtRow.where(PgtRow.name.like("C:\\temp%")).order_by(PgtRow.id)] == ["C:\\temp\\x"]
    assert [r.name for r in await PgtRow.where(PgtRow.name.like("Report_2024"))] == ["Report_2024"]
    assert [r.name for r in await PgtRow.where(PgtRow.name.ilike("report%2024")).order_by(PgtRow.id)] == [
        "Report_2024", "report-2024", "REPORT 2024",
    ]


async def test_a_value_beyond_a_varchar_is_refused_not_truncated(engine):
    await engine.create_table(PgtRow)
    with pytest.raises(DataError):
        await PgtRow.create(name="x" * 41)
    assert await PgtRow.count() == 0


async def test_raw_sql_binds_percent_s_and_keeps_double_percent_literal(engine):
    await engine.create_table(PgtRow)
    await PgtRow.create(name="100% sure", n=1)
    await PgtRow.create(name="50 percent", n=2)
    rows = await engine.fetch("SELECT name, n FROM pgt_row WHERE name LIKE %s AND n >= %s", ["%\\%%", 1])
    assert rows == [{"name": "100% sure", "n": 1}]
    assert await engine.fetchval("SELECT count(*) FROM pgt_row WHERE strpos(name, '%%') > 0") == 1
    assert await engine.fetchval("SELECT %s || '%%'", ["7"]) == "7%"
    assert await engine.execute("UPDATE pgt_row SET n = n + %s WHERE name LIKE '%% sure'", [10]) == 1
    assert await engine.fetchval("SELECT n FROM pgt_row WHERE name = %s", ["100% sure"]) == 11


async def test_a_raw_parameter_of_unknown_type_needs_a_cast_on_asyncpg(engine, backend):
    # asyncpg encodes a value by the type the server gives its parameter; in a bare
    # SELECT the server cannot infer one and takes text. psycopg sends the type along.
    if backend.id == "postgres-asyncpg":
        with pytest.raises(DataError) as info:
            await engine.fetchval("SELECT %s", [1])
        assert "expected str, got int" in str(info.value)
    else:
        assert await engine.fetchval("SELECT %s", [1]) == 1
    assert await engine.fetchval("SELECT %s::bigint", [1]) == 1
