"""SQLite reports most failures as OperationalError: a mistake in the statement becomes a
ProgrammingError, a problem of the database file stays an OperationalError."""

from __future__ import annotations

import sqlite3

import pytest

import kakaorm
from kakaorm_sqlite.errors import translate_error

pytestmark = pytest.mark.backends("sqlite")


@pytest.mark.parametrize(
    "message",
    ["no such function: nope", "no such column: x", 'near "SELEC": syntax error',
     "misuse of aggregate function COUNT()", "SELECTs to the left and right of UNION do not have "
     "the same number of result columns"],
)
def test_an_operational_error_about_the_statement_is_a_programming_error(message):
    err = translate_error(sqlite3.OperationalError(message), "SELECT 1", None)
    assert type(err) is kakaorm.ProgrammingError
    assert str(err).startswith(message)


@pytest.mark.parametrize(
    "message",
    ["database is locked", "database table is locked", "disk I/O error", "unable to open database file",
     "attempt to write a readonly database", "interrupted", "database or disk is full", "out of memory"],
)
def test_an_operational_error_about_the_database_stays_operational(message):
    err = translate_error(sqlite3.OperationalError(message), None, None)
    assert type(err) is kakaorm.OperationalError


async def test_nested_aggregates_are_a_programming_error(engine):
    with pytest.raises(kakaorm.ProgrammingError, match="misuse of aggregate"):
        await engine.fetch("SELECT COUNT(COUNT(1))")
