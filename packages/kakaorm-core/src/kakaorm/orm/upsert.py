"""Upserts: ``Model.upsert()`` and ``bulk_create(on_conflict=...)``.

Rows are written with ``INSERT ... ON CONFLICT`` (PostgreSQL, SQLite) or ``INSERT ...
ON DUPLICATE KEY UPDATE`` (MySQL/MariaDB), then read back by their conflict column in
the same transaction, so every backend hands back the rows as stored, whether each
was inserted, updated or left alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from kakaorm import exc
from kakaorm.orm.columns import Column
from kakaorm.orm.persist import MAX_ROWS_PER_STATEMENT, check_batch_size, row_batches, stamp_times
from kakaorm.orm.state import PK_KEY, stored
from kakaorm.statements import Insert, OnConflict

if TYPE_CHECKING:
    from kakaorm.orm.model import Model

__all__ = ["bulk_upsert", "upsert_one"]

M = TypeVar("M", bound="Model")


def conflict_columns(model: type[Model], conflict: Sequence[str] | None, action: str) -> tuple[Column[Any], ...]:
    """The columns a collision is detected on: the primary key, or one unique column.

    Raises:
        ValueError: a name is not a column of ``model``.
        QueryError: the columns are not the primary key or a unique column.
    """
    meta = model._meta
    if conflict is None:
        return (meta.pk,)
    names = (conflict,) if isinstance(conflict, str) else tuple(conflict)
    cols = tuple(meta.column(n) for n in names)
    if len(cols) == 1 and (cols[0].primary_key or cols[0].unique):
        return cols
    allowed = [c.name for c in meta.column_list if c.primary_key or c.unique]
    raise exc.QueryError(
        f"{model.__name__}.{action}(conflict={names!r}): a conflict target must be the primary key "
        f"or one unique=True column, which a collision can be detected on; "
        f"{model.__name__} has: {', '.join(allowed)}"
    )


def update_columns(model: type[Model], update: Sequence[str], action: str) -> list[Column[Any]]:
    """The columns named by ``update=`` (ValueError naming an unknown one)."""
    if isinstance(update, str):
        update = (update,)
    return [model._meta.column(n) for n in update]


async def upsert_one(
    model: type[M], conflict: Sequence[str] | None, update: Sequence[str] | None, values: dict[str, Any]
) -> M:
    """Insert one row or update the stored row it collides with (see ``Model.upsert``)."""
    obj = model(**values)
    target = conflict_columns(model, conflict, "upsert")
    if update is None:
        given = [model._meta.columns[n] for n in values]
        cols = [c for c in given if all(c is not t for t in target)]
        cols += [c for c in model._meta.auto_now if c.name not in values]
    else:
        cols = update_columns(model, update, "upsert")
    return (await write_rows(model, [obj], target, cols, None, "upsert"))[0]


async def bulk_upsert(
    model: type[M],
    objects: Sequence[M],
    batch_size: int | None,
    on_conflict: str,
    conflict: Sequence[str] | None,
    update: Sequence[str] | None,
) -> list[M]:
    """``bulk_create(on_conflict="ignore" | "update")``; see ``Model.bulk_create``."""
    check_batch_size("bulk_create", batch_size)
    if on_conflict not in ("ignore", "update"):
        raise ValueError(f"bulk_create(on_conflict=...) takes 'ignore' or 'update', got {on_conflict!r}")
    target = conflict_columns(model, conflict, "bulk_create")
    meta = model._meta
    if on_conflict == "ignore":
        if update is not None:
            raise ValueError("bulk_create(on_conflict='ignore') keeps stored rows as they are; drop update=")
        cols: list[Column[Any]] = []
    elif update is None:
        cols = [
            c for c in meta.column_list
            if all(c is not t for t in target) and not c.primary_key and not c.auto_now_add
        ]
    else:
        cols = update_columns(model, update, "bulk_create")
    for obj in objects:
        if type(obj) is not model:
            raise TypeError(f"{model.__name__}.bulk_create() takes {model.__name__} instances, got {obj!r}")
        if stored(obj, PK_KEY) is not None:
            raise exc.QueryError(f"bulk_create(): {obj!r} is already saved; use save() to update it")
    result = objects if isinstance(objects, list) else list(objects)
    if not result:
        return result
    await write_rows(model, result, target, cols, batch_size, "bulk_create")
    return result


async def write_rows(
    model: type[M],
    objs: list[M],
    target: tuple[Column[Any], ...],
    update: list[Column[Any]],
    batch_size: int | None,
    action: str,
) -> list[M]:
    """Write ``objs`` with ON CONFLICT in one transaction, then fill each from its stored row."""
    meta = model._meta
    key = target[0]
    stamp_times(meta, objs)
    seen: set[Any] = set()
    for obj in objs:
        d = obj.__dict__
        value = d.get(key.name)
        if value is None:
            raise exc.QueryError(
                f"{model.__name__}.{action}(): the conflict column {key.name!r} has no value in {obj!r}; "
                "give every row a value for it (it is how a stored row is found)"
            )
        if value in seen:
            raise ValueError(
                f"{model.__name__}.{action}(): two rows have {key.name}={value!r}; one statement "
                "cannot write the same row twice, so keep one of them"
            )
        seen.add(value)
    pk = meta.pk
    engine = model._engine()
    features = engine.features
    on_conflict = OnConflict(target, update)
    groups = [
        [o for o in objs if pk.auto_increment and o.__dict__.get(pk.name) is None],
        [o for o in objs if not (pk.auto_increment and o.__dict__.get(pk.name) is None)],
    ]
    # every row is checked (types, NOT NULL, validators) before the first statement
    planned = []
    for group in groups:
        if not group:
            continue
        columns = [c for c in meta.column_list if not (c is pk and group[0].__dict__.get(pk.name) is None)]
        per_batch = max(1, features.max_params // max(1, len(columns)))
        per_batch = min(per_batch, batch_size or MAX_ROWS_PER_STATEMENT, MAX_ROWS_PER_STATEMENT)
        planned.append((columns, list(row_batches(group, columns, per_batch, features.max_statement_bytes))))
    async with engine.transaction():
        for columns, batches in planned:
            for _batch, rows in batches:
                await engine._execute_stmt(Insert(model, columns, rows, on_conflict=on_conflict))
        stored: dict[Any, Model] = {}
        keys = [o.__dict__[key.name] for o in objs]
        step = max(1, features.max_params - 1)
        for start in range(0, len(keys), step):
            for found in await model.where(key.in_(keys[start : start + step])):
                stored[found.__dict__[key.name]] = found
        for obj in objs:
            row = stored.get(obj.__dict__[key.name])
            if row is None:
                raise exc.QueryError(
                    f"{model.__name__}.{action}(): the row with {key.name}={obj.__dict__[key.name]!r} was not "
                    "found after writing it (on MySQL, another unique column may have collided first)"
                )
            obj.__dict__.update({n: row.__dict__[n] for n in meta.names})
            obj.__dict__[PK_KEY] = row.__dict__[pk.name]
    return objs
