"""``QuerySet.sql()`` and ``QuerySet.explain()``: what a query sends, and how the
database plans to run it (a base class of :class:`~kakaorm.orm.queryset.QuerySet`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from kakaorm.engine.explain import explain_statement, statement_sql
from kakaorm.statements import Select

if TYPE_CHECKING:
    from kakaorm.engine.engine import Engine

__all__ = ["QueryInspection"]


class _Query(Protocol):
    def _engine_or_default(self) -> Engine: ...

    def _build_select(self) -> Select: ...


class QueryInspection:
    """The query set's methods that show its SQL and plan without fetching rows."""

    __slots__ = ()

    def sql(self: _Query) -> tuple[str, list[Any]]:
        """The SQL and the bound values this query sends, for the dialect of its engine
        (``using()``'s, or the default one), with that dialect's placeholders.

        Example::

            >>> Post.where(Post.views > 10).limit(5).sql()   # on PostgreSQL (asyncpg)
            ('SELECT "post"."id", ... FROM "post" WHERE "post"."views" > $1 LIMIT 5', [10])
        """
        return statement_sql(self._engine_or_default(), self._build_select())

    async def explain(self: _Query, analyze: bool = False) -> str:
        """The database's plan for this query, as its EXPLAIN prints it.

        PostgreSQL: ``EXPLAIN [ANALYZE]``; MySQL/MariaDB: ``EXPLAIN`` (``analyze``:
        MariaDB's ``ANALYZE``, MySQL's ``EXPLAIN ANALYZE``); SQLite: ``EXPLAIN QUERY
        PLAN``. A plan of one column is its lines; a plan of several columns is a
        header line of their names, then one tab-separated line per row.

        Args:
            analyze: run the query and report measured rows and times (it really runs:
                mind queries with side effects).

        Raises:
            QueryError: ``analyze=True`` on SQLite, which cannot measure a statement.
        """
        return await explain_statement(self._engine_or_default(), self._build_select(), analyze)
