"""The SQL PostgreSQL gets for like()/ilike() with escape= and for contains() and friends."""

from __future__ import annotations

import pytest

from kakaorm import Model, StrColumn
from kakaorm_postgres.compiler import AsyncpgCompiler, PsycopgCompiler


class PgtmNote(Model):
    body = StrColumn()


def sql_of(compiler, condition) -> tuple[str, list]:
    compiled = compiler.compile(PgtmNote.where(condition)._build_select())
    return compiled.sql.split(" WHERE ", 1)[1], [p.value for p in compiled.params]


COL = '"pgtm_note"."body"'

CASES = [
    # no escape= : ESCAPE '' turns off PostgreSQL's default backslash escape
    (lambda: PgtmNote.body.like("a\\_%"), f"{COL} LIKE $1 ESCAPE ''", ["a\\_%"]),
    (lambda: PgtmNote.body.ilike("a\\_%"), f"{COL} ILIKE $1 ESCAPE ''", ["a\\_%"]),
    (lambda: PgtmNote.body.like("a!_%", escape="!"), f"{COL} LIKE $1 ESCAPE $2", ["a!_%", "!"]),
    (lambda: PgtmNote.body.ilike("A!_%", escape="!"), f"{COL} ILIKE $1 ESCAPE $2", ["A!_%", "!"]),
    (lambda: PgtmNote.body.contains("50%_\\'"), f"{COL} LIKE $1 ESCAPE $2", ["%50\\%\\_\\\\'%", "\\"]),
    (lambda: PgtmNote.body.istartswith("a_"), f"{COL} ILIKE $1 ESCAPE $2", ["a\\_%", "\\"]),
    (lambda: PgtmNote.body.iendswith("%"), f"{COL} ILIKE $1 ESCAPE $2", ["%\\%", "\\"]),
]


@pytest.mark.parametrize("condition, sql, params", CASES)
def test_text_matching_sql_with_numbered_typed_placeholders(condition, sql, params):
    typed = sql.replace("$1", "$1::text").replace("$2", "$2::text")
    assert sql_of(AsyncpgCompiler(), condition()) == (typed, params)


@pytest.mark.parametrize("condition, sql, params", CASES)
def test_text_matching_sql_with_format_placeholders(condition, sql, params):
    assert sql_of(PsycopgCompiler(), condition()) == (sql.replace("$1", "%s").replace("$2", "%s"), params)
