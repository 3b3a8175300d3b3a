"""An IN list of a column's int, str or uuid values is one array parameter on
PostgreSQL (``= ANY``, ``<> ALL``); other lists stay ``IN (...)``. Without a database:
the results on every backend are in tests/behaviour/test_compile_cache.py."""

from __future__ import annotations

import uuid

import pytest

from kakaorm import FloatColumn, IntColumn, JSONColumn, Model, StrColumn, UUIDColumn
from kakaorm.engine.cache import compile_entry
from kakaorm.expr import value
from kakaorm.url import parse_url
from kakaorm_postgres.compiler import AsyncpgCompiler, PsycopgCompiler
from kakaorm_postgres.dialect import AsyncpgDialect


class InRow(Model):
    name = StrColumn(nullable=False, max_length=20)
    size = IntColumn(nullable=False)
    ratio = FloatColumn()
    ref = UUIDColumn()
    doc = JSONColumn()


def _where(compiler, condition) -> str:
    return compiler.compile(InRow.where(condition)._build_select()).sql.split(" WHERE ", 1)[1]


U1, U2 = uuid.UUID(int=1), uuid.UUID(int=2)


@pytest.mark.parametrize(
    ("condition", "asyncpg", "psycopg"),
    [
        (lambda: InRow.size.in_([3, 1, 2]), '"in_row"."size" = ANY($1)', '"in_row"."size" = ANY(%s)'),
        (lambda: InRow.size.not_in([3, 1]), '"in_row"."size" <> ALL($1)', '"in_row"."size" <> ALL(%s)'),
        (lambda: InRow.name.in_(["a", "b"]), '"in_row"."name" = ANY($1)', '"in_row"."name" = ANY(%s)'),
        (lambda: InRow.ref.in_([U1, U2]), '"in_row"."ref" = ANY($1)', '"in_row"."ref" = ANY(%s)'),
        # one value, an expression among the values, a float column, an empty list: IN as before
        (lambda: InRow.size.in_([7]), '"in_row"."size" IN ($1::bigint)', '"in_row"."size" IN (%s)'),
        (
            lambda: InRow.size.in_([InRow.id, 4]),
            '"in_row"."size" IN ("in_row"."id", $1::bigint)',
            '"in_row"."size" IN ("in_row"."id", %s)',
        ),
        (
            lambda: InRow.ratio.in_([0.5, 1.5]),
            '"in_row"."ratio" IN ($1::double precision, $2::double precision)',
            '"in_row"."ratio" IN (%s, %s)',
        ),
        (lambda: InRow.size.in_([]), "1 = 0", "1 = 0"),
    ],
)
def test_which_in_lists_become_one_array(condition, asyncpg, psycopg):
    assert _where(AsyncpgCompiler(), condition()) == asyncpg
    assert _where(PsycopgCompiler(), condition()) == psycopg


def test_a_json_path_in_list_is_not_sent_as_an_array():
    assert " = ANY(" not in _where(AsyncpgCompiler(), InRow.doc["k"].in_(["a", "b"]))


def test_the_array_takes_the_lists_values_from_any_statement_of_the_same_shape():
    """The cache entry maps the one array placeholder to the run of the list's values
    among the statement's values, so a reused entry binds each call's own values."""
    dialect = AsyncpgDialect(parse_url("postgresql+asyncpg://postgres@127.0.0.1/test"), {})

    def statement(low, values, high):
        return InRow.where(InRow.size > low, InRow.size.in_(values), InRow.name < high)._build_select()

    first = statement(1, [5, 6, 7], "z")
    key_params: list = []
    first._key(key_params)
    entry = compile_entry(dialect, first, key_params)
    assert entry.values(key_params) == [1, [5, 6, 7], "z"]
    second = statement(2, [8, 9, 10], "y")
    params: list = []
    assert second._key(params) == first._key([])
    assert entry.values(params) == [2, [8, 9, 10], "y"]


class InHand(Model):
    """Mapped onto a table made by hand: char(5) and uuid columns KakaORM would not write."""

    code = StrColumn(nullable=False)
    ref = UUIDColumn(nullable=False)

    class Meta:
        table_name = "in_hand"


@pytest.mark.backends("postgres")
async def test_the_array_is_typed_by_the_server_from_its_column_as_in_lists_were(engine):
    """char(n) compares blank-padded, strings given for a uuid column are uuids: the
    array of two or more values matches what one value (plain ``=``) matches."""
    await engine.execute("DROP TABLE IF EXISTS in_hand")
    await engine.execute("CREATE TABLE in_hand (id bigserial PRIMARY KEY, code char(5) NOT NULL, ref uuid NOT NULL)")
    try:
        await engine.execute(f"INSERT INTO in_hand (code, ref) VALUES ('ab', '{U1}'), ('cd', '{U2}')")

        assert [r.code for r in await InHand.where(InHand.code.in_(["ab", "x"]))] == ["ab   "]
        assert [r.code for r in await InHand.where(InHand.code.in_(["ab ", "x"]))] == ["ab   "]
        assert await InHand.where(InHand.code.not_in(["ab ", "x"])).count() == 1
        by_text = InHand.where(InHand.ref.in_([value(str(U1)), value(str(U2)), value(str(uuid.UUID(int=3)))]))
        assert sorted(r.ref for r in await by_text) == [U1, U2]
    finally:
        await engine.execute("DROP TABLE IF EXISTS in_hand")


@pytest.mark.backends("postgres-psycopg")
async def test_psycopg_matches_an_int_beyond_bigint_in_a_list_with_nothing(engine):
    await engine.create_table(InRow)
    await InRow.bulk_create([InRow(name="a", size=1), InRow(name="b", size=2)])
    assert [r.size for r in await InRow.where(InRow.size.in_([1, 2**64]))] == [1]
    assert [r.size for r in await InRow.where(InRow.size.not_in([1, -(2**70)]))] == [2]
