"""Migrator and MigrationPlan: from a model-versus-database diff to SQL, and applying it."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from kakaorm.engine.engine import get_engine
from kakaorm.exc import MigrationError, ModelError, UnresolvedRelationError
from kakaorm.migration._autogen import write_migration
from kakaorm.migration._diff import AlterTable, Change, CreateTable, DropTable, SchemaDiff, diff_schema, model_tables
from kakaorm.migration._sql import execute_statements, raw_form
from kakaorm.orm.column_types import DateTimeColumn
from kakaorm.schema import AddColumnOp, AlterColumnOp, DropColumnOp

if TYPE_CHECKING:
    import os
    from pathlib import Path

    from kakaorm.compiler import SQLCompiler
    from kakaorm.engine.engine import Engine
    from kakaorm.orm.model import Model

__all__ = ["ColumnDiff", "MigrationPlan", "Migrator", "execute_statements", "raw_form"]

log = logging.getLogger("kakaorm.migration")


@dataclass(frozen=True)
class ColumnDiff:
    """One changed column (or a whole table, ``column == "*"``), as kakaorm 0.4's
    ``MigrationPlan.diffs`` listed them; :attr:`MigrationPlan.changes` has the details.

    Attributes:
        table: the table.
        column: the column, or ``"*"`` for a created or dropped table.
        action: ``"add"``, ``"drop"`` or ``"alter"``.
        old_type, new_type: the column types as the database spells them ("" when
            there is none; ``"(new table)"`` for a created table, as 0.4 wrote).
    """

    table: str
    column: str
    action: str
    old_type: str = ""
    new_type: str = ""


class MigrationPlan:
    """The SQL that brings the database in line with the models, and the SQL that undoes it.

    Attributes:
        statements: the up statements, in order (raw form: ``%%`` is a literal percent).
        down_statements: the statements that undo them, in order.
        changes: the planned changes (create/alter/drop table).
        skipped_drops: tables and columns the models lack that this plan keeps
            (``Migrator.plan_with_drop`` drops them).
        blockers: reasons the plan cannot be applied as it stands (e.g. a NOT NULL
            column without a default added to a table that has rows); ``apply()``
            raises MigrationError with them.
    """

    def __init__(
        self,
        engine: Engine,
        statements: list[str],
        down_statements: list[str],
        changes: list[Change],
        skipped_drops: list[str],
        blockers: list[str],
    ) -> None:
        self.engine = engine
        self.statements = statements
        self.down_statements = down_statements
        self.changes = changes
        self.skipped_drops = skipped_drops
        self.blockers = blockers

    def __repr__(self) -> str:
        return (
            f"<MigrationPlan {len(self.statements)} statement(s), "
            f"{len(self.skipped_drops)} skipped drop(s), {len(self.blockers)} blocker(s)>"
        )

    @property
    def sql(self) -> str:
        """The up statements as one script, each ending with ``;``."""
        return "".join(f"{s};\n" for s in self.statements)

    @property
    def down_sql(self) -> str:
        """The down statements as one script, each ending with ``;``."""
        return "".join(f"{s};\n" for s in self.down_statements)

    @property
    def summary(self) -> list[str]:
        """One line per change, for people (``add column post.bio``)."""
        return [line for change in self.changes for line in change.describe().splitlines()]

    @property
    def diffs(self) -> list[ColumnDiff]:
        """The created and dropped tables and the added, dropped and altered columns
        (kakaorm 0.4's view of a plan; indexes and foreign keys are in :attr:`changes`)."""
        out: list[ColumnDiff] = []
        for change in self.changes:
            if isinstance(change, CreateTable):
                out.append(ColumnDiff(change.table.name, "*", "add", new_type="(new table)"))
            elif isinstance(change, DropTable):
                out.append(ColumnDiff(change.table.name, "*", "drop", old_type="(table)"))
            else:
                table = change.old.name
                for op in change.ops:
                    if isinstance(op, AddColumnOp):
                        out.append(ColumnDiff(table, op.column.name, "add", new_type=op.column.type_sql))
                    elif isinstance(op, DropColumnOp):
                        out.append(ColumnDiff(table, op.column.name, "drop", old_type=op.column.type_sql))
                    elif isinstance(op, AlterColumnOp):
                        out.append(ColumnDiff(table, op.new.name, "alter", op.old.type_sql, op.new.type_sql))
        return out

    def is_empty(self) -> bool:
        """True when the database already matches the models."""
        return not self.statements

    async def apply(self) -> None:
        """Run the up statements (atomically where DDL is transactional).

        Raises:
            MigrationError: the plan has blockers, or a statement failed.
        """
        self._check_appliable()
        await self._run(self.statements, "applying the migration plan")

    async def apply_down(self) -> None:
        """Run the down statements, undoing :meth:`apply`."""
        await self._run(self.down_statements, "rolling the migration plan back")

    def _check_appliable(self) -> None:
        if self.blockers:
            raise MigrationError(
                "the migration plan cannot be applied:\n" + "\n".join(f"- {b}" for b in self.blockers)
            )

    async def _run(self, statements: list[str], what: str) -> None:
        if not statements:
            log.info("%s: nothing to run", what)
            return
        async with self.engine.dialect.migration_lock(self.engine):
            await execute_statements(self.engine, statements, what)
        log.info("%s: ran %d statement(s)", what, len(statements))


class Migrator:
    """Plans migrations by comparing models with the live database.

    Example::

        migrator = Migrator(engine)
        plan = await migrator.plan([Author, Post])
        print(plan.sql)
        await plan.apply()
    """

    def __init__(self, engine: Engine | None = None) -> None:
        self.engine = engine if engine is not None else get_engine()

    def validate_relationships(self, models: Iterable[type[Model]]) -> None:
        """Check that every relation of ``models`` names a model that exists.

        A relation given a model name as a string (``belongs_to("Author", ...)``) is
        resolved here; :meth:`plan`, :meth:`plan_with_drop` and :meth:`diff` call this
        first, so a misspelt name stops the plan.

        Raises:
            UnresolvedRelationError: one or more names cannot be resolved (all of them
                are listed); it is also a LookupError, as kakaorm 0.4 raised.
            TypeError: something in ``models`` is not a concrete model class.
        """
        problems: list[str] = []
        for model in model_tables(models):
            for relation in model._meta.relations.values():
                try:
                    relation.resolve()
                except ModelError as err:
                    problems.append(str(err))
        if problems:
            raise UnresolvedRelationError(
                f"{len(problems)} relation(s) refer to a model that cannot be resolved; fix the "
                "model name given to belongs_to/has_many/has_one/many_to_many, or define that model (and "
                "import its module) before planning:\n" + "\n".join(f"- {p}" for p in problems)
            )

    async def run(self, models: Iterable[type[Model]]) -> MigrationPlan:
        """Plan the changes for ``models`` (as :meth:`plan`) and apply them when there are any.

        Returns:
            The plan, applied unless it was empty.

        Raises:
            MigrationError: the plan has blockers, or a statement failed.
        """
        plan = await self.plan(models)
        if plan.is_empty():
            log.info("the database matches the models; nothing to migrate")
        else:
            await plan.apply()
        return plan

    async def autogenerate(
        self,
        models: Iterable[type[Model]],
        directory: str | os.PathLike[str] | None = None,
        name: str = "auto",
        *,
        allow_drop: bool = False,
        output_dir: str | os.PathLike[str] | None = None,
    ) -> Path | None:
        """Write a migration file for ``models``: see :meth:`VersionedMigrator.autogenerate`,
        which this is (``output_dir=`` is kakaorm 0.4's name for ``directory``)."""
        return await write_migration(self, models, directory, name, allow_drop=allow_drop, output_dir=output_dir)

    async def plan(self, models: Iterable[type[Model]]) -> MigrationPlan:
        """The plan that creates and alters tables to match ``models``; it never drops
        a table or a column (those are listed in ``plan.skipped_drops``).

        ``ArchiveModel`` subclasses bring their ``archive_<table>`` table along.
        """
        return await self._plan(models, drop=False)

    async def plan_with_drop(self, models: Iterable[type[Model]]) -> MigrationPlan:
        """Like :meth:`plan`, and also drops the tables and columns the models lack
        (every table of the database not in ``models``, except the migration history)."""
        return await self._plan(models, drop=True)

    async def diff(self, models: Iterable[type[Model]], *, drop: bool = False) -> SchemaDiff:
        """The changes between ``models`` and the database, without SQL.

        Raises:
            UnresolvedRelationError: a relation of ``models`` names an unknown model.
        """
        wanted = model_tables(models)
        self.validate_relationships(wanted)
        actual = await self.engine.dialect.read_schema(self.engine)
        found = diff_schema(self.engine.dialect, wanted, actual, drop=drop)
        found.changes = [_fill_auto_now(change, wanted) for change in found.changes]
        return found

    async def _plan(self, models: Iterable[type[Model]], *, drop: bool) -> MigrationPlan:
        found = await self.diff(models, drop=drop)
        compiler = self.engine.dialect.compiler
        up: list[str] = []
        down_parts: list[list[str]] = []
        for change in found.changes:
            forward, backward = _render(compiler, change)
            up.extend(forward)
            down_parts.append(backward)
        down = [s for part in reversed(down_parts) for s in part]
        blockers = list(found.problems)
        blockers.extend(await self._data_blockers(found.changes))
        return MigrationPlan(
            self.engine,
            [raw_form(compiler, s) for s in up],
            [raw_form(compiler, s) for s in down],
            found.changes,
            found.skipped_drops,
            blockers,
        )

    async def _data_blockers(self, changes: list[Change]) -> list[str]:
        """Changes the rows already in the database would make fail."""
        out: list[str] = []
        for change in changes:
            if not isinstance(change, AlterTable):
                continue
            table = change.old.name
            for op in change.ops:
                if (
                    isinstance(op, AddColumnOp) and not op.column.nullable
                    and op.column.default is None and not op.fill_now
                ):
                    if await self._has_rows(table, None):
                        out.append(
                            f"column {table}.{op.column.name} is added as NOT NULL without a "
                            f"default, but {table} has rows that would need a value: give the "
                            "column a constant default= in the model, or make it nullable, "
                            "fill it, and make it NOT NULL in a later migration"
                        )
                elif (
                    isinstance(op, AlterColumnOp) and op.old.nullable and not op.new.nullable
                    and await self._has_rows(table, op.new.name)
                ):
                    out.append(
                        f"column {table}.{op.new.name} becomes NOT NULL but has NULL values: "
                        "set them first (e.g. with an UPDATE), or keep the column nullable"
                    )
        return out

    async def _has_rows(self, table: str, null_column: str | None) -> bool:
        compiler = self.engine.dialect.compiler
        rows = await self.engine.fetch(raw_form(compiler, compiler.rows_probe(table, null_column)))
        return bool(rows)


def _fill_auto_now(change: Change, models: Sequence[type[Model]]) -> Change:
    """``change`` with its added NOT NULL ``auto_now``/``auto_now_add`` columns marked to
    give existing rows the current time (they have no database default to fill them).

    Marked whether or not the table has rows now: a migration file generated against an
    empty table must still work on a database whose table has rows.
    """
    if not isinstance(change, AlterTable):
        return change
    model = next((m for m in models if m._meta.table_name == change.new.name), None)
    if model is None:
        return change
    ops = []
    for op in change.ops:
        if isinstance(op, AddColumnOp) and not op.column.nullable and op.column.default is None:
            column = model._meta.columns.get(op.column.name)
            if isinstance(column, DateTimeColumn) and (column.auto_now or column.auto_now_add):
                op = replace(op, fill_now=True)
        ops.append(op)
    return replace(change, ops=tuple(ops))


def _render(compiler: SQLCompiler, change: Change) -> tuple[list[str], list[str]]:
    """The up and down statements of one change."""
    if isinstance(change, CreateTable):
        return compiler.create_table(change.model), compiler.drop_table_by_name(change.table.name)
    if isinstance(change, DropTable):
        return compiler.drop_table_by_name(change.table.name), compiler.create_table_from_schema(change.table)
    up = compiler.alter_table(change.old, change.new, change.ops)
    inverse = tuple(op.inverse() for op in reversed(change.ops))
    down = compiler.alter_table(change.new, change.old, inverse)
    return up, down
