"""What a statement compiles to for an engine's dialect, and the database's plan for it
(``QuerySet.sql()`` and ``QuerySet.explain()``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kakaorm.statements import Statement

if TYPE_CHECKING:
    from kakaorm.engine.engine import Engine

__all__ = ["explain_statement", "statement_sql"]


def statement_sql(engine: Engine, stmt: Statement) -> tuple[str, list[Any]]:
    """The SQL (with the dialect's placeholders) and the values, converted for the
    driver, that the engine would send for ``stmt``."""
    entry, values = engine._prepare(stmt)
    return entry.sql, list(values)


async def explain_statement(engine: Engine, stmt: Statement, analyze: bool) -> str:
    """The database's plan for ``stmt`` as text: one line per row of the plan; a plan
    of several columns (MySQL's EXPLAIN) has a header line of their names and its
    values separated by tabs.

    Raises:
        QueryError: ``analyze`` on a database that cannot run and measure a statement.
    """
    sql, values = statement_sql(engine, stmt)
    text = engine.dialect.compiler.explain(sql, analyze)
    names, rows = await engine._run(lambda c: c.fetch_described(text, values), text, values)
    if len(names) == 1:
        return "\n".join(str(row[0]) for row in rows)
    lines = ["\t".join(names)]
    lines.extend("\t".join("" if v is None else str(v) for v in row) for row in rows)
    return "\n".join(lines)
