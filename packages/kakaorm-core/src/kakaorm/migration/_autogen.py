"""Writing a migration file from the difference between models and the database."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from kakaorm.exc import MigrationError
from kakaorm.migration._files import list_migration_files, migration_source, next_file_name
from kakaorm.migration._history import pending_names

if TYPE_CHECKING:
    import os

    from kakaorm.migration._plan import Migrator
    from kakaorm.orm.model import Model

__all__ = ["write_migration"]

log = logging.getLogger("kakaorm.migration")


async def write_migration(
    migrator: Migrator,
    models: Iterable[type[Model]],
    directory: str | os.PathLike[str] | None = None,
    name: str = "auto",
    *,
    allow_drop: bool = False,
    output_dir: str | os.PathLike[str] | None = None,
) -> Path | None:
    """What :meth:`VersionedMigrator.autogenerate` does, planning with ``migrator``."""
    target = directory if directory is not None else output_dir
    if target is None or (directory is not None and output_dir is not None):
        raise TypeError(
            "autogenerate() takes the migrations directory once: autogenerate(models, "
            '"./migrations"), or output_dir="./migrations" as kakaorm 0.4 called it'
        )
    folder = Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    files = list_migration_files(folder)
    waiting = await pending_names(migrator.engine, files)
    if waiting:
        raise MigrationError(
            f"{len(waiting)} migration file(s) in {folder} are not applied yet "
            f"({', '.join(waiting)}); apply them with run_files() first, or the new "
            "file would repeat their changes"
        )
    plan = await (migrator.plan_with_drop(models) if allow_drop else migrator.plan(models))
    if plan.blockers:
        raise MigrationError(
            "no migration file was written; the changes cannot be applied as they stand:\n"
            + "\n".join(f"- {b}" for b in plan.blockers)
        )
    if plan.is_empty():
        log.info("the database matches the models; no migration file written in %s", folder)
        return None
    file_name = next_file_name(files, name)
    notes = [f"Changes: {line}" for line in plan.summary]
    notes.extend(
        f"Not dropped (autogenerate(..., allow_drop=True) would): {what}" for what in plan.skipped_drops
    )
    path = folder / file_name
    path.write_text(migration_source(file_name, plan.statements, plan.down_statements, notes), encoding="utf-8")
    log.info("wrote %s (%d statement(s))", path, len(plan.statements))
    return path

