"""Mistakes in raw SQL that a review found mapped to the wrong error class.

Subquery cardinality (a scalar subquery yielding two rows) is a ProgrammingError
wherever the database detects it: PostgreSQL SQLSTATE 21000, MySQL error 1242.
"""

from __future__ import annotations

import pytest

import kakaorm


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1 UNION SELECT 1, 2",  # the SELECTs of a UNION differ in column count
        "SELECT kakaorm_no_such_function(1)",  # an unknown function
    ],
)
async def test_a_malformed_raw_statement_is_a_programming_error(engine, sql):
    with pytest.raises(kakaorm.ProgrammingError):
        await engine.fetch(sql)
    assert await engine.fetchval("SELECT 1") == 1  # the connection is still usable


@pytest.mark.backends("postgres", "mysql")
async def test_a_scalar_subquery_returning_two_rows_is_a_programming_error(engine):
    with pytest.raises(kakaorm.ProgrammingError, match=r"more than (one|1) row"):
        await engine.fetch("SELECT (SELECT 1 UNION ALL SELECT 2) AS v")


@pytest.mark.backends("sqlite")
async def test_sqlite_takes_the_first_row_of_a_scalar_subquery(engine):
    # SQLite does not check subquery cardinality: it has no error to map. This pins
    # the documented difference rather than skipping the case.
    assert await engine.fetchval("SELECT (SELECT 1 UNION ALL SELECT 2)") == 1
