"""The row helpers models carry besides ``save()``/``create()``: ``find``,
``get_or_create``, ``update_or_create`` and ``bulk_update``.

Race safety of ``get_or_create``/``update_or_create``: the INSERT runs in its own
transaction (a savepoint inside the caller's); when it fails with an
IntegrityError, another caller created the row first, and the helper reads that
row instead with a locking read (``FOR UPDATE``), which sees the latest committed
row even in a transaction whose snapshot predates it (a MySQL session set to
REPEATABLE READ; KakaORM's sessions use READ COMMITTED). ``update_or_create``
locks the row it updates between reading and writing it. All this needs a unique
constraint (or the primary key) covering the lookup fields: without one,
concurrent callers can each INSERT a row, and a later call finds several
(``MultipleResults``).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from kakaorm import exc
from kakaorm.expr import Case, Comparison, Condition, Expression, InList, Param, When
from kakaorm.orm.columns import Column, coerce_value, utcnow
from kakaorm.orm.persist import check_batch_size, row_batches
from kakaorm.orm.state import PK_KEY
from kakaorm.statements import Select, Update

if TYPE_CHECKING:
    from kakaorm.orm.model import Model

__all__ = ["bulk_update", "find", "get_or_create", "update_or_create"]

M = TypeVar("M", bound="Model")

#: how often update_or_create starts over when the row it found is gone (or no longer
#: matches) by the time it is locked
_ATTEMPTS = 5

#: bulk_update: the most rows one UPDATE carries, whatever the parameter limit allows
_MAX_ROWS = 1000


def _unknown_field(model: type[Model], action: str, name: str, where: str) -> str:
    """The message for a field name the model does not have (0.4's wording opens it)."""
    names = list(model._meta.columns)
    message = f"Unknown field {name!r} in the {where} of {model.__name__}.{action}()"
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if close:
        message += f"; did you mean {close[0]!r}?"
    return f"{message}; valid fields: {', '.join(sorted(names))}"


def _lookup_conditions(
    model: type[Model], action: str, defaults: Mapping[str, Any] | None, lookup: Mapping[str, Any]
) -> list[Condition]:
    """``column == value`` for each lookup field, after checking every field name."""
    columns = model._meta.columns
    if defaults is not None and not isinstance(defaults, Mapping):
        raise TypeError(
            f"{model.__name__}.{action}(defaults=...) takes a dict of field values, "
            f"got {type(defaults).__name__}"
        )
    if not lookup:
        raise TypeError(
            f"{model.__name__}.{action}() needs at least one field=value to look the row "
            f"up by, e.g. {action}(email='a@example.com', defaults={{...}})"
        )
    for name in defaults or ():
        if name not in columns:
            raise TypeError(_unknown_field(model, action, name, "defaults"))
    conditions: list[Condition] = []
    for name, value in lookup.items():
        col = columns.get(name)
        if col is None:
            raise TypeError(_unknown_field(model, action, name, "lookup"))
        if isinstance(value, Expression):
            raise TypeError(
                f"{model.__name__}.{action}({name}=...) takes a value, not a column or "
                "expression; filter with where() instead"
            )
        conditions.append(col == coerce_value(col, value))
    return conditions


async def find(model: type[M], key: Any) -> M | None:
    """The row whose primary key is ``key``, or None."""
    if key is None:
        return None
    pk = model._meta.pk
    value = coerce_value(pk, key)
    return await model.all().where(Comparison(pk, "=", Param(value, pk.type))).get_or_none()


async def get_or_create(
    model: type[M], defaults: Mapping[str, Any] | None, lookup: Mapping[str, Any]
) -> tuple[M, bool]:
    """See :meth:`Model.get_or_create`."""
    # a replica may not have the row yet: reads that decide a write go to the primary
    query = model.all().using("primary").where(*_lookup_conditions(model, "get_or_create", defaults, lookup))
    found = await query.get_or_none()
    if found is not None:
        return found, False
    obj = model(**{**lookup, **(defaults or {})})
    try:
        async with model._engine().transaction():
            await obj.save()
    except exc.IntegrityError:
        # another caller inserted the row since the read above (or the INSERT broke
        # another constraint: then there is still no such row, and the error stands)
        winner = await query._for_update().get_or_none()
        if winner is None:
            raise
        return winner, False
    return obj, True


async def update_or_create(
    model: type[M], defaults: Mapping[str, Any] | None, lookup: Mapping[str, Any]
) -> tuple[M, bool]:
    """See :meth:`Model.update_or_create`."""
    query = model.all().using("primary").where(*_lookup_conditions(model, "update_or_create", defaults, lookup))
    changes = dict(defaults or {})
    columns = model._meta.columns
    pk = model._meta.pk
    engine = model._engine()
    for _ in range(_ATTEMPTS):
        found = await query.get_or_none()
        conflict: exc.IntegrityError | None = None
        if found is None:
            obj = model(**{**lookup, **changes})
            try:
                async with engine.transaction():
                    await obj.save()
                return obj, True
            except exc.IntegrityError as err:
                conflict = err  # someone created it first: lock theirs, update it below
        async with engine.transaction():
            target = query if found is None else query.where(pk == found.__dict__[pk.name])
            # locked until the transaction ends, so no other writer changes the row
            # between this read and the UPDATE (save() writes every column)
            row = await target._for_update().get_or_none()
            if row is not None:
                for name, value in changes.items():
                    setattr(row, name, coerce_value(columns[name], value))
                await row.save()
                return row, False
        if conflict is not None:
            # the INSERT failed, yet no row matches: it broke another constraint (or a
            # soft-deleted row holds the value), which a retry would break again
            raise conflict
    raise exc.OperationalError(
        f"{model.__name__}.update_or_create(): the matching row was deleted or changed "
        f"{_ATTEMPTS} times between reading and locking it; retry the call"
    )


async def bulk_update(
    model: type[M], objects: Sequence[M], fields: Sequence[str] | None, batch_size: int | None
) -> list[M]:
    """See :meth:`Model.bulk_update`."""
    meta = model._meta
    pk = meta.pk
    objs = list(objects)
    result = objects if isinstance(objects, list) else objs
    if isinstance(fields, str):
        raise TypeError(
            f"{model.__name__}.bulk_update(fields=...) takes a list of field names, "
            f"e.g. [{fields!r}], not a string"
        )
    check_batch_size("bulk_update", batch_size)
    if fields is None:
        names = [c.name for c in meta.column_list if c is not pk]
    else:
        names = []
        for name in fields:
            if name not in meta.columns:
                raise ValueError(_unknown_field(model, "bulk_update", name, "fields"))
            # the key is how each row is found, never a value bulk_update writes
            if name != pk.name and name not in names:
                names.append(name)
    columns: list[Column[Any]] = [meta.columns[n] for n in names]
    columns += [c for c in meta.auto_now if c.name not in names]

    unique: dict[Any, M] = {}
    for obj in objs:
        if type(obj) is not model:
            raise TypeError(f"{model.__name__}.bulk_update() takes {model.__name__} instances, got {obj!r}")
        d = obj.__dict__
        key = d.get(PK_KEY)
        if key is None:
            raise exc.QueryError(
                f"bulk_update(): {obj!r} is not in the database (never saved, or deleted); "
                "insert it with save() or bulk_create() first"
            )
        if d.get(pk.name) != key:
            raise exc.QueryError(
                f"bulk_update(): the {pk.name} of {model.__name__} row {key!r} was changed to "
                f"{d.get(pk.name)!r}; bulk_update() finds rows by their key and never changes "
                "it: save() that instance instead"
            )
        seen = unique.get(key)
        if seen is not None and seen is not obj:
            raise exc.QueryError(
                f"bulk_update(): two different {model.__name__} instances stand for the row "
                f"{pk.name}={key!r}; pass one instance per row"
            )
        unique[key] = obj
    if not unique or not columns:
        return result
    batch_objs = list(unique.values())
    if meta.auto_now:
        now = utcnow()
        for obj in batch_objs:
            for col in meta.auto_now:
                obj.__dict__[col.name] = now

    engine = model._engine()
    # each row binds its key once per column (CASE) and once in IN (...)
    per_row = 2 * len(columns) + 1
    per_batch = min(_MAX_ROWS, max(1, engine.features.max_params // per_row))
    if batch_size is not None:
        per_batch = min(per_batch, batch_size)
    # the statement text grows with each row too: "WHEN <table>.<key> = ? THEN ?" per column
    text_per_row = len(columns) * (len(meta.table_name) + len(pk.name) + 32)
    overhead = 64 * (len(columns) + 1) + text_per_row
    # every row's values are read (type-checked and validated) before the first
    # statement, so an instance that is refused leaves nothing sent
    planned = list(row_batches(batch_objs, columns, per_batch, engine.features.max_statement_bytes, overhead))
    async with engine.transaction():
        for batch, rows in planned:
            keys = [obj.__dict__[PK_KEY] for obj in batch]
            matched = await engine._execute_stmt(_case_update(model, columns, keys, rows))
            if matched != len(batch):
                await _raise_missing(model, keys)
    return result


def _case_update(
    model: type[Model], columns: Sequence[Column[Any]], keys: Sequence[Any], rows: Sequence[Sequence[Any]]
) -> Update:
    """``UPDATE t SET c = CASE WHEN key = ? THEN ? ... ELSE c END, ... WHERE key IN (...)``."""
    pk = model._meta.pk
    assignments: list[tuple[Column[Any], Expression[Any]]] = []
    for i, col in enumerate(columns):
        whens = [
            When(Comparison(pk, "=", Param(key, pk.type)), Param(row[i], col.type))
            for key, row in zip(keys, rows)
        ]
        assignments.append((col, Case(*whens, default=col)))
    where = InList(pk, [Param(key, pk.type) for key in keys], negate=False)
    return Update(model, assignments, where)


async def _raise_missing(model: type[Model], keys: Sequence[Any]) -> None:
    """NotFound naming the keys whose rows an UPDATE did not find."""
    pk = model._meta.pk
    engine = model._engine()
    _, rows = await engine._select(Select(model, [pk], where=pk.in_(keys)))
    present = {row[0] for row in rows}
    missing = [k for k in keys if k not in present]
    raise model.NotFound(
        f"bulk_update(): no {model.__name__} row with {pk.name} in {missing!r} exists any more "
        "(deleted); nothing was written"
    )
