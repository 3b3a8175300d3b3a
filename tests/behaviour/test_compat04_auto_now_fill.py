"""Adding a NOT NULL auto_now/auto_now_add DateTimeColumn to a table that has rows gives
those rows the current time (as kakaorm 0.4 did), on every backend; other NOT NULL
columns without a default still block the plan."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from kakaorm import DateTimeColumn, IntColumn, MigrationError, Model, StrColumn
from kakaorm.migration import Migrator, VersionedMigrator
from kakaorm.migration._files import read_migration


class StampV1(Model):
    title = StrColumn(nullable=False)

    class Meta:
        table_name = "stamp_post"


class StampV2(Model):
    title = StrColumn(nullable=False)
    created = DateTimeColumn(nullable=False, auto_now_add=True)
    updated = DateTimeColumn(nullable=False, auto_now=True)

    class Meta:
        table_name = "stamp_post"


class StampStrict(Model):
    title = StrColumn(nullable=False)
    created = DateTimeColumn(nullable=False, auto_now_add=True)
    rank = IntColumn(nullable=False)

    class Meta:
        table_name = "stamp_post"


class StampPlainTime(Model):
    title = StrColumn(nullable=False)
    seen = DateTimeColumn(nullable=False)

    class Meta:
        table_name = "stamp_post"


_SQLITE_NOW = "strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now') || '000'"

EXPECTED_UP = {
    "sqlite": [
        'CREATE TABLE "_kakaorm_new_stamp_post" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, '
        '"title" TEXT NOT NULL, "created" DATETIME NOT NULL, "updated" DATETIME NOT NULL)',
        'INSERT INTO "_kakaorm_new_stamp_post" ("id", "title", "created", "updated") '
        f'SELECT "id", "title", {_SQLITE_NOW}, {_SQLITE_NOW} FROM "stamp_post"',
        "UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'stamp_post') "
        "WHERE name = '_kakaorm_new_stamp_post'",
        'DROP TABLE "stamp_post"',
        'ALTER TABLE "_kakaorm_new_stamp_post" RENAME TO "stamp_post"',
    ],
    "postgresql": [
        'ALTER TABLE "stamp_post" ADD COLUMN "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP',
        'ALTER TABLE "stamp_post" ALTER COLUMN "created" DROP DEFAULT',
        'ALTER TABLE "stamp_post" ADD COLUMN "updated" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP',
        'ALTER TABLE "stamp_post" ALTER COLUMN "updated" DROP DEFAULT',
    ],
    "mysql": [
        "ALTER TABLE `stamp_post` ADD COLUMN `created` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)",
        "ALTER TABLE `stamp_post` MODIFY COLUMN `created` DATETIME(6) NOT NULL",
        "ALTER TABLE `stamp_post` ADD COLUMN `updated` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)",
        "ALTER TABLE `stamp_post` MODIFY COLUMN `updated` DATETIME(6) NOT NULL",
    ],
}

EXPECTED_DOWN = {
    "sqlite": ['ALTER TABLE "stamp_post" DROP COLUMN "updated"', 'ALTER TABLE "stamp_post" DROP COLUMN "created"'],
    "postgresql": ['ALTER TABLE "stamp_post" DROP COLUMN "updated"', 'ALTER TABLE "stamp_post" DROP COLUMN "created"'],
    "mysql": ["ALTER TABLE `stamp_post` DROP COLUMN `updated`", "ALTER TABLE `stamp_post` DROP COLUMN `created`"],
}


def _floor_ms(moment: dt.datetime) -> dt.datetime:
    """SQLite's clock has milliseconds: a value it writes may be below ``moment``'s microseconds."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


async def _table_with_rows(engine) -> None:
    await engine.create_table(StampV1)
    await StampV1.create(title="first")
    await StampV1.create(title="second")


async def _assert_filled_between(engine, before: dt.datetime, after: dt.datetime) -> None:
    rows = await StampV2.all().order_by(StampV2.id)
    assert [r.title for r in rows] == ["first", "second"]
    stamps = {(r.created, r.updated) for r in rows}
    assert len(stamps) == 1, "every existing row gets the same time"
    for value in stamps.pop():
        assert type(value) is dt.datetime
        assert value.tzinfo is not None and value.utcoffset() == dt.timedelta(0)
        assert _floor_ms(before) <= value <= after


async def test_plan_fills_existing_rows_with_the_current_time_and_down_drops_the_columns(engine):
    await _table_with_rows(engine)
    plan = await Migrator(engine).plan([StampV2])
    assert plan.blockers == []
    assert plan.statements == EXPECTED_UP[engine.dialect.name]
    assert plan.down_statements == EXPECTED_DOWN[engine.dialect.name]
    before = dt.datetime.now(dt.UTC)
    await plan.apply()
    after = dt.datetime.now(dt.UTC)
    await _assert_filled_between(engine, before, after)
    assert (await Migrator(engine).plan([StampV2])).is_empty()

    # the model's own auto_now values still apply to new rows
    made = await StampV2.create(title="third")
    assert made.created >= after and made.updated >= after

    await plan.apply_down()
    schema = await engine.dialect.read_schema(engine, ["stamp_post"])
    assert [c.name for c in schema["stamp_post"].columns] == ["id", "title"]
    assert await engine.fetchval("SELECT COUNT(*) FROM stamp_post") == 3


async def test_the_fill_does_not_depend_on_rows_so_a_file_made_on_an_empty_table_works_on_a_full_one(engine, tmp_path):
    await engine.create_table(StampV1)
    empty_plan = await Migrator(engine).plan([StampV2])
    assert empty_plan.statements == EXPECTED_UP[engine.dialect.name]
    path = await VersionedMigrator(engine).autogenerate([StampV2], tmp_path, name="stamps")
    assert path is not None and path.name == "0001_stamps.py"
    assert read_migration(path) == (EXPECTED_UP[engine.dialect.name], EXPECTED_DOWN[engine.dialect.name])

    await StampV1.create(title="first")
    await StampV1.create(title="second")
    before = dt.datetime.now(dt.UTC)
    assert await VersionedMigrator(engine).run_files(tmp_path) == 1
    after = dt.datetime.now(dt.UTC)
    await _assert_filled_between(engine, before, after)

    assert await VersionedMigrator(engine).downgrade() == ["0001_stamps"]
    schema = await engine.dialect.read_schema(engine, ["stamp_post"])
    assert [c.name for c in schema["stamp_post"].columns] == ["id", "title"]


@pytest.mark.backends("sqlite")
async def test_sqlite_stores_the_fill_in_its_datetime_text_form(engine):
    from kakaorm_sqlite.compiler import format_datetime

    await _table_with_rows(engine)
    await Migrator(engine).run([StampV2])
    rows = await engine.fetch("SELECT created, updated FROM stamp_post ORDER BY id")
    assert len(rows) == 2
    hydrated = await StampV2.all().order_by(StampV2.id)
    for raw, model in zip(rows, hydrated, strict=True):
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}000", raw["created"])
        assert raw["created"] == format_datetime(model.created)
        assert raw["updated"] == format_datetime(model.updated)


async def test_other_not_null_columns_without_default_still_block_the_plan(engine):
    await _table_with_rows(engine)
    plan = await Migrator(engine).plan([StampStrict])
    assert plan.blockers == [
        "column stamp_post.rank is added as NOT NULL without a default, but stamp_post has rows "
        "that would need a value: give the column a constant default= in the model, or make it "
        "nullable, fill it, and make it NOT NULL in a later migration"
    ]
    with pytest.raises(MigrationError, match=r"the migration plan cannot be applied:\n- column stamp_post\.rank"):
        await plan.apply()
    schema = await engine.dialect.read_schema(engine, ["stamp_post"])
    assert [c.name for c in schema["stamp_post"].columns] == ["id", "title"]


async def test_a_not_null_datetime_without_auto_now_still_blocks_the_plan(engine):
    await _table_with_rows(engine)
    plan = await Migrator(engine).plan([StampPlainTime])
    assert len(plan.blockers) == 1
    assert plan.blockers[0].startswith("column stamp_post.seen is added as NOT NULL without a default")
