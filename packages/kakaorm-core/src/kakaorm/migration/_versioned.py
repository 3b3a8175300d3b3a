"""VersionedMigrator: migration files, applied in order and recorded in the database."""

from __future__ import annotations

import datetime as _dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .._columns import DateTimeColumn, StrColumn
from .._engine import get_engine
from .._model import Model
from ..exc import MigrationError
from ..statements import Insert
from ._diff import HISTORY_TABLE
from ._files import MigrationFile, list_migration_files, migration_source, next_file_name, read_migration
from ._history04 import prepare_history
from ._plan import Migrator, execute_statements, raw_form

if TYPE_CHECKING:
    import os

    from .._engine import Engine

__all__ = ["MigrationRecord", "VersionedMigrator"]

log = logging.getLogger("kakaorm.migration")


class _MigrationHistory(Model):
    """One applied migration (the table VersionedMigrator keeps)."""

    name = StrColumn(nullable=False, max_length=255, unique=True)
    applied_at = DateTimeColumn(nullable=False)
    down_sql = StrColumn(nullable=False)

    class Meta:
        table_name = HISTORY_TABLE


_RECORD_COLUMNS = tuple(
    _MigrationHistory._meta.columns[n] for n in ("name", "applied_at", "down_sql")
)


@dataclass(frozen=True)
class MigrationRecord:
    """An applied migration: its name (``0001_add_bio``), when it was applied (aware UTC),
    and the statements that undo it."""

    name: str
    applied_at: _dt.datetime
    down: tuple[str, ...]


class VersionedMigrator:
    """File-based migrations: generate ``NNNN_name.py`` files from model changes, apply
    the pending ones in order, roll the latest back.

    Example::

        migrator = VersionedMigrator(engine)
        path = await migrator.autogenerate([User, Post], "./migrations", name="add_bio")
        applied = await migrator.run_files("./migrations")
        await migrator.downgrade(steps=1)
    """

    def __init__(self, engine: Engine | None = None) -> None:
        self.engine = engine if engine is not None else get_engine()

    # -- writing files ----------------------------------------------------------------
    async def autogenerate(
        self,
        models: Iterable[type[Model]],
        directory: str | os.PathLike[str],
        name: str = "auto",
        *,
        allow_drop: bool = False,
    ) -> Path | None:
        """Write a migration file for the differences between ``models`` and the database.

        The file is numbered after the last one in ``directory`` (created if missing).
        Tables and columns the models lack are dropped only with ``allow_drop=True``
        (otherwise the file lists them in a comment).

        Returns:
            The new file's path, or None when the database already matches (nothing
            is written).

        Raises:
            MigrationError: files in ``directory`` are not applied yet (the new file
                would repeat them), or the plan has blockers.
        """
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        files = list_migration_files(folder)
        waiting = await self._pending(files)
        if waiting:
            raise MigrationError(
                f"{len(waiting)} migration file(s) in {folder} are not applied yet "
                f"({', '.join(waiting)}); apply them with run_files() first, or the new "
                "file would repeat their changes"
            )
        migrator = Migrator(self.engine)
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

    # -- applying ---------------------------------------------------------------------
    async def pending(self, directory: str | os.PathLike[str]) -> list[str]:
        """The names (``0002_add_bio``) of the files in ``directory`` not applied yet, in order."""
        return await self._pending(list_migration_files(Path(directory)))

    async def run_files(self, directory: str | os.PathLike[str]) -> int:
        """Apply the pending migration files of ``directory`` in order.

        Each file runs in one transaction where the database has transactional DDL
        (PostgreSQL, SQLite) and is recorded in the same transaction; a failing file
        changes nothing. On MySQL a failure says which statements already ran and
        records nothing. Processes running this at once take turns (a database lock)
        and apply each file once.

        Returns:
            How many files this call applied (0 when none was pending).

        Raises:
            MigrationError: a file cannot be read or one of its statements failed.
        """
        files = list_migration_files(Path(directory))
        contents = [(f, read_migration(f.path)) for f in files]  # every file parses before any runs
        done = {r.name for r in await self.history()}
        applied = 0
        for file, (up, down) in contents:
            if file.name in done:
                continue
            async with self.engine.dialect.migration_lock(self.engine):
                # checked again under the lock: another process may have applied it meanwhile
                await self._ensure_history()
                if await _MigrationHistory.all().using(self.engine).where(_MigrationHistory.name == file.name).exists():
                    continue
                await execute_statements(self.engine, up, f"migration {file.path.name}")
                record = [file.name, _dt.datetime.now(_dt.timezone.utc), json.dumps(down)]
                await self.engine._execute_stmt(Insert(_MigrationHistory, _RECORD_COLUMNS, [record]))
            applied += 1
            log.info("applied migration %s", file.name)
        return applied

    async def downgrade(self, steps: int = 1) -> list[str]:
        """Undo the latest ``steps`` migrations, newest first, with the down statements
        recorded when each was applied, and remove their records.

        Returns:
            The names of the migrations rolled back, newest first.

        Raises:
            MigrationError: ``steps`` is not positive or exceeds the applied migrations,
                or a down statement failed.
        """
        if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
            raise MigrationError(f"downgrade(steps=...) takes a positive number of migrations, got {steps!r}")
        records = await self.history()
        if steps > len(records):
            names = ", ".join(r.name for r in records) or "none"
            raise MigrationError(
                f"cannot roll back {steps} migration(s): only {len(records)} are applied ({names}); "
                f"use steps={len(records)} or fewer"
            )
        rolled: list[str] = []
        for _ in range(steps):
            async with self.engine.dialect.migration_lock(self.engine):
                latest = await _MigrationHistory.all().using(self.engine).order_by(_MigrationHistory.id.desc).first()
                if latest is None:
                    break
                down = _down_statements(latest)
                await execute_statements(self.engine, down, f"rolling back migration {latest.name}")
                await _MigrationHistory.all().using(self.engine).where(_MigrationHistory.id == latest.id).delete()
            rolled.append(latest.name)
            log.info("rolled back migration %s", latest.name)
        return rolled

    async def history(self) -> list[MigrationRecord]:
        """The applied migrations, oldest first (empty when none was ever applied)."""
        if not await self._has_history():
            return []
        rows = await _MigrationHistory.all().using(self.engine).order_by(_MigrationHistory.id)
        return [MigrationRecord(r.name, r.applied_at, tuple(_down_statements(r))) for r in rows]

    # -- helpers ------------------------------------------------------------------------
    async def _pending(self, files: list[MigrationFile]) -> list[str]:
        names = {r.name for r in await self.history()}
        return [f.name for f in files if f.name not in names]

    async def _has_history(self) -> bool:
        # a KakaORM 0.4 history table is upgraded to the current layout first
        return await prepare_history(self.engine, _MigrationHistory)

    async def _ensure_history(self) -> None:
        if await prepare_history(self.engine, _MigrationHistory):
            return
        compiler = self.engine.dialect.compiler
        for sql in compiler.create_table(_MigrationHistory):
            await self.engine.execute(raw_form(compiler, sql))


def _down_statements(record: _MigrationHistory) -> list[str]:
    try:
        value = json.loads(record.down_sql)
    except ValueError:
        value = None
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise MigrationError(
            f"the recorded down SQL of migration {record.name} in {HISTORY_TABLE} is not a JSON "
            "list of statements; it was edited by hand: fix the row or roll back by hand"
        )
    return value
