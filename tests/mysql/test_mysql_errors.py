"""MySQL error codes become kakaorm.exc types, with the driver's error as ``.orig``."""

from __future__ import annotations

import pymysql
import pytest

import kakaorm
from kakaorm import ForeignKey, IntColumn, Model, StrColumn
from kakaorm_mysql.errors import translate_error

pytestmark = pytest.mark.backends("mysql")


class MyEParent(Model):
    name = StrColumn(nullable=False, unique=True)
    score = IntColumn(check="score >= 0")

    class Meta:
        table_name = "mye_parent"


class MyEChild(Model):
    parent = ForeignKey(MyEParent, nullable=False, on_delete="RESTRICT")

    class Meta:
        table_name = "mye_child"


@pytest.fixture
async def tables(engine):
    await engine.create_table(MyEParent, MyEChild)
    return engine


def _code(info: pytest.ExceptionInfo[kakaorm.DatabaseError]) -> int:
    orig = info.value.orig
    assert isinstance(orig, pymysql.err.Error)
    return int(orig.args[0])


async def test_duplicate_entry_1062_is_an_integrity_error(tables):
    await MyEParent.create(name="a")
    with pytest.raises(kakaorm.IntegrityError, match="Duplicate entry 'a'") as info:
        await MyEParent.create(name="a")
    assert _code(info) == 1062
    assert "(MySQL error 1062)" in str(info.value)
    assert info.value.statement is not None and info.value.statement.startswith("INSERT INTO `mye_parent`")


async def test_null_in_a_not_null_column_1048_is_an_integrity_error(tables):
    with pytest.raises(kakaorm.IntegrityError, match="cannot be null") as info:
        await tables.execute("INSERT INTO mye_parent (name) VALUES (%s)", [None])
    assert _code(info) == 1048


async def test_check_violation_is_an_integrity_error(tables):
    with pytest.raises(kakaorm.IntegrityError, match=r"(?i)check constraint") as info:
        await MyEParent.create(name="a", score=-1)
    assert _code(info) == (4025 if tables.dialect.server.mariadb else 3819)


async def test_missing_parent_1452_is_an_integrity_error(tables):
    with pytest.raises(kakaorm.IntegrityError, match="foreign key constraint fails") as info:
        await MyEChild.create(parent=999)
    assert _code(info) == 1452


async def test_deleting_a_referenced_parent_1451_is_an_integrity_error(tables):
    parent = await MyEParent.create(name="a")
    await MyEChild.create(parent=parent.id)
    with pytest.raises(kakaorm.IntegrityError, match="Cannot delete or update a parent row") as info:
        await parent.delete()
    assert _code(info) == 1451
    assert await MyEParent.count() == 1


@pytest.mark.parametrize(
    ("sql", "params", "code"),
    [
        ("INSERT INTO mye_parent (name, score) VALUES (%s, %s)", ["a", 2**64], 1264),
        ("INSERT INTO mye_parent (name) VALUES (%s)", ["x" * 300], 1406),
        ("INSERT INTO mye_child (parent) VALUES (%s)", ["not a number"], 1366),
    ],
    ids=["out-of-range-1264", "too-long-1406", "bad-integer-1366"],
)
async def test_values_that_do_not_fit_are_data_errors(tables, sql, params, code):
    with pytest.raises(kakaorm.DataError) as info:
        await tables.execute(sql, params)
    assert _code(info) == code


async def test_bad_datetime_1292_is_a_data_error(tables):
    await tables.execute("CREATE TABLE mye_when (at DATETIME(6))")
    with pytest.raises(kakaorm.DataError, match="Incorrect datetime value") as info:
        await tables.execute("INSERT INTO mye_when (at) VALUES (%s)", ["2024-13-45 10:00:00"])
    assert _code(info) == 1292


@pytest.mark.parametrize(
    ("sql", "code", "fragment"),
    [
        ("SELECT * FROM mye_missing", 1146, "doesn't exist"),
        ("SELECT nope FROM mye_parent", 1054, "Unknown column 'nope'"),
        ("SELEKT 1", 1064, "SQL syntax"),
    ],
    ids=["no-table-1146", "no-column-1054", "syntax-1064"],
)
async def test_bad_sql_is_a_programming_error(tables, sql, code, fragment):
    with pytest.raises(kakaorm.ProgrammingError, match=fragment) as info:
        await tables.fetch(sql)
    assert _code(info) == code


async def test_a_missing_table_says_how_to_create_it(engine):
    with pytest.raises(kakaorm.ProgrammingError) as info:
        await MyEParent.count()
    assert "create the table first (await engine.create_table(Model))" in str(info.value)


async def test_infinity_is_a_data_error(tables):
    with pytest.raises(kakaorm.DataError, match="MySQL has no infinity or NaN"):
        await tables.execute("SELECT %s", [float("inf")])


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (1062, kakaorm.IntegrityError),
        (1048, kakaorm.IntegrityError),
        (3819, kakaorm.IntegrityError),
        (4025, kakaorm.IntegrityError),
        (1451, kakaorm.IntegrityError),
        (1452, kakaorm.IntegrityError),
        (1264, kakaorm.DataError),
        (1406, kakaorm.DataError),
        (1292, kakaorm.DataError),
        (1366, kakaorm.DataError),
        (1146, kakaorm.ProgrammingError),
        (1054, kakaorm.ProgrammingError),
        (1064, kakaorm.ProgrammingError),
        (2003, kakaorm.OperationalError),
        (1045, kakaorm.OperationalError),
        (1049, kakaorm.OperationalError),
        (1213, kakaorm.DeadlockError),
        (2014, kakaorm.InterfaceError),
        (2006, kakaorm.ConnectionLostError),
        (2013, kakaorm.ConnectionLostError),
        (2055, kakaorm.ConnectionLostError),
        (1927, kakaorm.ConnectionLostError),
        (1053, kakaorm.ConnectionLostError),
        (4031, kakaorm.ConnectionLostError),
    ],
)
def test_each_error_code_maps_to_its_kakaorm_type(code, expected):
    # PyMySQL files 3819 and 4025 under OperationalError/InternalError: the code decides
    orig = pymysql.err.OperationalError(code, "server message")
    err = translate_error(orig, "SELECT 1", [1])
    assert type(err) is expected
    assert (err.orig, err.statement, err.params) == (orig, "SELECT 1", [1])
    assert str(err).startswith(f"server message (MySQL error {code})")


def test_an_unknown_code_falls_back_on_the_pymysql_class():
    err = translate_error(pymysql.err.IntegrityError(9999, "new kind of violation"), None, None)
    assert type(err) is kakaorm.IntegrityError
    assert str(err) == "new kind of violation (MySQL error 9999)"


def test_a_lost_connection_says_what_happened_and_that_the_pool_reconnects():
    err = translate_error(pymysql.err.OperationalError(2006, "Server has gone away"), "SELECT 1", [])
    assert type(err) is kakaorm.ConnectionLostError and isinstance(err, kakaorm.OperationalError)
    assert err.sqlstate is None  # PyMySQL does not pass the SQLSTATE on
    assert str(err) == (
        "Server has gone away (MySQL error 2006). The connection to the server was lost: what it "
        "was running did not finish, and a transaction it was in is rolled back (if COMMIT was "
        "under way, whether it committed is unknown). The pool discards the connection and opens "
        "a new one for the next statement; retry the operation\n[SQL: SELECT 1]"
    )


@pytest.mark.parametrize("code", [1222, 1241, 1242])
def test_statement_shape_mistakes_are_programming_errors(code):
    # PyMySQL files these under OperationalError; they are mistakes in the SQL
    err = translate_error(pymysql.err.OperationalError(code, "server message"), "SELECT 1", None)
    assert type(err) is kakaorm.ProgrammingError
    assert str(err).startswith(f"server message (MySQL error {code})")


def test_an_unlisted_server_error_is_a_programming_error_not_operational():
    err = translate_error(pymysql.err.OperationalError(1999, "some new server error"), None, None)
    assert type(err) is kakaorm.ProgrammingError


def test_a_signal_from_a_trigger_is_the_base_database_error():
    err = translate_error(pymysql.err.OperationalError(1644, "rule broken"), None, None)
    assert type(err) is kakaorm.DatabaseError


def test_an_unlisted_client_error_keeps_the_pymysql_class():
    err = translate_error(pymysql.err.OperationalError(2099, "client trouble"), None, None)
    assert type(err) is kakaorm.OperationalError
