"""Migrator and MigrationPlan: from a model-versus-database diff to SQL, and applying it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Iterable, Sequence

from .._engine import get_engine
from ..exc import DatabaseError, MigrationError
from ..schema import AddColumnOp, AlterColumnOp
from ._diff import AlterTable, Change, CreateTable, DropTable, SchemaDiff, diff_schema, model_tables

if TYPE_CHECKING:
    from .._engine import Engine
    from .._model import Model
    from ..compiler import SQLCompiler

__all__ = ["MigrationPlan", "Migrator", "execute_statements", "raw_form"]

log = logging.getLogger("kakaorm.migration")


def raw_form(compiler: SQLCompiler, sql: str) -> str:
    """A compiler's DDL in KakaORM's raw-SQL form (``%%`` is a literal percent), which
    ``engine.execute`` runs on every backend and which migration files store."""
    return sql if compiler.paramstyle == "format" else sql.replace("%", "%%")


async def execute_statements(engine: Engine, statements: Sequence[str], what: str) -> None:
    """Run raw-form statements in order inside the caller's migration lock.

    Raises:
        MigrationError: a statement failed; the message names ``what``, the statement,
            and (where DDL is not transactional) the statements that already ran.
    """
    done: list[str] = []
    for i, sql in enumerate(statements, 1):
        try:
            await engine.execute(sql)
        except DatabaseError as err:
            if engine.features.transactional_ddl:
                outcome = "It was rolled back: the schema and the migration history are as they were."
            else:
                applied = "".join(f"\n  {s}" for s in done) if done else " none"
                outcome = (
                    "This database cannot roll DDL back, so the statements before it stay "
                    f"applied:{applied}\nNothing was recorded for it: bring the schema back "
                    "by hand (or finish the remaining statements), then run it again."
                )
            raise MigrationError(
                f"{what} failed at statement {i} of {len(statements)}:\n  {sql}\n"
                f"because: {err.args[0] if err.args else err}\n{outcome}"
            ) from err
        done.append(sql)


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
            return
        async with self.engine.dialect.migration_lock(self.engine):
            await execute_statements(self.engine, statements, what)


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
        """The changes between ``models`` and the database, without SQL."""
        wanted = model_tables(models)
        actual = await self.engine.dialect.read_schema(self.engine)
        return diff_schema(self.engine.dialect, wanted, actual, drop=drop)

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
                if isinstance(op, AddColumnOp) and not op.column.nullable and op.column.default is None:
                    if await self._has_rows(table, None):
                        out.append(
                            f"column {table}.{op.column.name} is added as NOT NULL without a "
                            f"default, but {table} has rows that would need a value: give the "
                            "column a constant default= in the model, or make it nullable, "
                            "fill it, and make it NOT NULL in a later migration"
                        )
                elif isinstance(op, AlterColumnOp) and op.old.nullable and not op.new.nullable:
                    if await self._has_rows(table, op.new.name):
                        out.append(
                            f"column {table}.{op.new.name} becomes NOT NULL but has NULL values: "
                            "set them first (e.g. with an UPDATE), or keep the column nullable"
                        )
        return out

    async def _has_rows(self, table: str, null_column: str | None) -> bool:
        compiler = self.engine.dialect.compiler
        rows = await self.engine.fetch(raw_form(compiler, compiler.rows_probe(table, null_column)))
        return bool(rows)


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
