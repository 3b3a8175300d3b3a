"""Saving many instances at once: multi-row INSERTs in batches that stay under the
database's limits (bound parameters, statement size).

The engine runs the statements (:meth:`Engine._insert_many` reports the generated
keys); deciding what to write, in which batches, and filling the instances in is
the ORM's work and lives here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterator, Sequence
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any, TypeVar

from kakaorm import exc
from kakaorm.engine.cache import build_paused
from kakaorm.orm.columns import Column, coerce_value, utcnow
from kakaorm.orm.state import PK_KEY, put, stored
from kakaorm.orm.validation import check_values
from kakaorm.statements import Insert

if TYPE_CHECKING:
    from kakaorm.engine.engine import Engine
    from kakaorm.orm.model import Model
    from kakaorm.orm.options import ModelOptions

__all__ = [
    "bulk_insert", "check_batch_size", "insert_row", "insert_values", "instance_rows", "row_batches", "row_values",
    "stamp_times",
]

M = TypeVar("M", bound="Model")

#: no statement carries more rows than this, whatever the database allows
MAX_ROWS_PER_STATEMENT = 1000


def _dict_reader(get: Callable[[dict[str, Any]], Any]) -> Callable[[Model], Any]:
    """``get`` applied to an instance's ``__dict__``."""
    return lambda obj: get(obj.__dict__)


def row_values(obj: Model, columns: Sequence[Column[Any]]) -> list[Any]:
    """The values ``obj`` writes to ``columns``, type-checked and validated: every
    write of an instance (insert, update, bulk insert) takes its values from here. A
    value converted to its column's type is stored back converted.

    Raises:
        IntegrityError: a NOT NULL column has no value.
        TypeError: a value has the wrong type for its column.
        ValidationError: column validators refused values.
    """
    out: list[Any] = []
    append = out.append
    # state.stored() inline, decided once for the row
    attributes = obj._meta.attribute_access
    d = None if attributes else obj.__dict__
    for col in columns:
        name = col.name
        value = getattr(obj, name, None) if d is None else d.get(name)
        if value is None:
            if not col.nullable and not (col.primary_key and col.auto_increment):
                raise exc.IntegrityError(
                    f"{type(obj).__name__}.{col.name} is NOT NULL and has no value; set it before saving"
                )
        elif type(value) is not col.write_exact_type:
            value = coerce_value(col, value)
            put(obj, col.name, value)
        append(value)
    if obj._meta.validated:
        check_values(zip(columns, out), obj)
    return out


def insert_values(obj: Model) -> tuple[tuple[Column[Any], ...], Hashable, list[Any], bool]:
    """What ``save()`` of a new instance writes: the automatic timestamps are set on
    ``obj`` first; then the columns, their compile-cache key part, the values (see
    :func:`row_values`) and whether the database makes the key."""
    meta = obj._meta
    if meta.auto_now_add or meta.auto_now:
        stamp_times(meta, (obj,), meta.attribute_access)
    pk = meta.pk
    key_generated = pk.auto_increment and stored(obj, pk.name) is None
    columns, columns_key = meta.insert_shape(key_generated)
    return columns, columns_key, row_values(obj, columns), key_generated


def insert_row(
    model: type[Model], columns: Sequence[Column[Any]], columns_key: Hashable, values: list[Any], key_generated: bool
) -> Awaitable[Any]:
    """INSERT the row of one new instance (what :func:`insert_values` gave); the
    awaitable gives the key the database generated, or None unless ``key_generated``.

    The statement's compile-cache key depends only on the model and on the two
    flags, so it is made once per model (``ModelOptions.insert_keys``) by the same
    :class:`Insert` the first call builds and compiles. Later calls look the
    compiled statement up under it and run it with the row's values, building no
    statement, computing no key and adding no coroutine of their own: callgrind
    counted 198,390 -> 189,722 instructions per SQLite ``create()`` (raw aiosqlite
    about 127,000).
    """
    engine = model._engine()
    returning = key_generated and engine._key_returned()
    key = model._meta.insert_keys.get((key_generated, returning))
    entry = None if key is None else engine._compiled(key)
    if entry is None:
        return _first_insert(engine, model, columns, columns_key, values, key_generated, returning)
    return engine._insert_compiled(entry, entry.row_values((values,)), key_generated, returning)


async def _first_insert(
    engine: Engine,
    model: type[Model],
    columns: Sequence[Column[Any]],
    columns_key: Hashable,
    values: list[Any],
    key_generated: bool,
    returning: bool,
) -> Any:
    """:func:`insert_row` through an :class:`Insert`, which the engine compiles and
    caches; its cache key is then kept for the model."""
    stmt = Insert(model, columns, [values], columns_key=columns_key)
    generated = await engine._insert(stmt, model._meta.pk if key_generated else None)
    model._meta.insert_keys[key_generated, returning] = stmt._key([])  # with its RETURNING, if any
    return generated


async def bulk_insert(model: type[M], objects: Sequence[M], batch_size: int | None) -> list[M]:
    """INSERT many instances of one model in batches of multi-row statements."""
    check_batch_size("bulk_create", batch_size)
    objs = list(objects)
    meta = model._meta
    # read and fill the instances through their attributes where that is the same as
    # their __dict__, which would otherwise be built for each of them (see
    # kakaorm.orm.state.reads_attributes); the per-instance reads below are
    # state.stored() written inline, decided once for the batch
    attributes = meta.attribute_access
    for obj in objs:
        if type(obj) is not model:
            raise TypeError(
                f"{model.__name__}.bulk_create() takes {model.__name__} instances, got {obj!r}"
            )
        if (getattr(obj, PK_KEY, None) if attributes else obj.__dict__.get(PK_KEY)) is not None:
            raise exc.QueryError(f"bulk_create(): {obj!r} is already saved; use save() to update it")
    # the very instances (and list) given come back, filled in
    result = objects if isinstance(objects, list) else objs
    if not objs:
        return result
    engine = model._engine()
    pk = meta.pk
    stamp_times(meta, objs, attributes)
    # rows that let the database generate the key, and rows that bring their own
    generated: list[M] = []
    given: list[M] = []
    if pk.auto_increment:
        pk_name = pk.name
        for o in objs:
            key = getattr(o, pk_name, None) if attributes else o.__dict__.get(pk_name)
            (generated if key is None else given).append(o)
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
                if attributes:
                    if with_key:
                        for obj, key in zip(batch, keys):
                            setattr(obj, name, key)
                            setattr(obj, PK_KEY, key)
                    else:
                        for obj in batch:
                            setattr(obj, PK_KEY, getattr(obj, name))
                elif with_key:
                    for obj, key in zip(batch, keys):
                        d = obj.__dict__
                        d[name] = d[PK_KEY] = key
                else:
                    for obj in batch:
                        d = obj.__dict__
                        d[PK_KEY] = d[name]
    return result


def stamp_times(meta: ModelOptions, objs: Sequence[Model], attributes: bool = False) -> None:
    """Set the ``auto_now`` columns of every instance, and the ``auto_now_add`` ones
    still empty, to one shared current time (a batch is written at one moment).

    ``attributes``: read and store them as attributes rather than through each
    instance's ``__dict__`` (``ModelOptions.attribute_access``)."""
    if not meta.auto_now_add and not meta.auto_now:
        return
    now = utcnow()
    if attributes:
        for obj in objs:
            for col in meta.auto_now_add:
                if getattr(obj, col.name, None) is None:
                    setattr(obj, col.name, now)
            for col in meta.auto_now:
                setattr(obj, col.name, now)
        return
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

    ``objs`` are instances of one model (the callers check it).
    """
    if not objs:
        return []
    if not columns or objs[0]._meta.validated:
        return [o._row_values(columns) for o in objs]
    names = [c.name for c in columns]
    # Read as attributes where that gives what the instance dict holds, so that no
    # instance has a dict built for it here (an absent value reads as AttributeError,
    # or None, which no exact type matches).
    attributes = objs[0]._meta.attribute_access
    read = attrgetter(*names) if attributes else _dict_reader(itemgetter(*names))
    single = len(columns) == 1
    if not single:
        # the usual batch, where every value has its column's exact type, is checked a
        # column at a time with no Python loop per row; any other batch row by row below
        try:
            rows = list(map(read, objs))
        except (KeyError, AttributeError):  # a column never set on some instance
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
            row = read(obj)
        except (KeyError, AttributeError):  # a column never set: _row_values says what is missing
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
