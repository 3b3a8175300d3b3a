"""The exact migration SQL each dialect plans for one change set, and the SQLite
rebuild's handling of foreign keys."""

from __future__ import annotations

import pytest

from kakaorm import IntColumn, Model, StrColumn
from kakaorm.migration import Migrator


class SqlV1(Model):
    title = StrColumn(max_length=20, nullable=False)

    class Meta:
        table_name = "sql_post"


class SqlV2(Model):
    title = StrColumn(max_length=40, nullable=False, default="5% off")
    views = IntColumn(nullable=False, default=0)

    class Meta:
        table_name = "sql_post"


EXPECTED = {
    "sqlite": (
        [
            'CREATE TABLE "_kakaorm_new_sql_post" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, '
            '"title" VARCHAR(40) NOT NULL DEFAULT \'5%% off\', "views" INTEGER NOT NULL DEFAULT 0)',
            'INSERT INTO "_kakaorm_new_sql_post" ("id", "title") SELECT "id", "title" FROM "sql_post"',
            "UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'sql_post') "
            "WHERE name = '_kakaorm_new_sql_post'",
            'DROP TABLE "sql_post"',
            'ALTER TABLE "_kakaorm_new_sql_post" RENAME TO "sql_post"',
        ],
        [
            'CREATE TABLE "_kakaorm_new_sql_post" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, '
            '"title" VARCHAR(20) NOT NULL)',
            'INSERT INTO "_kakaorm_new_sql_post" ("id", "title") SELECT "id", "title" FROM "sql_post"',
            "UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'sql_post') "
            "WHERE name = '_kakaorm_new_sql_post'",
            'DROP TABLE "sql_post"',
            'ALTER TABLE "_kakaorm_new_sql_post" RENAME TO "sql_post"',
        ],
    ),
    "postgresql": (
        [
            'ALTER TABLE "sql_post" ADD COLUMN "views" BIGINT NOT NULL DEFAULT 0',
            'ALTER TABLE "sql_post" ALTER COLUMN "title" TYPE VARCHAR(40) USING "title"::VARCHAR(40)',
            'ALTER TABLE "sql_post" ALTER COLUMN "title" SET DEFAULT \'5%% off\'',
        ],
        [
            'ALTER TABLE "sql_post" ALTER COLUMN "title" DROP DEFAULT',
            'ALTER TABLE "sql_post" ALTER COLUMN "title" TYPE character varying(20) '
            'USING "title"::character varying(20)',
            'ALTER TABLE "sql_post" DROP COLUMN "views"',
        ],
    ),
    "mysql": (
        [
            "ALTER TABLE `sql_post` ADD COLUMN `views` BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE `sql_post` MODIFY COLUMN `title` VARCHAR(40) NOT NULL DEFAULT '5%% off'",
        ],
        [
            "ALTER TABLE `sql_post` MODIFY COLUMN `title` varchar(20) NOT NULL",
            "ALTER TABLE `sql_post` DROP COLUMN `views`",
        ],
    ),
}


async def test_each_dialect_plans_its_own_ddl_in_raw_form(engine):
    await engine.create_table(SqlV1)
    await SqlV1.create(title="kept")
    plan = await Migrator(engine).plan([SqlV2])
    up, down = EXPECTED[engine.dialect.name]
    assert plan.statements == up
    assert plan.down_statements == down
    assert plan.sql == "".join(f"{s};\n" for s in up)
    await plan.apply()
    assert [(r.title, r.views) for r in await SqlV2.all()] == [("kept", 0)]
    await plan.apply_down()
    assert [r.title for r in await SqlV1.all()] == ["kept"]


class SqlParent(Model):
    name = StrColumn(nullable=False)

    class Meta:
        table_name = "sql_parent"


class SqlParentV2(Model):
    name = StrColumn(nullable=False, max_length=10)

    class Meta:
        table_name = "sql_parent"


@pytest.mark.backends("sqlite")
async def test_sqlite_rebuild_restores_foreign_key_enforcement_afterwards(engine):
    await engine.create_table(SqlParent)
    await engine.execute(
        'CREATE TABLE sql_child (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES sql_parent (id) ON DELETE CASCADE)'
    )
    await SqlParent.create(name="p")
    await engine.execute("INSERT INTO sql_child (id, parent) VALUES (1, 1)")
    plan = await Migrator(engine).plan([SqlParentV2])
    assert any(s.startswith('CREATE TABLE "_kakaorm_new_sql_parent"') for s in plan.statements)
    await plan.apply()
    assert await engine.fetchval("PRAGMA foreign_keys") == 1
    assert await engine.fetchval("SELECT COUNT(*) FROM sql_child") == 1  # the DROP did not cascade
    await SqlParentV2.where(SqlParentV2.id == 1).delete()
    assert await engine.fetchval("SELECT COUNT(*) FROM sql_child") == 0  # the key still cascades
