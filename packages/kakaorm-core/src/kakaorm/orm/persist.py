"""Saving many instances at once: multi-row INSERTs in batches that stay under the
database's limits (bound parameters, statement size).

The engine runs the statements (:meth:`Engine._insert_many` reports the generated
keys); deciding what to write, in which batches, and filling the instances in is
the ORM's work and lives here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any, TypeVar

from kakaorm import exc
from kakaorm.engine.cache import build_paused
from kakaorm.orm.columns import Column, utcnow
from kakaorm.orm.state import PK_KEY
from kakaorm.statements import Insert

if TYPE_CHECKING:
    from kakaorm.orm.model import Model
    from kakaorm.orm.options import ModelOptions

__all__ = ["bulk_insert", "check_batch_size", "instance_rows", "row_batches", "stamp_times"]

M = TypeVar("M", bound="Model")

#: no statement carries more rows than this, whatever the database allows
MAX_ROWS_PER_STATEMENT = 1000

_instance_dict = attrgetter("__dict__")


async def bulk_insert(model: type[M], objects: Sequence[M], batch_size: int | None) -> list[M]:
    """INSERT many instances of one model in batches of multi-row statements."""
    check_batch_size("bulk_create", batch_size)
    objs = list(objects)
    for obj in objs:
        if type(obj) is not model:
            raise TypeError(
                f"{model.__name__}.bulk_create() takes {model.__name__} instances, got {obj!r}"
            )
        if obj.__dict__.get(PK_KEY) is not None:
            raise exc.QueryError(f"bulk_create(): {obj!r} is already saved; use save() to update it")
    # the very instances (and list) given come back, filled in
    result = objects if isinstance(objects, list) else objs
    if not objs:
        return result
    engine = model._engine()
    meta = model._meta
    pk = meta.pk
    stamp_times(meta, objs)
    # rows that let the database generate the key, and rows that bring their own
    generated: list[M] = []
    given: list[M] = []
    if pk.auto_increment:
        pk_name = pk.name
        for o in objs:
            (generated if o.__dict__.get(pk_name) is None else given).append(o)
    else:
        given = objs
    features = engine.features
    # every row's values are read (type-checked and validated) before the first
    # statement, so an instance that is refused leaves nothing written
    planned: list[tuple[bool, list[Column[Any]], list[tuple[list[M], list[Sequence[Any]]]]]] = []
    for group, with_key in ((generated, True), (given, False)):
        if not group:
            continue
        columns = [c for c in meta.column_list if not (with_key and c is pk)]
        per_batch = max(1, features.max_params // max(1, len(columns)))
        if batch_size is not None:
            per_batch = min(per_batch, batch_size)
        per_batch = min(per_batch, MAX_ROWS_PER_STATEMENT)
        if with_key and not features.returning and not features.consecutive_insert_keys:
            # only a single-row INSERT reports its key exactly
            per_batch = 1
        # the generator runs inside list(), so the rows are read during the pause
        batches: list[tuple[list[M], list[Sequence[Any]]]] = build_paused(
            len(group), list, row_batches(group, columns, per_batch, features.max_statement_bytes)
        )
        planned.append((with_key, columns, batches))
    async with engine.transaction():
        for with_key, columns, batches in planned:
            for batch, rows in batches:
                stmt = Insert(model, columns, rows)
                keys = await engine._insert_many(stmt, pk if with_key else None)
                name = pk.name
                if with_key:
                    for obj, key in zip(batch, keys):
                        d = obj.__dict__
                        d[name] = d[PK_KEY] = key
                else:
                    for obj in batch:
                        d = obj.__dict__
                        d[PK_KEY] = d[name]
    return result


def stamp_times(meta: ModelOptions, objs: Sequence[Model]) -> None:
    """Set the ``auto_now`` columns of every instance, and the ``auto_now_add`` ones
    still empty, to one shared current time (a batch is written at one moment)."""
    if not meta.auto_now_add and not meta.auto_now:
        return
    now = utcnow()
    for obj in objs:
        d = obj.__dict__
        for col in meta.auto_now_add:
            if d.get(col.name) is None:
                d[col.name] = now
        for col in meta.auto_now:
            d[col.name] = now


def check_batch_size(action: str, batch_size: int | None) -> None:
    """ValueError unless ``batch_size`` is None or a positive int (bulk_create/bulk_update)."""
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"{action}(batch_size=...) must be a positive int, got {batch_size!r}")


def instance_rows(objs: Sequence[Model], columns: Sequence[Column[Any]]) -> list[Sequence[Any]]:
    """The values each instance writes to ``columns``: ``Model._row_values`` (which
    type-checks, converts and validates), except that a row whose values all have
    exactly their column's plain type is taken as it is (there is nothing to check or
    convert; a None never matches, so NOT NULL is still checked there).
    """
    if not objs:
        return []
    if not columns or objs[0]._meta.validated:
        return [o._row_values(columns) for o in objs]
    get = itemgetter(*[c.name for c in columns])
    single = len(columns) == 1
    if not single:
        # the usual batch, where every value has its column's exact type, is checked a
        # column at a time with no Python loop per row; any other batch row by row below
        try:
            rows = list(map(get, map(_instance_dict, objs)))
        except KeyError:  # a column never set on some instance
            pass
        else:
            for col, values in zip(columns, zip(*rows)):
                if set(map(type, values)) != {col.write_exact_type}:
                    break
            else:
                return rows
    exact = tuple(c.write_exact_type for c in columns)
    out: list[Sequence[Any]] = []
    append = out.append
    for obj in objs:
        try:
            row = get(obj.__dict__)
        except KeyError:  # a column never set: _row_values says what is missing
            append(obj._row_values(columns))
            continue
        if single:
            row = (row,)
        if tuple(map(type, row)) == exact:
            append(row)
        else:
            append(obj._row_values(columns))
    return out


def row_batches(
    objs: list[M], columns: Sequence[Column[Any]], per_batch: int, max_bytes: int | None,
    row_overhead: int = 0,
) -> Iterator[tuple[list[M], list[Sequence[Any]]]]:
    """Split instances into batches of at most ``per_batch`` rows and, when the
    database limits statement size, of values that fit ``max_bytes`` (each row also
    counting ``row_overhead`` bytes of statement text and extra values).

    Yields each batch with the rows of values to write (see :func:`instance_rows`).
    """
    if max_bytes is None:
        for start in range(0, len(objs), per_batch):
            chunk = objs[start : start + per_batch]
            yield chunk, instance_rows(chunk, columns)
        return
    # a pessimistic size of each value written out as a literal: text may double
    # when escaped; numbers, dates and NULL stay well under 64 bytes
    text_columns = [i for i, c in enumerate(columns) if c.sql_type.kind == "str"]
    fixed = 64 * (len(columns) - len(text_columns)) + row_overhead
    budget = max_bytes - 4096  # the statement's own text: names, VALUES, RETURNING
    batch: list[M] = []
    rows: list[Sequence[Any]] = []
    size = 0
    for obj, row in zip(objs, instance_rows(objs, columns)):
        n = fixed
        for i in text_columns:
            v = row[i]
            if isinstance(v, str):
                n += 2 * (len(v) if v.isascii() else len(v.encode("utf-8", "surrogatepass"))) + 3
            else:
                n += 64
        if batch and (len(batch) >= per_batch or size + n > budget):
            yield batch, rows
            batch, rows, size = [], [], 0
        batch.append(obj)
        rows.append(row)
        size += n
    if batch:
        yield batch, rows
