"""Database errors arrive as kakaorm.exc types carrying the driver's exception."""

from __future__ import annotations

import pytest

import kakaorm
from kakaorm import (
    DatabaseError,
    ForeignKey,
    IntColumn,
    IntegrityError,
    KakaORMError,
    Model,
    ProgrammingError,
    StrColumn,
    exc,
)


class ErrOwner(Model):
    email = StrColumn(nullable=False, unique=True, max_length=100)
    age = IntColumn(check="age >= 0")


class ErrPet(Model):
    owner_id = ForeignKey(ErrOwner, nullable=False)
    name = StrColumn(nullable=False)


def assert_translated(err: DatabaseError) -> None:
    """The error wraps the driver's exception and names the statement."""
    assert err.orig is not None
    assert not isinstance(err.orig, KakaORMError)
    assert err.statement
    assert err.__cause__ is err.orig


async def test_unique_violation_is_an_integrity_error_with_the_driver_error(engine):
    await engine.create_table(ErrOwner)
    await ErrOwner.create(email="a@x.org")
    with pytest.raises(IntegrityError) as info:
        await ErrOwner.create(email="a@x.org")
    assert_translated(info.value)
    assert "INSERT" in info.value.statement.upper()
    assert info.value.params is not None and "a@x.org" in list(info.value.params)


async def test_not_null_violation_in_the_database_is_an_integrity_error(engine):
    await engine.create_table(ErrOwner)
    await ErrOwner.create(email="a@x.org")
    with pytest.raises(IntegrityError) as info:
        await ErrOwner.all().update(email=None)
    assert_translated(info.value)
    with pytest.raises(IntegrityError) as raw_info:
        await engine.execute("INSERT INTO err_owner (email, age) VALUES (%s, %s)", [None, 1])
    assert_translated(raw_info.value)


async def test_check_violation_is_an_integrity_error(engine):
    await engine.create_table(ErrOwner)
    with pytest.raises(IntegrityError) as info:
        await ErrOwner.create(email="a@x.org", age=-1)
    assert_translated(info.value)


async def test_foreign_key_violations_are_integrity_errors(engine):
    await engine.create_table(ErrOwner, ErrPet)
    with pytest.raises(IntegrityError) as info:
        await ErrPet.create(owner_id=12345, name="ghost")
    assert_translated(info.value)
    owner = await ErrOwner.create(email="a@x.org")
    pet = await ErrPet.create(owner_id=owner.id, name="rex")
    with pytest.raises(IntegrityError) as update_info:
        await ErrPet.where(ErrPet.id == pet.id).update(owner_id=owner.id + 1)
    assert_translated(update_info.value)


async def test_invalid_sql_is_a_programming_error(engine):
    with pytest.raises(ProgrammingError) as info:
        await engine.fetch("SELECT * FROM no_such_table_here")
    assert_translated(info.value)
    assert info.value.statement == "SELECT * FROM no_such_table_here"
    assert "no_such_table_here" in str(info.value)


async def test_querying_a_model_whose_table_is_missing_is_a_programming_error(engine):
    with pytest.raises(ProgrammingError):
        await ErrOwner.all()


async def test_error_message_includes_the_sql(engine):
    await engine.create_table(ErrOwner)
    await ErrOwner.create(email="a@x.org")
    with pytest.raises(IntegrityError) as info:
        await ErrOwner.create(email="a@x.org")
    assert "[SQL: INSERT INTO" in str(info.value)


async def test_a_long_statement_is_shortened_in_the_message_and_kept_whole(engine):
    await engine.create_table(ErrOwner)
    owners = [ErrOwner(email=f"o{i}@x.org") for i in range(300)] + [ErrOwner(email="o0@x.org")]
    with pytest.raises(IntegrityError) as info:
        await ErrOwner.bulk_create(owners)
    err = info.value
    assert err.statement.startswith("INSERT INTO ")
    assert len(err.statement) > 2000  # hundreds of rows of placeholders
    first_line, shown = str(err).split("\n")
    assert first_line == err.args[0]
    assert shown == (
        f"[SQL: {err.statement[:500]} ... ({len(err.statement):,} characters in all; "
        "the whole text is in .statement)]"
    )
    assert await ErrOwner.count() == 0  # the batch was one transaction


def test_a_short_statement_is_shown_whole():
    err = IntegrityError("duplicate", statement="X" * 1000)
    assert str(err) == "duplicate\n[SQL: " + "X" * 1000 + "]"
    assert str(IntegrityError("duplicate", statement="X" * 1001)) == (
        "duplicate\n[SQL: " + "X" * 500 + " ... (1,001 characters in all; the whole text is in .statement)]"
    )


async def test_error_classes_form_one_tree(engine):
    assert issubclass(IntegrityError, DatabaseError)
    assert issubclass(DatabaseError, KakaORMError)
    assert issubclass(kakaorm.NoSuchDialectError, kakaorm.ConfigurationError)
    assert exc.IntegrityError is IntegrityError
    await engine.create_table(ErrOwner)
    with pytest.raises(KakaORMError):
        await ErrOwner.get(ErrOwner.id == 1)


async def test_the_engine_works_after_an_error(engine):
    await engine.create_table(ErrOwner)
    await ErrOwner.create(email="a@x.org")
    for _ in range(3):
        with pytest.raises(IntegrityError):
            await ErrOwner.create(email="a@x.org")
    await ErrOwner.create(email="b@x.org")
    assert await ErrOwner.count() == 2


# Raw SQL the database refuses as malformed is a ProgrammingError; so is a scalar subquery
# yielding two rows wherever the database detects it (PostgreSQL SQLSTATE 21000, MySQL error 1242).


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1 UNION SELECT 1, 2",  # the SELECTs of a UNION differ in column count
        "SELECT kakaorm_no_such_function(1)",  # an unknown function
    ],
)
async def test_a_malformed_raw_statement_is_a_programming_error(engine, sql):
    with pytest.raises(ProgrammingError):
        await engine.fetch(sql)
    assert await engine.fetchval("SELECT 1") == 1  # the connection is still usable


@pytest.mark.backends("postgres", "mysql")
async def test_a_scalar_subquery_returning_two_rows_is_a_programming_error(engine):
    with pytest.raises(ProgrammingError, match=r"more than (one|1) row"):
        await engine.fetch("SELECT (SELECT 1 UNION ALL SELECT 2) AS v")


@pytest.mark.backends("sqlite")
async def test_sqlite_takes_the_first_row_of_a_scalar_subquery(engine):
    # SQLite does not check subquery cardinality: it has no error to map. This pins
    # the documented difference rather than skipping the case.
    assert await engine.fetchval("SELECT (SELECT 1 UNION ALL SELECT 2)") == 1
