"""Raw SQL given to ``engine.fetch``/``execute``/``fetchval``: those methods, its
``%s`` placeholders in the dialect's form, and its values bound as the dialect binds
them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from kakaorm import exc
from kakaorm.dialect import Dialect
from kakaorm.expr import Param

if TYPE_CHECKING:
    from kakaorm.engine.engine import Engine

__all__ = ["RawSQLMethods", "raw_statement"]


class RawSQLMethods:
    """The raw SQL methods of :class:`~kakaorm.Engine` (a base class of it)."""

    async def fetch(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        """Run a raw query with ``%s`` placeholders; return the rows as dicts.

        ``%%`` is a literal percent sign. Values are always bound, never pasted.
        """
        engine, text, values = self._raw(sql, params)
        names, rows = await engine._run(lambda c: c.fetch_described(text, values), text, values)
        return [dict(zip(names, row)) for row in rows]

    async def execute(self, sql: str, params: Sequence[Any] | None = None) -> int:
        """Run a raw statement with ``%s`` placeholders; return the affected row count."""
        engine, text, values = self._raw(sql, params)
        return await engine._run(lambda c: c.execute(text, values), text, values)

    async def fetchval(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """Run a raw query; return the first column of the first row (None if no row)."""
        engine, text, values = self._raw(sql, params)
        rows = await engine._run(lambda c: c.fetch(text, values), text, values)
        return rows[0][0] if rows else None

    def _raw(self, sql: str, params: Sequence[Any] | None) -> tuple[Engine, str, list[Any]]:
        """The engine, and ``sql`` with its values as the engine's dialect takes them."""
        engine = cast("Engine", self)
        text, values = raw_statement(engine.dialect, sql, params)
        return engine, text, values


def raw_statement(dialect: Dialect, sql: str, params: Sequence[Any] | None) -> tuple[str, list[Any]]:
    """``(sql in the dialect's placeholder form, bind values)`` for raw SQL.

    Raises:
        QueryError: the placeholders and the values do not pair up.
        TypeError: ``params`` is not a list or tuple.
    """
    text, placeholders = dialect.compiler.raw_statement(sql)
    values = _raw_values(dialect, params)
    if placeholders != len(values):
        raise exc.QueryError(
            f"raw SQL has {placeholders} %s placeholder(s) but {len(values)} parameter(s) "
            "were given; pass one value per %s (write a literal percent sign as %%)"
        )
    return text, values


def _raw_values(dialect: Dialect, params: Sequence[Any] | None) -> list[Any]:
    if params is None:
        return []
    if isinstance(params, (str, bytes)) or not isinstance(params, Sequence):
        raise TypeError("raw SQL parameters are a list or tuple, e.g. [42] or ('a', 1)")
    out = []
    for value in params:
        p = Param(value)
        proc = dialect.bind_processor(p.type) if p.type is not None and value is not None else None
        out.append(proc(value) if proc is not None else value)
    return out
