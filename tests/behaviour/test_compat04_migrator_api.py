"""kakaorm 0.4's Migrator API on every backend: run(), autogenerate() as 0.4 called it,
validate_relationships() at plan time, the plan members 0.4 code reads, and
VersionedMigrator being a Migrator."""

from __future__ import annotations

import logging

import pytest

import kakaorm
from kakaorm import ForeignKey, IntColumn, MigrationError, Model, StrColumn, belongs_to, has_many, has_one
from kakaorm.migration import ColumnDiff, MigrationPlan
from kakaorm.migration._files import read_migration


class ApiAuthor(Model):
    name = StrColumn(nullable=False)
    posts = has_many("ApiPost", foreign_key="author_id")

    class Meta:
        table_name = "api_author"


class ApiPost(Model):
    title = StrColumn(nullable=False)
    author_id = ForeignKey(ApiAuthor, nullable=True)
    author = belongs_to("ApiAuthor", foreign_key="author_id")

    class Meta:
        table_name = "api_post"


class ApiPostV2(Model):
    title = StrColumn(nullable=False)
    author_id = ForeignKey(ApiAuthor, nullable=True)
    views = IntColumn(nullable=False, default=0)

    class Meta:
        table_name = "api_post"


class ApiBroken(Model):
    owner_id = IntColumn()
    owner = belongs_to("ApiNoSuchOwner", foreign_key="owner_id")
    notes = has_many("ApiNoSuchNote", foreign_key="broken_id")

    class Meta:
        table_name = "api_broken"


class ApiAlsoBroken(Model):
    profile = has_one("ApiNoSuchProfile", foreign_key="user_id")

    class Meta:
        table_name = "api_also_broken"


def test_migrators_are_top_level_names_of_kakaorm():
    from kakaorm.migration import Migrator, VersionedMigrator

    assert kakaorm.Migrator is Migrator
    assert kakaorm.VersionedMigrator is VersionedMigrator
    assert issubclass(VersionedMigrator, Migrator)
    assert issubclass(kakaorm.UnresolvedRelationError, kakaorm.MigrationError)
    assert issubclass(kakaorm.UnresolvedRelationError, LookupError)


async def test_run_applies_a_plan_and_returns_it_then_returns_an_empty_one(engine, caplog):
    migrator = kakaorm.Migrator(engine)
    expected = await migrator.plan([ApiAuthor, ApiPost])
    plan = await migrator.run([ApiAuthor, ApiPost])
    assert type(plan) is MigrationPlan
    assert plan.statements == expected.statements
    await ApiPost.create(title="kept", author_id=(await ApiAuthor.create(name="ann")).id)
    with caplog.at_level(logging.INFO, logger="kakaorm.migration"):
        again = await migrator.run([ApiAuthor, ApiPost])
    assert again.is_empty() and again.statements == [] and again.sql == ""
    assert "the database matches the models; nothing to migrate" in caplog.text

    changed = await migrator.run([ApiAuthor, ApiPostV2])
    assert changed.summary == ["add column api_post.views"]
    assert [(p.title, p.views) for p in await ApiPostV2.all()] == [("kept", 0)]


async def test_run_refuses_a_plan_with_blockers_and_changes_nothing(engine):
    class ApiStrict(Model):
        title = StrColumn(nullable=False)
        code = StrColumn(nullable=False)

        class Meta:
            table_name = "api_post"

    await kakaorm.Migrator(engine).run([ApiAuthor, ApiPost])
    await ApiPost.create(title="kept")
    with pytest.raises(MigrationError, match=r"(?s)cannot be applied:\n- column api_post.code is added as NOT NULL"):
        await kakaorm.Migrator(engine).run([ApiStrict])
    schema = await engine.dialect.read_schema(engine, ["api_post"])
    assert [c.name for c in schema["api_post"].columns] == ["id", "title", "author_id"]


async def test_plan_reports_every_unresolved_relation_at_once(engine):
    migrator = kakaorm.Migrator(engine)
    with pytest.raises(kakaorm.UnresolvedRelationError) as caught:
        await migrator.plan([ApiAuthor, ApiPost, ApiBroken, ApiAlsoBroken])
    message = str(caught.value)
    assert message.startswith(
        "3 relation(s) refer to a model that cannot be resolved; fix the model name given to "
        "belongs_to/has_many/has_one/many_to_many, or define that model (and import its module) before planning:\n"
    )
    lines = message.splitlines()[1:]
    assert [line.split(" refers to a model named ")[0] for line in lines] == [
        "- ApiBroken.owner", "- ApiBroken.notes", "- ApiAlsoBroken.profile"
    ]
    assert "'ApiNoSuchOwner', but no such model is defined. Known models: " in lines[0]
    # nothing was planned, so nothing was created
    assert await engine.dialect.read_schema(engine) == {}


async def test_0_4_code_catching_lookup_error_still_catches_unresolved_relations(engine):
    migrator = kakaorm.Migrator(engine)
    for call in (migrator.plan, migrator.plan_with_drop, migrator.run, migrator.diff):
        with pytest.raises(LookupError, match=r"^1 relation\(s\) refer to a model"):
            await call([ApiAlsoBroken])
    with pytest.raises(LookupError, match=r"ApiAlsoBroken\.profile refers to a model named 'ApiNoSuchProfile'"):
        migrator.validate_relationships([ApiAlsoBroken])


async def test_validate_relationships_accepts_resolvable_names_and_returns_none(engine):
    assert kakaorm.Migrator(engine).validate_relationships([ApiAuthor, ApiPost]) is None
    assert ApiPost.author.related is ApiAuthor
    with pytest.raises(TypeError, match="migrations plan concrete model classes; got 'ApiPost'"):
        kakaorm.Migrator(engine).validate_relationships(["ApiPost"])  # type: ignore[list-item]


async def test_autogenerate_on_migrator_takes_the_0_4_spellings(engine, tmp_path):
    migrator = kakaorm.Migrator(engine)
    first = await migrator.autogenerate([ApiAuthor, ApiPost], str(tmp_path), name="init")
    assert first == tmp_path / "0001_init.py"
    expected = await migrator.plan([ApiAuthor, ApiPost])
    assert read_migration(first) == (expected.statements, expected.down_statements)
    assert await kakaorm.VersionedMigrator(engine).run_files(tmp_path) == 1

    second = await migrator.autogenerate([ApiAuthor, ApiPostV2], output_dir=str(tmp_path))
    assert second == tmp_path / "0002_auto.py"
    assert await kakaorm.VersionedMigrator(engine).run_files(str(tmp_path)) == 1
    assert await migrator.autogenerate([ApiAuthor, ApiPostV2], tmp_path, name="") is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0001_init.py", "0002_auto.py"]


async def test_autogenerate_wants_the_directory_exactly_once(engine, tmp_path):
    message = r"takes the migrations directory once: autogenerate\(models, \"./migrations\"\), or output_dir="
    for migrator in (kakaorm.Migrator(engine), kakaorm.VersionedMigrator(engine)):
        with pytest.raises(TypeError, match=message):
            await migrator.autogenerate([ApiAuthor])
        with pytest.raises(TypeError, match=message):
            await migrator.autogenerate([ApiAuthor], tmp_path, output_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


async def test_versioned_migrator_plans_and_runs_as_a_migrator(engine):
    migrator = kakaorm.VersionedMigrator(engine)
    plan = await migrator.plan([ApiAuthor])
    assert plan.summary == ["create table api_author"]
    assert (await migrator.run([ApiAuthor])).statements == plan.statements
    assert (await migrator.plan([ApiAuthor])).is_empty()
    # run() applies a plan; like kakaorm 0.4 it records nothing in the history
    assert await migrator.history() == []
    assert await migrator.applied_names() == set()
    dropping = await migrator.plan_with_drop([])
    assert dropping.summary == ["drop table api_author"]
    await dropping.apply()
    assert await engine.dialect.read_schema(engine, ["api_author"]) == {}


async def test_a_plan_offers_the_0_4_members(engine, caplog):
    await engine.create_table(ApiAuthor)
    await engine.create_table(ApiPost)
    plan = await kakaorm.Migrator(engine).plan([ApiAuthor, ApiPostV2])
    assert plan.is_empty() is False
    assert plan.sql == "".join(f"{s};\n" for s in plan.statements)
    assert plan.down_sql == "".join(f"{s};\n" for s in plan.down_statements)
    views_type = plan.diffs[0].new_type
    assert plan.diffs == [ColumnDiff("api_post", "views", "add", "", views_type)]
    assert views_type == engine.dialect.compiler.column_type(ApiPostV2.views)
    with caplog.at_level(logging.INFO, logger="kakaorm.migration"):
        await plan.apply()
        await plan.apply_down()
    assert f"applying the migration plan: ran {len(plan.statements)} statement(s)" in caplog.text
    assert f"rolling the migration plan back: ran {len(plan.down_statements)} statement(s)" in caplog.text
    schema = await engine.dialect.read_schema(engine, ["api_post"])
    assert [c.name for c in schema["api_post"].columns] == ["id", "title", "author_id"]


async def test_diffs_list_created_tables_and_altered_and_dropped_columns(engine):
    class ApiPostV3(Model):
        title = StrColumn(nullable=True)

        class Meta:
            table_name = "api_post"

    await engine.create_table(ApiAuthor)
    await engine.create_table(ApiPost)
    create = await kakaorm.Migrator(engine).plan([ApiBrokenFree])
    assert create.diffs == [ColumnDiff("api_free", "*", "add", new_type="(new table)")]
    plan = await kakaorm.Migrator(engine).plan_with_drop([ApiPostV3])
    by_action = {(d.table, d.column, d.action) for d in plan.diffs}
    assert by_action == {
        ("api_post", "author_id", "drop"),
        ("api_post", "title", "alter"),
        ("api_author", "*", "drop"),
    }


class ApiBrokenFree(Model):
    note = StrColumn()

    class Meta:
        table_name = "api_free"
