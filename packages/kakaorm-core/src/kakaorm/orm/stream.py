"""``QuerySet.iterator()``: a query's results streamed chunk by chunk, each chunk
converted and hydrated as ``await query`` would (the same compiled entry and row
builder), its prefetched relations loaded per chunk.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, TypeVar

from kakaorm import exc
from kakaorm.engine.stream import check_chunk_size, in_transaction, stream_select
from kakaorm.orm.hydrate import hydrate_models
from kakaorm.orm.locking import check_lock
from kakaorm.orm.relations import prefetch_related

if TYPE_CHECKING:
    from kakaorm.orm.queryset import QuerySet

__all__ = ["iterate_query", "queryset_iterator"]

R = TypeVar("R")

_PREFETCH_ONE_CONNECTION = (
    "iterator() with prefetch() on {dialect}: the database has one connection, which "
    "the iterator holds, so the prefetch queries between chunks would wait for it. "
    "Run the loop inside `async with engine.transaction():` (the prefetch queries then "
    "share the connection), or drop prefetch()"
)


def queryset_iterator(self: QuerySet[R], chunk_size: int = 2000) -> AsyncIterator[R]:
    """Stream the query's results one at a time, holding about ``chunk_size`` rows.

    ``QuerySet.iterator``. It yields what awaiting the query gives (model instances,
    or dicts after ``select()``), converted the same way, with ``prefetch()``
    relations loaded per chunk. Rows come through a server-side cursor on
    PostgreSQL, an unbuffered result on MariaDB/MySQL and ``fetchmany`` on SQLite.

    Outside a transaction the iterator holds a pooled connection until the loop
    ends, breaks, raises or is cancelled. Leaving a loop early, wrap the iterator in
    ``contextlib.aclosing`` to give the connection back at once (otherwise the event
    loop closes the abandoned iterator shortly after). Inside
    ``engine.transaction()`` it reads through the transaction's connection and sees
    its uncommitted rows. What the loop body may run meanwhile differs per database:
    see docs/queries.md.

    Args:
        chunk_size: rows read from the database per round trip.

    Returns:
        An async iterator (an async generator: it has ``aclose()``).

    Raises:
        ValueError: ``chunk_size`` is not an int of at least 1.
        QueryError: ``prefetch()`` on SQLite outside a transaction (the one
            connection is held by the iterator).

    Example::

        async for post in Post.where(Post.published == True).order_by(Post.id).iterator(chunk_size=500):
            await send(post)
    """
    return iterate_query(self, check_chunk_size(chunk_size))


async def iterate_query(qs: QuerySet[Any], chunk_size: int) -> AsyncIterator[Any]:
    """Yield the results of ``qs`` (instances, or dicts after ``select()``), reading
    ``chunk_size`` rows at a time; see :meth:`QuerySet.iterator`."""
    engine = qs._engine_or_default()
    if qs._lock is not None and qs._lock.strict:
        check_lock(qs, engine, "iterator")
    models = qs._returns_models()
    prefetch = qs._prefetch if models else ()
    if prefetch and engine.features.single_connection and not in_transaction(engine):
        raise exc.QueryError(_PREFETCH_ONE_CONNECTION.format(dialect=engine.dialect.name))
    stmt = qs._build_select()
    model = qs._model
    # aclosing: closing this iterator closes the stream at once (its connection
    # goes back to the pool), not whenever the event loop finalises it
    async with contextlib.aclosing(stream_select(engine, stmt, chunk_size)) as chunks:
        async for entry, rows in chunks:
            if models:
                instances = hydrate_models(entry, model, rows)
                for path in prefetch:
                    await prefetch_related(qs._engine, instances, path)
                for obj in instances:
                    yield obj
            else:
                as_tuples = qs._projection.tuples
                for item in entry.hydrate_dicts(rows):
                    yield tuple(item.values()) if as_tuples else item
