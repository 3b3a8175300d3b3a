"""PostgreSQL: INSERT ... SELECT that copies identity keys moves the table's sequence past
them, on both drivers, so the next create() gets a free key."""

from __future__ import annotations

import pytest

from kakaorm import IntColumn, Model, StrColumn
from kakaorm.statements import Insert
from kakaorm_postgres.compiler import AsyncpgCompiler, PsycopgCompiler

pytestmark = pytest.mark.backends("postgres")


class PgrSrc(Model):
    name = StrColumn(nullable=False)
    views = IntColumn(nullable=False, default=0)


class PgrDst(Model):
    name = StrColumn(nullable=False)


_SEQ = "pg_get_serial_sequence('\"pgr_dst\"', 'id')"
_BUMP = (
    f'(SELECT COUNT(setval({_SEQ}, "m")) FROM (SELECT MAX("id") AS "m" FROM "_kakaorm_inserted") '
    f'AS "top" WHERE "m" > COALESCE(pg_sequence_last_value({_SEQ}::regclass), 0)) >= 0'
)


def test_insert_select_of_identity_keys_moves_the_sequence_on_both_drivers():
    select = PgrSrc.where(PgrSrc.views > 3).select(PgrSrc.id, PgrSrc.name)._build_select()
    stmt = Insert(PgrDst, [PgrDst.id, PgrDst.name], from_select=select)
    inner = (
        'INSERT INTO "pgr_dst" ("id", "name") SELECT "pgr_src"."id", "pgr_src"."name" '
        'FROM "pgr_src" WHERE "pgr_src"."views" > {}'
    )
    head = 'WITH "_kakaorm_inserted" AS ({} RETURNING "id") SELECT "id" FROM "_kakaorm_inserted" WHERE '
    asyncpg = AsyncpgCompiler().compile(stmt)
    assert asyncpg.sql == head.format(inner.format("$1::bigint")) + _BUMP
    assert [p.value for p in asyncpg.params] == [3]
    assert PsycopgCompiler().compile(stmt).sql == head.format(inner.format("%s")) + _BUMP


async def test_create_after_insert_into_with_keys_gets_the_next_free_key(engine):
    await engine.create_table(PgrSrc, PgrDst)
    await PgrSrc.bulk_create([PgrSrc(name=f"s{i}", views=i) for i in range(5)])
    assert await PgrSrc.where(PgrSrc.views >= 3).insert_into(PgrDst, id=PgrSrc.id, name=PgrSrc.name) == 2
    fresh = await PgrDst.create(name="new")
    assert fresh.id == 6  # past the copied keys 4 and 5
    assert [(d.id, d.name) for d in await PgrDst.all().order_by(PgrDst.id)] == [(4, "s3"), (5, "s4"), (6, "new")]
