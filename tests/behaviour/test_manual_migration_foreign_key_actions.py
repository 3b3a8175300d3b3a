"""A manual data migration that deletes referenced rows: on PostgreSQL and MySQL the
foreign keys' ON DELETE actions run as anywhere else; on SQLite a migration step runs
with foreign keys off (its table rebuilds need that), so the actions cannot run there:
the step is refused and rolled back with an error that says so and what to do."""

from __future__ import annotations

import pytest

from kakaorm import ForeignKey, MigrationError, Model, StrColumn, VersionedMigrator


class MfAuthor(Model):
    name = StrColumn(nullable=False)


class MfPost(Model):
    author_id = ForeignKey(MfAuthor, on_delete="CASCADE", nullable=False)
    title = StrColumn(nullable=False)


async def _seed() -> None:
    ann = await MfAuthor.create(name="ann")
    bob = await MfAuthor.create(name="bob")
    await MfPost.create(author_id=ann.id, title="by ann")
    await MfPost.create(author_id=bob.id, title="by bob")


async def _drop_ann() -> None:
    await MfAuthor.where(MfAuthor.name == "ann").delete()


@pytest.mark.backends("postgres", "mysql")
async def test_a_manual_migration_deleting_a_parent_cascades(engine):
    await engine.create_table(MfAuthor, MfPost)
    await _seed()
    migrator = VersionedMigrator(engine)
    assert await migrator.run_manual({"0001_drop_ann": _drop_ann}) == 1
    assert [a.name for a in await MfAuthor.all()] == ["bob"]
    assert [p.title for p in await MfPost.all()] == ["by bob"]
    assert await migrator.applied_names() == {"0001_drop_ann"}


@pytest.mark.backends("sqlite")
async def test_on_sqlite_the_step_is_refused_naming_the_foreign_key_actions_that_did_not_run(engine):
    await engine.create_table(MfAuthor, MfPost)
    await _seed()
    migrator = VersionedMigrator(engine)
    with pytest.raises(MigrationError) as info:
        await migrator.run_manual({"0001_drop_ann": _drop_ann})
    assert str(info.value) == (
        "the migration leaves 1 row(s) whose foreign key points to no row (mf_post row 1 -> mf_author); "
        "it was rolled back. Fix those rows or the migration, then run it again. On SQLite a migration "
        "step runs with foreign keys off (table rebuilds need that), so ON DELETE actions such as CASCADE "
        "do not run in it: delete or re-point the referencing rows in the migration itself"
    )
    assert [a.name for a in await MfAuthor.all()] == ["ann", "bob"]
    assert [p.title for p in await MfPost.all()] == ["by ann", "by bob"]
    assert await migrator.applied_names() == set()
