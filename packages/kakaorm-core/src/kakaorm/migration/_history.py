"""The migration history table (``kakaorm_migrations``): its model and its records."""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kakaorm.exc import MigrationError
from kakaorm.migration._diff import HISTORY_TABLE
from kakaorm.migration._files import MigrationFile
from kakaorm.migration._history04 import prepare_history
from kakaorm.migration._sql import raw_form
from kakaorm.orm.column_types import DateTimeColumn, StrColumn
from kakaorm.orm.model import Model
from kakaorm.statements import Insert

if TYPE_CHECKING:
    from kakaorm.engine.engine import Engine

__all__ = [
    "MigrationRecord",
    "down_statements",
    "ensure_history",
    "has_history",
    "insert_record",
    "pending_names",
    "read_history",
]


# the leading underscore keeps the name out of users' way: models are registered by
# class name, and a user's own ``MigrationHistory`` model must stay unambiguous
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
    and the statements that undo it.

    ``reversible`` is False for a migration recorded without down statements
    (``run_manual()``, or ``record(name)`` without ``down_sql``): ``downgrade()``
    refuses to roll it back. An empty ``down`` of a reversible one undoes nothing.
    """

    name: str
    applied_at: _dt.datetime
    down: tuple[str, ...]
    reversible: bool = True

    @property
    def down_sql(self) -> str:
        """The down statements as kakaorm 0.4 stored them: a JSON list ("" when not recorded)."""
        return json.dumps(list(self.down)) if self.reversible else ""


def down_statements(record: _MigrationHistory) -> list[str] | None:
    """The recorded down statements; None when none were recorded (an empty text, as
    ``run_manual()``, ``record(name)`` and kakaorm 0.4's manual migrations leave)."""
    if record.down_sql == "":
        return None
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


async def has_history(engine: Engine) -> bool:
    """True when the history table exists (a kakaorm 0.4 one is upgraded first)."""
    return await prepare_history(engine, _MigrationHistory)


async def read_history(engine: Engine) -> list[MigrationRecord]:
    """The applied migrations, oldest first (empty when none was ever applied)."""
    if not await has_history(engine):
        return []
    rows = await _MigrationHistory.all().using(engine).order_by(_MigrationHistory.id)
    out = []
    for row in rows:
        down = down_statements(row)
        out.append(MigrationRecord(row.name, row.applied_at, tuple(down or ()), down is not None))
    return out


async def pending_names(engine: Engine, files: Sequence[MigrationFile]) -> list[str]:
    """The names of ``files`` not recorded as applied, in their order."""
    names = {r.name for r in await read_history(engine)}
    return [f.name for f in files if f.name not in names]


async def ensure_history(engine: Engine) -> None:
    """Create the history table if it is missing (the caller holds the migration lock)."""
    if await prepare_history(engine, _MigrationHistory):
        return
    compiler = engine.dialect.compiler
    for sql in compiler.create_table(_MigrationHistory):
        await engine.execute(raw_form(compiler, sql))


async def insert_record(engine: Engine, name: str, down_sql: str) -> None:
    """Add a history row; ``down_sql`` is a JSON list, or "" for none recorded."""
    row = [name, _dt.datetime.now(_dt.UTC), down_sql]
    await engine._execute_stmt(Insert(_MigrationHistory, _RECORD_COLUMNS, [row]))
