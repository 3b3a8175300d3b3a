"""DDL without transactions, and raw SQL with %s placeholders, on MySQL/MariaDB."""

from __future__ import annotations

import datetime as dt

import pytest

import kakaorm
from kakaorm import ForeignKey, IntColumn, Model, QueryError, StrColumn

pytestmark = pytest.mark.backends("mysql")


class MyDShelf(Model):
    label = StrColumn(nullable=False, index=True)

    class Meta:
        table_name = "myd_shelf"
        indexes = [("label", "id")]


class MyDBox(Model):
    shelf = ForeignKey(MyDShelf, nullable=False)
    size = IntColumn(nullable=False, default=1)

    class Meta:
        table_name = "myd_box"


async def _tables(engine: kakaorm.Engine) -> list[str]:
    rows = await engine.fetch(
        "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1"
    )
    return [r["t"] for r in rows]


async def test_create_table_twice_changes_nothing(engine, sql_log):
    await engine.create_table(MyDShelf, MyDBox)
    shelf = await MyDShelf.create(label="top")
    await MyDBox.create(shelf=shelf.id)
    sql_log.clear()
    await engine.create_table(MyDShelf, MyDBox)
    assert len(sql_log.statements) == 2  # one statement per table, indexes included
    assert (await MyDShelf.count(), await MyDBox.count()) == (1, 1)
    indexes = await engine.fetch(
        "SELECT DISTINCT index_name AS i FROM information_schema.statistics "
        "WHERE table_schema = DATABASE() AND table_name = 'myd_shelf' ORDER BY 1"
    )
    assert [r["i"] for r in indexes] == ["ix_myd_shelf_label", "ix_myd_shelf_label_id", "PRIMARY"]


async def test_foreign_keys_are_enforced_and_cascade(engine):
    await engine.create_table(MyDShelf, MyDBox)
    shelf = await MyDShelf.create(label="top")
    await MyDBox.create(shelf=shelf.id)
    with pytest.raises(kakaorm.IntegrityError):
        await MyDBox.create(shelf=shelf.id + 100)
    await shelf.delete()  # ON DELETE CASCADE (the default)
    assert await MyDBox.count() == 0


async def test_a_failing_create_table_says_why_and_leaves_nothing_behind(engine):
    # the referenced table does not exist yet
    with pytest.raises(kakaorm.ProgrammingError) as info:
        await engine.create_table(MyDBox)
    message = str(info.value)
    code = info.value.orig.args[0]
    assert code in (1005, 1824)  # MariaDB: "Can't create table"; MySQL 8: "Failed to open the referenced table"
    assert "myd_box" in message or "myd_shelf" in message
    assert f"(MySQL error {code})" in message
    assert "[SQL: CREATE TABLE IF NOT EXISTS `myd_box`" in message
    # one statement: the table was not half-created
    assert "myd_box" not in await _tables(engine)
    await engine.create_table(MyDShelf, MyDBox)
    assert await _tables(engine) == ["myd_box", "myd_shelf"]


async def test_ddl_inside_a_transaction_is_refused_before_it_can_commit_the_block(engine):
    # MySQL commits the open transaction before any DDL; KakaORM refuses instead of
    # letting the block lose its atomicity
    await engine.create_table(MyDShelf)
    with pytest.raises(QueryError, match=r"cannot run inside engine\.transaction\(\) on mysql"):
        async with engine.transaction():
            await MyDShelf.create(label="rolled back")
            await engine.create_table(MyDBox)
    assert await MyDShelf.all().count() == 0
    assert "myd_box" not in await _tables(engine)
    with pytest.raises(QueryError, match="truncate\\(MyDShelf\\) cannot run inside"):
        async with engine.transaction():
            await MyDShelf.truncate()


async def test_create_index_if_not_exists_runs_twice_on_mariadb(engine):
    if not engine.dialect.server.mariadb:
        pytest.skip("MySQL has no CREATE INDEX IF NOT EXISTS")
    await engine.create_table(MyDBox.shelf.target_model)
    sql = engine.dialect.compiler.create_index(MyDShelf, ["label", "id"])
    assert sql.startswith("CREATE INDEX IF NOT EXISTS")
    await engine.execute(sql)
    await engine.execute(sql)


async def test_drop_table_refuses_a_table_other_tables_reference(engine):
    await engine.create_table(MyDShelf, MyDBox)
    with pytest.raises(kakaorm.IntegrityError):
        await engine.drop_table(MyDShelf)
    await engine.drop_table(MyDBox, MyDShelf)
    assert await _tables(engine) == []


async def test_raw_sql_binds_percent_s_and_keeps_a_doubled_percent(engine):
    await engine.create_table(MyDShelf)
    await engine.execute("INSERT INTO myd_shelf (label) VALUES (%s), (%s)", ["100%", "50% off"])
    rows = await engine.fetch("SELECT label FROM myd_shelf WHERE label LIKE '%%off' ORDER BY id")
    assert rows == [{"label": "50% off"}]
    assert await engine.fetchval("SELECT '100%%'") == "100%"
    assert await engine.fetchval("SELECT CONCAT(%s, '%%s')", ["%s"]) == "%s%s"
    assert await engine.fetchval("SELECT COUNT(*) FROM myd_shelf WHERE label = %s", ["100%"]) == 1
    with pytest.raises(kakaorm.QueryError, match="found another '%' at position 9"):
        await engine.fetchval("SELECT '5%'")


async def test_raw_sql_converts_aware_datetimes_to_utc(engine):
    await engine.execute("CREATE TABLE myd_when (at DATETIME(6))")
    berlin = dt.timezone(dt.timedelta(hours=2))
    await engine.execute("INSERT INTO myd_when (at) VALUES (%s)", [dt.datetime(2024, 6, 1, 12, 0, tzinfo=berlin)])
    assert await engine.fetchval("SELECT at FROM myd_when") == dt.datetime(2024, 6, 1, 10, 0)
    assert await engine.execute("DELETE FROM myd_when") == 1


async def test_a_raw_fetch_with_too_few_parameters_is_a_kakaorm_error(engine):
    # PyMySQL would raise a bare TypeError from "sql % params"
    with pytest.raises(kakaorm.QueryError, match="2 %s placeholder"):
        await engine.fetch("SELECT %s AS a, %s AS b", [1])
    assert await engine.fetch("SELECT %s AS a, %s AS b", [1, 2]) == [{"a": 1, "b": 2}]
