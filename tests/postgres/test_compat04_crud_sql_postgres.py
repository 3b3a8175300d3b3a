"""SQL the PostgreSQL compilers write for 0.4's CRUD helpers, without a database."""

from __future__ import annotations

import pytest

from kakaorm import IntColumn, Model, StrColumn
from kakaorm.orm.crud import _case_update
from kakaorm_postgres.compiler import AsyncpgCompiler, PsycopgCompiler


class PcItem(Model):
    name = StrColumn(nullable=False)
    qty = IntColumn()


@pytest.mark.parametrize(
    ("compiler", "expected"),
    [
        (AsyncpgCompiler(), 'WHERE "pc_item"."qty" = $1::bigint LIMIT $2 FOR UPDATE'),
        (PsycopgCompiler(), 'WHERE "pc_item"."qty" = %s LIMIT %s FOR UPDATE'),
    ],
)
def test_a_locked_select_ends_with_for_update(compiler, expected):
    sql = compiler.compile(PcItem.where(PcItem.qty == 1)._for_update().limit(2)._build_select()).sql
    assert sql.endswith(expected)


def test_bulk_update_casts_every_value_for_asyncpg():
    cols = [PcItem._meta.columns["qty"]]
    sql = AsyncpgCompiler().compile(_case_update(PcItem, cols, [1, 2], [[5], [None]])).sql
    assert sql == (
        'UPDATE "pc_item" SET "qty" = CASE WHEN "pc_item"."id" = $1::bigint THEN $2::bigint '
        'WHEN "pc_item"."id" = $3::bigint THEN $4::bigint ELSE "pc_item"."qty" END '
        'WHERE "pc_item"."id" = ANY($5)'
    )


@pytest.mark.parametrize(
    ("restart", "expected"),
    [
        (True, 'TRUNCATE TABLE "pc_item" RESTART IDENTITY CASCADE'),
        (False, 'TRUNCATE TABLE "pc_item" CONTINUE IDENTITY CASCADE'),
    ],
)
def test_truncate_restarts_or_continues_the_identity(restart, expected):
    assert PsycopgCompiler().truncate(PcItem, restart) == [expected]


def test_drop_table_cascade_is_postgresqls_own():
    compiler = PsycopgCompiler()
    assert compiler.drop_table(PcItem, cascade=True) == ['DROP TABLE IF EXISTS "pc_item" CASCADE']
    assert compiler.drop_table(PcItem, if_exists=False) == ['DROP TABLE "pc_item"']
    assert compiler.referencing_foreign_keys(PcItem, cascade=True) is None
