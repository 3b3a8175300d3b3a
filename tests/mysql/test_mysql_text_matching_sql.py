"""The SQL MySQL/MariaDB gets for like()/ilike() with escape= and for contains() and friends."""

from __future__ import annotations

import pytest

from kakaorm import Model, StrColumn
from kakaorm_mysql.compiler import MySQLCompiler


class MytmNote(Model):
    body = StrColumn()


def sql_of(condition) -> tuple[str, list]:
    compiled = MySQLCompiler().compile(MytmNote.where(condition)._build_select())
    return compiled.sql.split(" WHERE ", 1)[1], [p.value for p in compiled.params]


COL = "`mytm_note`.`body`"
DOUBLED = "REPLACE(%s, '\\\\', '\\\\\\\\')"


@pytest.mark.parametrize(
    "condition, sql, params",
    [
        # no escape= : the backslashes of the pattern are doubled to stand for themselves
        (lambda: MytmNote.body.like("a\\_%"), f"{COL} LIKE {DOUBLED} COLLATE utf8mb4_bin", ["a\\_%"]),
        # with an ESCAPE clause the backslash is ordinary: no REPLACE
        (lambda: MytmNote.body.like("a!_%", escape="!"), f"{COL} LIKE %s COLLATE utf8mb4_bin ESCAPE %s",
         ["a!_%", "!"]),
        (lambda: MytmNote.body.ilike("A!_%", escape="!"),
         f"LOWER({COL}) LIKE LOWER(%s) COLLATE utf8mb4_bin ESCAPE %s", ["A!_%", "!"]),
        (lambda: MytmNote.body.contains("50%_\\'"), f"{COL} LIKE %s COLLATE utf8mb4_bin ESCAPE %s",
         ["%50\\%\\_\\\\'%", "\\"]),
        (lambda: MytmNote.body.icontains("Ä_"),
         f"LOWER({COL}) LIKE LOWER(%s) COLLATE utf8mb4_bin ESCAPE %s", ["%Ä\\_%", "\\"]),
        (lambda: MytmNote.body.startswith("a_"), f"{COL} LIKE %s COLLATE utf8mb4_bin ESCAPE %s", ["a\\_%", "\\"]),
        (lambda: MytmNote.body.endswith("%"), f"{COL} LIKE %s COLLATE utf8mb4_bin ESCAPE %s", ["%\\%", "\\"]),
    ],
)
def test_text_matching_sql(condition, sql, params):
    assert sql_of(condition()) == (sql, params)
