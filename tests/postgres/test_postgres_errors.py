"""Each kind of PostgreSQL error becomes its kakaorm.exc type, on both drivers."""

from __future__ import annotations

import pytest

from kakaorm import (
    ConnectionLostError,
    DatabaseError,
    DataError,
    ForeignKey,
    IntColumn,
    IntegrityError,
    Model,
    OperationalError,
    ProgrammingError,
    StrColumn,
)

pytestmark = pytest.mark.backends("postgres")


class PgeOwner(Model):
    email = StrColumn(nullable=False, unique=True, max_length=10)
    age = IntColumn(check="age >= 0")


class PgePet(Model):
    owner_id = ForeignKey(PgeOwner, nullable=False, on_delete="RESTRICT")


def driver_error_name(backend, asyncpg_name: str, psycopg_name: str) -> str:
    return asyncpg_name if backend.id == "postgres-asyncpg" else psycopg_name


async def raises(cls: type[DatabaseError], call) -> DatabaseError:
    with pytest.raises(cls) as info:
        await call
    err = info.value
    assert type(err) is cls
    assert err.orig is not None and err.__cause__ is err.orig
    assert err.statement
    return err


@pytest.fixture
async def tables(engine):
    await engine.create_table(PgeOwner, PgePet)
    owner = await PgeOwner.create(email="a@x.org", age=1)
    return owner


async def test_unique_violation(engine, backend, tables):
    err = await raises(IntegrityError, PgeOwner.create(email="a@x.org", age=2))
    assert type(err.orig).__name__ == driver_error_name(backend, "UniqueViolationError", "UniqueViolation")
    assert 'duplicate key value violates unique constraint "pge_owner_email_key"' in str(err)
    assert "(Key (email)=(a@x.org) already exists.) [SQLSTATE 23505]" in str(err)
    assert "A row with this value already exists" in str(err)


async def test_not_null_violation(engine, backend, tables):
    err = await raises(IntegrityError, engine.execute("UPDATE pge_owner SET email = NULL"))
    assert type(err.orig).__name__ == driver_error_name(backend, "NotNullViolationError", "NotNullViolation")
    assert "[SQLSTATE 23502]" in str(err)


async def test_check_violation(engine, backend, tables):
    err = await raises(IntegrityError, PgeOwner.create(email="b@x.org", age=-1))
    assert type(err.orig).__name__ == driver_error_name(backend, "CheckViolationError", "CheckViolation")
    assert "[SQLSTATE 23514]" in str(err)


async def test_foreign_key_violations(engine, backend, tables):
    err = await raises(IntegrityError, PgePet.create(owner_id=999))
    assert type(err.orig).__name__ == driver_error_name(
        backend, "ForeignKeyViolationError", "ForeignKeyViolation"
    )
    assert "[SQLSTATE 23503]" in str(err)
    await PgePet.create(owner_id=tables.id)
    err = await raises(IntegrityError, tables.delete())
    assert "[SQLSTATE 23503]" in str(err)


async def test_a_too_long_string_is_a_data_error(engine, backend, tables):
    with pytest.raises(DataError) as before:
        await PgeOwner.create(email="x" * 11, age=1)
    assert str(before.value) == (
        "PgeOwner.email is a StrColumn(max_length=10) and 'xxxxxxxxxxx' has 11 "
        "characters; nothing was written: shorten the text or raise max_length"
    )
    # raw SQL reaches the server, which refuses it as well (SQLSTATE 22001)
    err = await raises(DataError, engine.execute("INSERT INTO pge_owner (email, age) VALUES (%s, %s)", ["x" * 11, 1]))
    assert "value too long for type character varying(10) [SQLSTATE 22001]" in str(err)
    assert "Shorten the value or raise the column's max_length" in str(err)


async def test_an_integer_beyond_64_bits_is_a_data_error_not_a_wrapped_value(engine, backend, tables):
    big = 2**63
    err = await raises(DataError, PgeOwner.create(email="b@x.org", age=big))
    if backend.id == "postgres-asyncpg":
        # asyncpg checks the value against the parameter's type before sending it
        assert "value out of int64 range" in str(err) and "[SQLSTATE 22000]" in str(err)
    else:
        # psycopg sends it as numeric; the server refuses to narrow it to bigint
        assert "bigint out of range [SQLSTATE 22003]" in str(err)
    await raises(DataError, PgeOwner.where(PgeOwner.id == tables.id).update(age=-big - 1))
    assert [o.age for o in await PgeOwner.all()] == [1]
    edge = await PgeOwner.create(email="c@x.org", age=big - 1)
    assert (await PgeOwner.get(PgeOwner.id == edge.id)).age == big - 1


async def test_malformed_values_and_division_by_zero_are_data_errors(engine, backend):
    err = await raises(DataError, engine.fetchval("SELECT 'abc'::integer"))
    assert 'invalid input syntax for type integer: "abc" [SQLSTATE 22P02]' in str(err)
    err = await raises(DataError, engine.fetchval("SELECT 1 / 0"))
    assert "division by zero [SQLSTATE 22012]" in str(err)


async def test_a_missing_table_is_a_programming_error(engine, backend):
    err = await raises(ProgrammingError, PgeOwner.count())
    assert type(err.orig).__name__ == driver_error_name(backend, "UndefinedTableError", "UndefinedTable")
    assert 'relation "pge_owner" does not exist [SQLSTATE 42P01]' in str(err)
    assert "Create the table first (engine.create_table(Model))" in str(err)


async def test_a_missing_column_is_a_programming_error(engine, backend, tables):
    err = await raises(ProgrammingError, engine.fetch("SELECT nope FROM pge_owner"))
    assert 'column "nope" does not exist [SQLSTATE 42703]' in str(err)


async def test_a_syntax_error_is_a_programming_error(engine, backend):
    err = await raises(ProgrammingError, engine.execute("SELEC 1"))
    assert 'syntax error at or near "SELEC" [SQLSTATE 42601]' in str(err)


async def test_a_statement_after_a_failed_one_in_a_transaction_is_refused(engine, backend, tables):
    with pytest.raises(OperationalError) as commit_info:
        async with engine.transaction():
            await PgeOwner.create(email="b@x.org", age=2)
            with pytest.raises(IntegrityError):
                await PgeOwner.create(email="a@x.org", age=3)
            err = await raises(OperationalError, PgeOwner.count())
            assert "current transaction is aborted" in str(err) and "[SQLSTATE 25P02]" in str(err)
    # PostgreSQL answers COMMIT with ROLLBACK here; that is an error, not a silent loss
    assert "COMMIT did not commit" in str(commit_info.value)
    assert [o.email for o in await PgeOwner.all()] == ["a@x.org"]


async def test_a_connection_closed_under_a_statement_is_a_connection_lost_error(engine, backend):
    # a server kill is tested in tests/behaviour/test_connection_lost.py; here the
    # connection is closed on the client side, which the driver reports without SQLSTATE
    pool = engine._pool
    conn = await pool.acquire()
    try:
        if backend.id == "postgres-asyncpg":
            conn.raw.terminate()
        else:
            await conn.raw.close()
        err = await raises(
            ConnectionLostError, engine._call(conn, lambda c: c.fetch("SELECT 1", []), "SELECT 1", [])
        )
        assert err.sqlstate is None
        assert str(err).startswith(
            "the connection is closed. The connection to the server was lost: what it was running "
            "did not finish"
        )
    finally:
        await pool.release(conn, discard=True)
    assert await engine.fetchval("SELECT 1") == 1
    assert engine.pool_stats().in_use == 0


async def test_every_translated_error_keeps_the_sqlstate(engine, backend, tables):
    err = await raises(IntegrityError, PgeOwner.create(email="a@x.org", age=2))
    assert err.sqlstate == "23505"
    err = await raises(ProgrammingError, engine.execute("SELEC 1"))
    assert err.sqlstate == "42601"
