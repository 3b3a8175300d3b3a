"""bulk_create on MySQL/MariaDB: keys for every instance, batches that fit the server."""

from __future__ import annotations

import dataclasses

import pytest

import kakaorm
from kakaorm import IntColumn, Model, StrColumn
from kakaorm.dialect import DialectFeatures
from kakaorm_mysql import MySQLDialect
from kakaorm_mysql.driver import ServerInfo

pytestmark = pytest.mark.backends("mysql")


class MyBItem(Model):
    title = StrColumn(nullable=False)
    body = StrColumn()
    rank = IntColumn(nullable=False, default=0)

    class Meta:
        table_name = "myb_item"


Wide = type(
    "MyBWide",
    (Model,),
    {
        **{f"c{i}": IntColumn(nullable=False, default=i) for i in range(70)},
        "Meta": type("Meta", (), {"table_name": "myb_wide"}),
    },
)


class InsertIdDialect(MySQLDialect):
    """The dialect as on MySQL 8 with innodb_autoinc_lock_mode 0 or 1: no RETURNING."""

    @staticmethod
    def features_for(server: ServerInfo) -> DialectFeatures:
        return dataclasses.replace(MySQLDialect.features_for(server), returning=False, consecutive_insert_keys=True)


class OneByOneDialect(MySQLDialect):
    """The dialect as on MySQL 8 with innodb_autoinc_lock_mode 2: no RETURNING, no
    guarantee that one statement's keys are consecutive."""

    @staticmethod
    def features_for(server: ServerInfo) -> DialectFeatures:
        return dataclasses.replace(MySQLDialect.features_for(server), returning=False, consecutive_insert_keys=False)


class InterleavedReturningDialect(MySQLDialect):
    """The dialect as on MariaDB 10.5+ with innodb_autoinc_lock_mode 2: RETURNING, but
    one statement's keys may not be consecutive."""

    @staticmethod
    def features_for(server: ServerInfo) -> DialectFeatures:
        return dataclasses.replace(MySQLDialect.features_for(server), returning=True, consecutive_insert_keys=False)


kakaorm.register_dialect("mysql.kakaorm_insertid", InsertIdDialect)
kakaorm.register_dialect("mysql.kakaorm_onebyone", OneByOneDialect)
kakaorm.register_dialect("mysql.kakaorm_interleaved", InterleavedReturningDialect)


def _inserts(sql_log) -> list[str]:
    return [s for s in sql_log.statements if s.startswith("INSERT")]


async def _check_keys(items: list[MyBItem]) -> None:
    stored = {r["id"]: r["title"] for r in await MyBItem.all().select(MyBItem.id, MyBItem.title)}
    assert {i.id: i.title for i in items} == stored
    assert len(stored) == len(items)


async def test_keys_come_from_the_insert_id_where_it_gives_them_all(engine, sql_log):
    # the OK packet's insert id costs nothing to read; a RETURNING result is parsed in Python
    assert engine.features.reported_insert_keys is True
    await engine.create_table(MyBItem)
    sql_log.clear()
    first = await MyBItem.create(title="first")
    assert (first.id, first.is_saved) == (1, True)
    assert len(_inserts(sql_log)) == 1 and "RETURNING" not in _inserts(sql_log)[0]
    if not engine.features.consecutive_insert_keys:
        pytest.skip("innodb_autoinc_lock_mode 2 here: a multi-row INSERT's keys are not consecutive")
    sql_log.clear()
    items = await MyBItem.bulk_create([MyBItem(title=f"t{i}") for i in range(2500)])
    await _check_keys([first, *items])
    assert [i.id for i in items] == list(range(2, 2502))
    inserts = _inserts(sql_log)
    assert len(inserts) == 3  # 1000 rows per statement at most
    assert not any("RETURNING" in s for s in inserts)


async def test_keys_of_a_multi_row_insert_come_from_returning_when_they_may_interleave(
    engine, connect_url, sql_log
):
    if not engine.features.returning:
        pytest.skip("this server has no INSERT ... RETURNING (MariaDB 10.5+ has)")
    await engine.create_table(MyBItem)
    await MyBItem.create(title="first")  # keys of the bulk do not start at 1
    url = "mysql+kakaorm_interleaved://" + connect_url().split("://", 1)[1]
    async with await kakaorm.connect(url) as other:
        assert (other.features.returning, other.features.consecutive_insert_keys) == (True, False)
        sql_log.clear()
        items = await MyBItem.bulk_create([MyBItem(title=f"t{i}") for i in range(2500)])
        one = await MyBItem.create(title="one")
    await _check_keys([await MyBItem.get(MyBItem.title == "first"), *items, one])
    inserts = _inserts(sql_log)
    assert len(inserts) == 3 + 1
    assert all(s.endswith("RETURNING `id`") for s in inserts[:3])
    assert "RETURNING" not in inserts[3]  # one row: its key is the insert id


@pytest.mark.parametrize("scheme", ["mysql+kakaorm_insertid", "mysql+kakaorm_onebyone"])
async def test_bulk_create_sets_every_key_without_returning(engine, connect_url, sql_log, scheme):
    await engine.create_table(MyBItem)
    await MyBItem.create(title="first")
    url = scheme + "://" + connect_url().split("://", 1)[1]
    async with await kakaorm.connect(url) as other:
        assert other.features.returning is False
        sql_log.clear()
        items = await MyBItem.bulk_create([MyBItem(title=f"t{i}") for i in range(1200)])
        own = await MyBItem.bulk_create([MyBItem(id=10_000 + i, title=f"own{i}") for i in range(5)])
        await _check_keys([await MyBItem.get(MyBItem.title == "first"), *items, *own])
        inserts = _inserts(sql_log)
        assert not any("RETURNING" in s for s in inserts)
        if scheme.endswith("insertid"):
            # multi-row statements; the keys follow the first one reported
            assert len(inserts) == 2 + 1
        else:
            # one statement per generated key; rows that bring their key stay multi-row
            assert len(inserts) == 1200 + 1
    assert [i.id for i in own] == [10_000 + i for i in range(5)]


async def test_bulk_batches_stay_under_the_placeholder_limit(engine, sql_log):
    await engine.create_table(Wide)
    sql_log.clear()
    rows = await Wide.bulk_create([Wide() for _ in range(2000)])
    inserts = _inserts(sql_log)
    # 65535 placeholders // 70 columns = 936 rows per statement
    assert [s.count("%s") for s in inserts] == [936 * 70, 936 * 70, 128 * 70]
    assert await Wide.count() == 2000
    assert sorted(r.id for r in rows) == list(range(1, 2001))


async def test_bulk_batches_stay_under_max_allowed_packet(engine, sql_log):
    await engine.create_table(MyBItem)
    packet = engine.features.max_statement_bytes
    assert packet == await engine.fetchval("SELECT @@max_allowed_packet")
    # 12 rows of a sixth of a packet: twice what one statement may carry; the
    # estimate counts each text twice (escaping may double it), so 2 rows a statement
    size = packet // 6
    sql_log.clear()
    items = await MyBItem.bulk_create(
        [MyBItem(title=f"big{i}", body=chr(ord("a") + i) * size) for i in range(12)]
    )
    assert len(_inserts(sql_log)) == 6
    await _check_keys(items)
    lengths = await engine.fetch("SELECT LENGTH(body) AS n, LEFT(body, 1) AS c FROM myb_item ORDER BY id")
    assert [(r["n"], r["c"]) for r in lengths] == [(size, chr(ord("a") + i)) for i in range(12)]


async def test_a_single_row_over_max_allowed_packet_is_refused_with_a_hint(engine):
    await engine.create_table(MyBItem)
    packet = engine.features.max_statement_bytes
    with pytest.raises(kakaorm.OperationalError) as info:
        await MyBItem.bulk_create([MyBItem(title="huge", body="x" * (packet + 10))])
    assert info.value.orig.args[0] == 1153
    assert "raise max_allowed_packet on the server" in str(info.value)
    assert await MyBItem.count() == 0
    assert engine.pool_stats().in_use == 0
