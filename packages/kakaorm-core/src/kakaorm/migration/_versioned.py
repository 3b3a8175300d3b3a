"""VersionedMigrator: migration files, applied in order and recorded in the database."""

from __future__ import annotations

import inspect
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from kakaorm.exc import MigrationError
from kakaorm.migration._autogen import write_migration
from kakaorm.migration._diff import HISTORY_TABLE
from kakaorm.migration._files import list_migration_files, read_migration
from kakaorm.migration._history import (
    MigrationRecord,
    _MigrationHistory,
    down_statements,
    ensure_history,
    has_history,
    insert_record,
    pending_names,
    read_history,
)
from kakaorm.migration._plan import Migrator
from kakaorm.migration._sql import execute_statements

if TYPE_CHECKING:
    import os

    from kakaorm.engine.engine import Engine
    from kakaorm.orm.model import Model

__all__ = ["MigrationRecord", "VersionedMigrator"]

log = logging.getLogger("kakaorm.migration")


#: a migration name run_manual() and record() accept: letters, digits, "_", "-", "."
# 0.4 projects named manual migrations freely ("0003 fill slugs"); names are bound as
# values, but path separators, quotes, ';' and control characters are still refused
_NAME = re.compile(r"\w(?:[\w .,:()+#-]{0,253}[\w.)#+-])?")

#: a manual migration: a callable taking no argument, usually ``async def``
ManualMigration = Callable[[], Any]


class VersionedMigrator(Migrator):
    """File-based migrations: generate ``NNNN_name.py`` files from model changes, apply
    the pending ones in order, roll the latest back.

    It is a :class:`Migrator` too (``plan``, ``plan_with_drop``, ``run`` ...), and runs
    "manual" migrations, async functions recorded by name (:meth:`run_manual`).

    Example::

        migrator = VersionedMigrator(engine)
        path = await migrator.autogenerate([User, Post], "./migrations", name="add_bio")
        applied = await migrator.run_files("./migrations")
        await migrator.downgrade(steps=1)
    """

    #: the table the applied migrations are recorded in
    HISTORY_TABLE: ClassVar[str] = HISTORY_TABLE

    # -- writing files ----------------------------------------------------------------
    async def autogenerate(
        self,
        models: Iterable[type[Model]],
        directory: str | os.PathLike[str] | None = None,
        name: str = "auto",
        *,
        allow_drop: bool = False,
        output_dir: str | os.PathLike[str] | None = None,
    ) -> Path | None:
        """Write a migration file for the differences between ``models`` and the database.

        The file is numbered after the last one in ``directory`` (created if missing).
        Tables and columns the models lack are dropped only with ``allow_drop=True``
        (otherwise the file lists them in a comment). ``output_dir=`` is kakaorm 0.4's
        name for ``directory``; ``name=""`` means ``"auto"``.

        Returns:
            The new file's path, or None when the database already matches (nothing
            is written).

        Raises:
            MigrationError: files in ``directory`` are not applied yet (the new file
                would repeat them), or the plan has blockers.
            TypeError: neither or both of ``directory`` and ``output_dir`` were given.
        """
        return await write_migration(self, models, directory, name, allow_drop=allow_drop, output_dir=output_dir)

    # -- applying ---------------------------------------------------------------------
    async def pending(self, directory: str | os.PathLike[str]) -> list[str]:
        """The names (``0002_add_bio``) of the files in ``directory`` not applied yet, in order."""
        return await pending_names(self.engine, list_migration_files(Path(directory)))

    async def run_files(self, directory: str | os.PathLike[str], *, verbose: bool = False) -> int:
        """Apply the pending migration files of ``directory`` in order.

        Each file runs in one transaction where the database has transactional DDL
        (PostgreSQL, SQLite) and is recorded in the same transaction; a failing file
        changes nothing. On MySQL a failure says which statements already ran and
        records nothing. Processes running this at once take turns (a database lock)
        and apply each file once. ``verbose=True`` also logs each file's name on the
        ``kakaorm.migration`` logger before it runs (kakaorm 0.4 printed it).

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
                if verbose:
                    log.info("applying migration %s", file.name)
                await execute_statements(self.engine, up, f"migration {file.path.name}")
                await self._insert_record(file.name, json.dumps(down))
            applied += 1
            log.info("applied migration %s", file.name)
        return applied

    async def downgrade(self, steps: int = 1, *, directory: str | os.PathLike[str] | None = None) -> list[str]:
        """Undo the latest ``steps`` migrations, newest first, with the down statements
        recorded when each was applied, and remove their records.

        With ``directory`` (as kakaorm 0.4 asked for), the recorded down statements of
        each migration must also be those of its file there; only a migration whose
        recorded down is empty may have no file there.

        Returns:
            The names of the migrations rolled back, newest first.

        Raises:
            MigrationError: ``steps`` is not positive or exceeds the applied migrations,
                one of them was recorded without down statements, or its file in
                ``directory`` is missing or disagrees (nothing runs in these cases),
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
        for record in records[-steps:]:
            if not record.reversible:
                raise MigrationError(_irreversible(record.name))
        if directory is not None:
            _check_down_files(Path(directory), records[-steps:])
        rolled: list[str] = []
        for _ in range(steps):
            async with self.engine.dialect.migration_lock(self.engine):
                latest = await _MigrationHistory.all().using(self.engine).order_by(_MigrationHistory.id.desc).first()
                if latest is None:
                    break
                down = down_statements(latest)
                if down is None:
                    raise MigrationError(_irreversible(latest.name))
                await execute_statements(self.engine, down, f"rolling back migration {latest.name}")
                await _MigrationHistory.all().using(self.engine).where(_MigrationHistory.id == latest.id).delete()
            rolled.append(latest.name)
            log.info("rolled back migration %s", latest.name)
        return rolled

    async def history(self) -> list[MigrationRecord]:
        """The applied migrations, oldest first (empty when none was ever applied)."""
        return await read_history(self.engine)

    # -- manual migrations (kakaorm 0.4's API) ----------------------------------------
    async def ensure_history_table(self) -> None:
        """Create the migration-history table ``kakaorm_migrations`` if it is missing."""
        async with self.engine.dialect.migration_lock(self.engine):
            await self._ensure_history()

    async def applied_names(self) -> set[str]:
        """The names of the applied migrations (files and manual ones); empty before any."""
        if not await self._has_history():
            return set()
        return {r.name for r in await _MigrationHistory.all().using(self.engine)}

    async def record(self, name: str, down_sql: str | Sequence[str] = "") -> None:
        """Record ``name`` as applied without running anything (for a change made by hand).

        Args:
            name: the migration's name: letters, digits, ``_``, ``-`` and ``.``, at
                most 255 characters.
            down_sql: the statements that undo it, in KakaORM's raw-SQL form (``%%``
                for a percent sign): a list of statements, one statement as a string,
                or a JSON list of statements (what kakaorm 0.4 stored). ``""`` (the
                default) records none: ``downgrade()`` then refuses to roll it back;
                ``[]`` records that there is nothing to undo.

        Raises:
            MigrationError: the name is not acceptable or is already recorded.
            TypeError: ``down_sql`` is neither a string nor a list of strings.
        """
        _check_name(name)
        down = _down_json(name, down_sql)
        async with self.engine.dialect.migration_lock(self.engine):
            await self._ensure_history()
            if await self._is_recorded(name):
                raise MigrationError(
                    f"the migration {name!r} is already recorded in {HISTORY_TABLE}; "
                    "record each migration once (applied_names() lists them)"
                )
            await self._insert_record(name, down)
        log.info("recorded migration %s", name)

    async def run_manual(self, migrations: Mapping[str, ManualMigration], *, verbose: bool = False) -> int:
        """Run the migrations of ``migrations`` that are not applied yet, in its order, and
        record each one (kakaorm 0.4's manual migrations).

        Each value is called without arguments (an ``async def``, or a function
        returning an awaitable, such as ``lambda: engine.create_table(User)``). Where
        DDL is transactional (PostgreSQL, SQLite) it runs under the migration lock in
        one transaction with its record: a migration that fails is rolled back and not
        recorded. On MySQL/MariaDB it runs outside any transaction (DDL would end it),
        as in kakaorm 0.4: what it changed before failing stays, and two processes
        running the same migration at once may both run it (only one records it).
        Migrations are recorded without down statements, so ``downgrade()`` refuses
        to undo them.
        ``verbose=True`` logs each name on the ``kakaorm.migration`` logger before it
        runs (kakaorm 0.4 printed it).

        Returns:
            How many migrations this call ran (0 when all were applied already).

        Raises:
            MigrationError: a name is not acceptable (checked before anything runs),
                or a migration failed (the error it raised is the ``__cause__``).
            TypeError: ``migrations`` is not a mapping of names to callables.
        """
        if not isinstance(migrations, Mapping):
            raise TypeError(
                "run_manual() takes a dict of {name: async function}, got "
                f"{type(migrations).__name__}"
            )
        for name, function in migrations.items():
            _check_name(name)
            if not callable(function):
                raise TypeError(f"run_manual(): the migration {name!r} is {function!r}, not a callable")
        done = await self.applied_names()
        count = 0
        for name, function in migrations.items():
            if name not in done and await self._run_manual_one(name, function, verbose):
                count += 1
                log.info("applied manual migration %s", name)
        return count

    async def _run_manual_one(self, name: str, function: ManualMigration, verbose: bool) -> bool:
        """Run and record one manual migration; False when another process did meanwhile."""
        if self.engine.features.transactional_ddl:
            async with self.engine.dialect.migration_lock(self.engine):
                await self._ensure_history()
                if await self._is_recorded(name):
                    return False
                await _call_manual(self.engine, name, function, verbose)
                await self._insert_record(name, "")
            return True
        # DDL would commit the migration lock's transaction (and engine.create_table()
        # refuses to run inside one), so the function runs on its own, as in kakaorm 0.4
        await _call_manual(self.engine, name, function, verbose)
        async with self.engine.dialect.migration_lock(self.engine):
            await self._ensure_history()
            if await self._is_recorded(name):
                log.warning("manual migration %s was also run and recorded by another process", name)
                return False
            await self._insert_record(name, "")
        return True

    # -- helpers ------------------------------------------------------------------------
    async def _has_history(self) -> bool:
        return await has_history(self.engine)

    async def _is_recorded(self, name: str) -> bool:
        return await _MigrationHistory.all().using(self.engine).where(_MigrationHistory.name == name).exists()

    async def _insert_record(self, name: str, down_sql: str) -> None:
        """Add a history row; ``down_sql`` is a JSON list, or "" for none recorded."""
        await insert_record(self.engine, name, down_sql)

    async def _ensure_history(self) -> None:
        await ensure_history(self.engine)


def _check_name(name: Any) -> None:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise MigrationError(
            f"{name!r} is not a usable migration name: use 1 to 255 letters, digits, spaces and "
            "'_ . , : ( ) + # -', starting with a letter, digit or '_' and not ending with a "
            "space (e.g. '0003_fill_slugs')"
        )


def _down_json(name: str, down_sql: str | Sequence[str]) -> str:
    """What the history stores for ``record(name, down_sql)``."""
    if isinstance(down_sql, str):
        if down_sql == "":
            return ""
        try:
            parsed = json.loads(down_sql)
        except ValueError:
            parsed = None
        if isinstance(parsed, list) and all(isinstance(s, str) for s in parsed):
            return json.dumps(parsed)
        return json.dumps([down_sql])
    statements = list(down_sql)
    if not all(isinstance(s, str) for s in statements):
        raise TypeError(f"record({name!r}, down_sql=...) takes SQL strings, got {down_sql!r}")
    return json.dumps(statements)


def _check_down_files(directory: Path, records: Sequence[MigrationRecord]) -> None:
    """Each record's down statements are those of its file in ``directory``."""
    files = {f.name: f for f in list_migration_files(directory)}
    for record in records:
        file = files.get(record.name)
        if file is None:
            if record.down:
                raise MigrationError(
                    f"cannot roll back migration {record.name}: downgrade(directory=...) was given "
                    f"{str(directory)!r}, which has no file {record.name}.py. Nothing was rolled back: "
                    "restore the file, or call downgrade() without directory= to run the down "
                    f"statements recorded in {HISTORY_TABLE}"
                )
            continue
        _, down = read_migration(file.path)
        if down != list(record.down):
            raise MigrationError(
                f"cannot roll back migration {record.name}: the down statements recorded in "
                f"{HISTORY_TABLE} differ from those in {file.path}, so one of them was edited "
                "after it was applied. Nothing was rolled back: make them agree, or call "
                "downgrade() without directory= to run the recorded ones"
            )


def _irreversible(name: str) -> str:
    return (
        f"cannot roll back migration {name}: it was recorded without down statements "
        "(by run_manual() or record() without down_sql), so KakaORM does not know how to "
        f"undo it. Nothing was rolled back. Undo its changes by hand and delete its row from "
        f"{HISTORY_TABLE}, or roll back fewer steps"
    )


async def _call_manual(engine: Engine, name: str, function: ManualMigration, verbose: bool) -> None:
    if verbose:
        log.info("applying manual migration %s", name)
    try:
        result = function()
        if inspect.isawaitable(result):
            await result
    except Exception as err:
        raise MigrationError(_manual_failed(engine, name, err)) from err


def _manual_failed(engine: Engine, name: str, err: Exception) -> str:
    if engine.features.transactional_ddl:
        outcome = "It was rolled back and not recorded; the migrations before it stay applied."
    else:
        outcome = (
            "This database cannot roll DDL back, so whatever it changed before failing stays; "
            "nothing was recorded for it: repair the schema by hand, then run it again."
        )
    return f"manual migration {name} failed: {type(err).__name__}: {err}\n{outcome}"
