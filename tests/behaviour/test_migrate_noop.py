"""A database created from the models matches them: the migration plan is empty, on
every backend, for every column type and option (and for archive tables)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kakaorm import (
    ArchiveModel,
    BoolColumn,
    DateColumn,
    DateTimeColumn,
    DecimalColumn,
    FloatColumn,
    ForeignKey,
    IntColumn,
    Model,
    SoftDeleteModel,
    StrColumn,
    TimeColumn,
)
from kakaorm.migration import CreateTable, Migrator

UTC = dt.UTC


class NoopEveryType(Model):
    i = IntColumn()
    i_nn = IntColumn(nullable=False, default=7)
    i_neg = IntColumn(default=-3)
    s = StrColumn()
    s_len = StrColumn(max_length=40, default="it's 100%")
    s_nn = StrColumn(nullable=False, default="")
    s_idx = StrColumn(index=True)
    s_uniq = StrColumn(unique=True)
    s_check = StrColumn(check="length(s_check) < 10")
    s_long = StrColumn(max_length=20000)
    f = FloatColumn(default=1.5)
    f_neg = FloatColumn(nullable=False, default=-0.25)
    b = BoolColumn(nullable=False, default=True)
    b_off = BoolColumn(default=False)
    at = DateTimeColumn(default=dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC))
    at_naive = DateTimeColumn(default=dt.datetime(2001, 2, 3, 4, 5, 6))
    created = DateTimeColumn(auto_now_add=True)
    touched = DateTimeColumn(auto_now=True, nullable=True)
    day = DateColumn(default=dt.date(2024, 1, 31))
    clock = TimeColumn(default=dt.time(23, 59, 58, 500000))
    money = DecimalColumn(max_digits=12, decimal_places=3, default=Decimal("-1.250"))
    whole = DecimalColumn(max_digits=5, decimal_places=0, nullable=False, default=Decimal("42"))
    computed = IntColumn(default=lambda: 5)

    class Meta:
        table_name = "noop_every_type"
        indexes = [("i", "f"), ("s_len",), ("s", "day")]


class NoopCountry(Model):
    code = StrColumn(primary_key=True)
    name = StrColumn(nullable=False, unique=True)

    class Meta:
        table_name = "noop_country"


class NoopCity(Model):
    name = StrColumn(nullable=False, max_length=80)
    country = ForeignKey(NoopCountry, nullable=False)
    twin = ForeignKey("NoopCity", on_delete="SET NULL")
    mayor_id = IntColumn(primary_key=False, unique=True)

    class Meta:
        table_name = "noop_city"


class NoopStreet(Model):
    number = IntColumn(primary_key=True)
    city = ForeignKey(NoopCity, on_delete="RESTRICT", index=True)
    other_city = ForeignKey(NoopCity, on_delete="NO ACTION")

    class Meta:
        table_name = "noop_street"


class NoopPost(SoftDeleteModel):
    title = StrColumn(nullable=False)

    class Meta:
        table_name = "noop_post"


class NoopLog(ArchiveModel):
    body = StrColumn(nullable=False, max_length=300)
    level = IntColumn(nullable=False, default=1)
    city = ForeignKey(NoopCity)

    class Meta:
        table_name = "noop_log"


ALL = [NoopEveryType, NoopCountry, NoopCity, NoopStreet, NoopPost, NoopLog]


async def test_plan_is_empty_after_create_table_for_every_column_type_and_option(engine):
    await engine.create_table(*ALL)
    await engine.create_archive_table(NoopLog)
    plan = await Migrator(engine).plan(ALL)
    assert plan.statements == []
    assert plan.down_statements == []
    assert plan.skipped_drops == []
    assert plan.blockers == []
    assert plan.is_empty()
    assert plan.sql == ""


async def test_plan_with_drop_is_empty_too_when_the_database_has_nothing_else(engine):
    await engine.create_table(*ALL)
    await engine.create_archive_table(NoopLog)
    plan = await Migrator(engine).plan_with_drop(ALL)
    assert plan.statements == []


async def test_plan_on_an_empty_database_creates_every_table_referenced_first(engine):
    plan = await Migrator(engine).plan(ALL)
    created = [c.table.name for c in plan.changes if isinstance(c, CreateTable)]
    assert sorted(created) == sorted(
        ["noop_every_type", "noop_country", "noop_city", "noop_street", "noop_post", "noop_log", "archive_noop_log"]
    )
    assert created.index("noop_country") < created.index("noop_city") < created.index("noop_street")
    assert created.index("noop_city") < created.index("noop_log")
    assert plan.summary == [f"create table {name}" for name in created]
    await plan.apply()
    again = await Migrator(engine).plan(ALL)
    assert again.statements == []


async def test_tables_created_by_a_plan_hold_rows_with_their_defaults(engine):
    await (await Migrator(engine).plan(ALL)).apply()
    row = await NoopEveryType.create(s_uniq="u")
    fresh = await NoopEveryType.get(NoopEveryType.id == row.id)
    assert (fresh.i_nn, fresh.i_neg, fresh.s_len, fresh.f_neg, fresh.b, fresh.money, fresh.whole) == (
        7, -3, "it's 100%", -0.25, True, Decimal("-1.250"), Decimal("42")
    )
    assert fresh.at == dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    assert (fresh.day, fresh.clock) == (dt.date(2024, 1, 31), dt.time(23, 59, 58, 500000))


async def test_archive_model_plan_includes_its_archive_table(engine):
    await engine.create_table(NoopCountry, NoopCity, NoopLog)
    plan = await Migrator(engine).plan([NoopCountry, NoopCity, NoopLog])
    assert [c.table.name for c in plan.changes if isinstance(c, CreateTable)] == ["archive_noop_log"]
    await plan.apply()
    assert (await Migrator(engine).plan([NoopCountry, NoopCity, NoopLog])).statements == []
    log = await NoopLog.create(body="event")
    await log.delete()
    assert [r.body for r in await NoopLog.only_deleted()] == ["event"]


async def test_read_schema_describes_types_in_portable_terms(engine):
    await engine.create_table(NoopEveryType)
    table = (await engine.dialect.read_schema(engine))["noop_every_type"]
    kinds = {c.name: (c.type.kind, c.type.length, c.type.precision, c.type.scale) for c in table.columns}
    assert kinds["i"] == ("int", None, None, None)
    assert kinds["s_len"] == ("str", 40, None, None)
    assert kinds["f"] == ("float", None, None, None)
    assert kinds["b"] == ("bool", None, None, None)
    assert kinds["at"] == ("datetime", None, None, None)
    assert kinds["day"] == ("date", None, None, None)
    assert kinds["clock"] == ("time", None, None, None)
    assert kinds["money"] == ("decimal", None, 12, 3)
    assert table.primary_key == ("id",)
    assert table.column("i_nn") is not None and table.column("i_nn").nullable is False  # type: ignore[union-attr]
    defaults = {c.name: c.default for c in table.columns}
    assert defaults["s_len"] == "it's 100%"
    assert defaults["b"] is True
    assert defaults["money"] == Decimal("-1.250")
    assert defaults["at_naive"] == dt.datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert defaults["computed"] is None
    uniques = [ix.columns for ix in table.indexes if ix.unique]
    assert uniques == [("s_uniq",)]
    plain = sorted(ix.columns for ix in table.indexes if not ix.unique and not ix.implicit)
    assert plain == [("i", "f"), ("s", "day"), ("s_idx",), ("s_len",)]


async def test_read_schema_reports_foreign_keys_with_their_actions(engine):
    await engine.create_table(NoopCountry, NoopCity, NoopStreet)
    schema = await engine.dialect.read_schema(engine, ["noop_street", "noop_city"])
    assert sorted(schema) == ["noop_city", "noop_street"]
    street = schema["noop_street"]
    fks = sorted((fk.columns, fk.ref_table, fk.ref_columns, fk.on_delete) for fk in street.foreign_keys)
    assert fks == [
        (("city",), "noop_city", ("id",), "RESTRICT"),
        (("other_city",), "noop_city", ("id",), "NO ACTION"),
    ]
    city = schema["noop_city"]
    assert sorted((fk.columns, fk.ref_table, fk.on_delete) for fk in city.foreign_keys) == [
        (("country",), "noop_country", "CASCADE"),
        (("twin",), "noop_city", "SET NULL"),
    ]
