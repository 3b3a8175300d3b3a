"""The SQL SQLite gets for like()/ilike() with escape= and for contains() and friends."""

from __future__ import annotations

import pytest

from kakaorm import Model, StrColumn
from kakaorm_sqlite.compiler import SQLiteCompiler


class SqltmNote(Model):
    body = StrColumn()


def sql_of(condition) -> tuple[str, list]:
    compiled = SQLiteCompiler().compile(SqltmNote.where(condition)._build_select())
    return compiled.sql.split(" WHERE ", 1)[1], [p.value for p in compiled.params]


COL = '"sqltm_note"."body"'


@pytest.mark.parametrize(
    "condition, sql, params",
    [
        # SQLite's LIKE has no escape character unless one is named
        (lambda: SqltmNote.body.like("a\\_%"), f"{COL} LIKE ?", ["a\\_%"]),
        (lambda: SqltmNote.body.like("a!_%", escape="!"), f"{COL} LIKE ? ESCAPE ?", ["a!_%", "!"]),
        (lambda: SqltmNote.body.ilike("A!_%", escape="!"),
         f"kakaorm_lower({COL}) LIKE kakaorm_lower(?) ESCAPE ?", ["A!_%", "!"]),
        (lambda: SqltmNote.body.contains("50%_\\'"), f"{COL} LIKE ? ESCAPE ?", ["%50\\%\\_\\\\'%", "\\"]),
        (lambda: SqltmNote.body.startswith("a_"), f"{COL} LIKE ? ESCAPE ?", ["a\\_%", "\\"]),
        (lambda: SqltmNote.body.endswith("%"), f"{COL} LIKE ? ESCAPE ?", ["%\\%", "\\"]),
        (lambda: SqltmNote.body.icontains("Ä_"),
         f"kakaorm_lower({COL}) LIKE kakaorm_lower(?) ESCAPE ?", ["%Ä\\_%", "\\"]),
    ],
)
def test_text_matching_sql(condition, sql, params):
    assert sql_of(condition()) == (sql, params)
