"""The migration history table: finding it, and upgrading the layout KakaORM 0.4.x kept.

KakaORM 0.4 kept ``kakaorm_migrations`` as ``name`` (the key), ``applied_at`` (ISO 8601
text) and ``down_sql`` (a JSON list, ``''`` for manual migrations), without ``id``.
KakaORM keeps ``id`` (the order of application), ``name`` (unique), ``applied_at`` (a
timestamp) and ``down_sql`` (a JSON list). Whatever reads or writes the history first
upgrades a 0.4 table in place, under the migration lock, keeping every record in 0.4's
order (``applied_at``, then ``name``):

* where DDL is transactional (PostgreSQL, SQLite) the old table is replaced in the
  lock's transaction, so a failure leaves it as it was;
* elsewhere (MySQL, MariaDB) the new table is filled under a temporary name, checked,
  and swapped in with one atomic rename; the old table is dropped last. An upgrade cut
  off halfway is finished by the next one, and at no point is the history only in memory.

Any table without ``id`` that has ``name`` and ``applied_at`` columns counts as 0.4's
(0.4's own DDL fails on MariaDB, so users there made the table by hand).
"""

from __future__ import annotations

import datetime as _dt
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from kakaorm.exc import MigrationError
from kakaorm.migration._diff import HISTORY_TABLE
from kakaorm.migration._sql import raw_form
from kakaorm.orm.model import Model, ModelMeta
from kakaorm.statements import Insert

if TYPE_CHECKING:
    from kakaorm.engine.engine import Engine
    from kakaorm.schema import TableSchema

__all__ = ["LEGACY_BACKUP_TABLE", "UPGRADE_TABLE", "prepare_history"]

log = logging.getLogger("kakaorm.migration")

#: where the new table is filled before the swap (non-transactional DDL only)
UPGRADE_TABLE = f"{HISTORY_TABLE}_upgrade"
#: the 0.4 table's name between the swap and its drop (non-transactional DDL only)
LEGACY_BACKUP_TABLE = f"{HISTORY_TABLE}_0_4"

_CURRENT_COLUMNS = ("id", "name", "applied_at", "down_sql")

#: rows per INSERT when copying (4 parameters a row stays under every backend's limit)
_BATCH = 200

#: the longest name the current layout's ``name`` column holds
_MAX_NAME = 255


async def prepare_history(engine: Engine, model: type[Model]) -> bool:
    """Make the history table ready for ``model`` (the current layout) and say whether
    it exists: a 0.4 table is upgraded, an interrupted upgrade finished.

    Raises:
        MigrationError: the table has a layout that is neither KakaORM's nor 0.4's, or a
            0.4 record cannot be converted (nothing is changed then).
    """
    swaps = not engine.features.transactional_ddl
    found = await _read(engine)
    if _needs_work(found, swaps):
        async with engine.dialect.migration_lock(engine):
            # again under the lock: another process may have done it meanwhile
            found = await _read(engine)
            if _needs_work(found, swaps):
                await _finish(engine, model, found)
                found = await _read(engine)
    return HISTORY_TABLE in found


async def _read(engine: Engine) -> dict[str, TableSchema]:
    return await engine.dialect.read_schema(engine, [HISTORY_TABLE, UPGRADE_TABLE, LEGACY_BACKUP_TABLE])


def _layout(table: TableSchema | None) -> str:
    """``missing``, ``current``, ``0.4``; anything else raises MigrationError."""
    if table is None:
        return "missing"
    names = set(table.column_names)
    if set(_CURRENT_COLUMNS) <= names and table.primary_key == ("id",):
        return "current"
    if "id" not in names and {"name", "applied_at"} <= names:
        return "0.4"
    raise MigrationError(
        f"the table {table.name} has the columns ({', '.join(table.column_names)}), which is "
        f"neither KakaORM's migration history ({', '.join(_CURRENT_COLUMNS)}) nor KakaORM 0.4's "
        "(name, applied_at, down_sql, without id); rename that table if it is not a migration "
        "history, or bring it to one of those layouts by hand"
    )


def _needs_work(found: Mapping[str, TableSchema], swaps: bool) -> bool:
    """Whether the history is 0.4's, or (where upgrades swap tables) an upgrade cut off
    after its swap left the 0.4 table behind."""
    history = _layout(found.get(HISTORY_TABLE))
    if history == "0.4":
        return True
    if not swaps:
        return False  # a table of that name is someone else's: KakaORM never made one here
    backup = found.get(LEGACY_BACKUP_TABLE)
    return backup is not None and _layout_or_none(backup) == "0.4"


async def _finish(engine: Engine, model: type[Model], found: Mapping[str, TableSchema]) -> None:
    """Upgrade the 0.4 table, or clear what an interrupted upgrade left (lock held)."""
    history = _layout(found.get(HISTORY_TABLE))
    if history == "missing":
        raise MigrationError(
            f"{HISTORY_TABLE} is missing but {LEGACY_BACKUP_TABLE} (its KakaORM 0.4 copy, kept "
            "while the history is upgraded) is there: an upgrade was interrupted in a way "
            f"KakaORM cannot finish safely. Rename {LEGACY_BACKUP_TABLE} back to {HISTORY_TABLE} "
            "and run again"
        )
    if history == "current":
        await _drop_backup(engine, model)
        return
    legacy = found[HISTORY_TABLE]
    records = _convert(await _legacy_rows(engine, legacy))
    if engine.features.transactional_ddl:
        await _replace_in_transaction(engine, model, records)
    else:
        await _replace_by_swap(engine, model, records, found)
    log.info(
        "upgraded the migration history table %s from the KakaORM 0.4 layout: %d record(s) kept, in order",
        HISTORY_TABLE,
        len(records),
    )


async def _legacy_rows(engine: Engine, table: TableSchema) -> list[tuple[Any, Any, Any]]:
    compiler = engine.dialect.compiler
    has_down = table.column("down_sql") is not None
    columns = ["name", "applied_at"] + (["down_sql"] if has_down else [])
    sql = compiler.select_rows(HISTORY_TABLE, columns, ["applied_at", "name"])
    rows = await engine.fetch(raw_form(compiler, sql))
    return [(r["name"], r["applied_at"], r["down_sql"] if has_down else "") for r in rows]


def _convert(rows: Sequence[tuple[Any, Any, Any]]) -> list[list[Any]]:
    """The 0.4 records as rows of the current layout (id, name, applied_at, down_sql).

    Raises:
        MigrationError: a record cannot be converted; it names the record.
    """
    out: list[list[Any]] = []
    seen: set[str] = set()
    for number, (name, applied_at, down_sql) in enumerate(rows, 1):
        name = _text(name)
        if not isinstance(name, str) or not name or len(name) > _MAX_NAME:
            raise _bad_record(name, f"its name must be text of 1 to {_MAX_NAME} characters")
        if name in seen:
            raise _bad_record(name, "the name is recorded twice; delete one of the two rows")
        seen.add(name)
        down = _text(down_sql)
        if down is None or (isinstance(down, str) and not down.strip()):
            # 0.4's manual migrations recorded no down statements: they stay irreversible
            down = ""
        elif not isinstance(down, str):
            raise _bad_record(name, f"its down_sql {down_sql!r} is not text")
        out.append([number, name, _applied_at(name, applied_at), down])
    return out


def _text(value: Any) -> Any:
    return value.decode() if isinstance(value, (bytes, bytearray)) else value


def _applied_at(name: str, value: Any) -> _dt.datetime:
    """0.4's ``applied_at`` (ISO 8601 text, UTC when it carries no offset) as aware UTC."""
    value = _text(value)
    stamp: _dt.datetime | None = value if isinstance(value, _dt.datetime) else None
    if isinstance(value, str):
        try:
            stamp = _dt.datetime.fromisoformat(value.strip())
        except ValueError:
            stamp = None
    if stamp is None:
        raise _bad_record(
            name,
            f"its applied_at {value!r} is not an ISO 8601 date and time; set it to one "
            "(e.g. '2024-01-31T09:00:00+00:00')",
        )
    if stamp.tzinfo is None:
        return stamp.replace(tzinfo=_dt.UTC)
    return stamp.astimezone(_dt.UTC)


def _bad_record(name: Any, why: str) -> MigrationError:
    return MigrationError(
        f"cannot upgrade the migration history table {HISTORY_TABLE} from the KakaORM 0.4 "
        f"layout: the record {name!r} cannot be converted: {why}. Nothing was changed; fix "
        "that row and run again"
    )


async def _insert(engine: Engine, model: type[Model], records: list[list[Any]]) -> None:
    meta = model._meta
    columns = tuple(meta.columns[n] for n in _CURRENT_COLUMNS)
    for start in range(0, len(records), _BATCH):
        await engine._execute_stmt(Insert(model, columns, records[start : start + _BATCH]))
    copied = await model.all().using(engine).count()
    if copied != len(records):
        raise MigrationError(
            f"upgrading {HISTORY_TABLE} from the KakaORM 0.4 layout copied {copied} of "
            f"{len(records)} records into {meta.table_name}; the 0.4 table was left as it was. "
            "Run again; if it happens again, report it"
        )


async def _replace_in_transaction(engine: Engine, model: type[Model], records: list[list[Any]]) -> None:
    """Drop, create, copy: the lock's transaction makes the three one change."""
    compiler = engine.dialect.compiler
    for sql in compiler.drop_table_by_name(HISTORY_TABLE) + compiler.create_table(model):
        await engine.execute(raw_form(compiler, sql))
    await _insert(engine, model, records)


async def _replace_by_swap(
    engine: Engine, model: type[Model], records: list[list[Any]], found: Mapping[str, TableSchema]
) -> None:
    """Fill a new table beside the old one, swap the two atomically, drop the old one."""
    compiler = engine.dialect.compiler
    staging = _staging_model(model)
    leftover = found.get(UPGRADE_TABLE)
    if leftover is not None:
        if _layout_or_none(leftover) != "current":
            raise MigrationError(
                f"{UPGRADE_TABLE} exists and is not a copy of the migration history KakaORM "
                f"makes while upgrading {HISTORY_TABLE}; rename or drop it, then run again"
            )
        for sql in compiler.drop_table_by_name(UPGRADE_TABLE):  # an earlier, interrupted copy
            await engine.execute(raw_form(compiler, sql))
    if LEGACY_BACKUP_TABLE in found:
        raise MigrationError(
            f"{LEGACY_BACKUP_TABLE} exists while {HISTORY_TABLE} still has the KakaORM 0.4 "
            f"layout; rename or drop {LEGACY_BACKUP_TABLE} (it is not needed by KakaORM), "
            "then run again"
        )
    for sql in compiler.create_table(staging):
        await engine.execute(raw_form(compiler, sql))
    await _insert(engine, staging, records)
    swap = [(HISTORY_TABLE, LEGACY_BACKUP_TABLE), (UPGRADE_TABLE, HISTORY_TABLE)]
    for sql in compiler.rename_tables(swap):
        await engine.execute(raw_form(compiler, sql))
    await _drop_backup(engine, model)


async def _drop_backup(engine: Engine, model: type[Model]) -> None:
    """Drop the 0.4 table kept during the swap, once every record it holds is in the
    current table."""
    compiler = engine.dialect.compiler
    sql = compiler.select_rows(LEGACY_BACKUP_TABLE, ["name"], ["name"])
    kept = {str(_text(r["name"])) for r in await engine.fetch(raw_form(compiler, sql))}
    rows = await model.all().using(engine).select(model._meta.columns["name"])
    current = {str(r["name"]) for r in rows}
    missing = sorted(kept - current)
    if missing:
        raise MigrationError(
            f"{LEGACY_BACKUP_TABLE} (the KakaORM 0.4 history kept during its upgrade) holds "
            f"records that {HISTORY_TABLE} lacks ({', '.join(missing)}); it was kept. Compare "
            "the two tables and copy the missing records, then drop it"
        )
    for sql in compiler.drop_table_by_name(LEGACY_BACKUP_TABLE):
        await engine.execute(raw_form(compiler, sql))


def _layout_or_none(table: TableSchema) -> str | None:
    try:
        return _layout(table)
    except MigrationError:
        return None


_staging: dict[type[Model], type[Model]] = {}


def _staging_model(model: type[Model]) -> type[Model]:
    """``model``'s columns on the table :data:`UPGRADE_TABLE`."""
    staging = _staging.get(model)
    if staging is None:
        attrs: dict[str, Any] = {
            "Meta": type("Meta", (), {"table_name": UPGRADE_TABLE}),
            "__module__": model.__module__,
        }
        staging = cast("type[Model]", ModelMeta(f"{model.__name__}Upgrade", (model,), attrs))
        _staging[model] = staging
    return staging
