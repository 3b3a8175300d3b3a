"""Mapping aiomysql/PyMySQL exceptions to kakaorm.exc, by MySQL error code.

The code is the first argument of a PyMySQL error (``err.args[0]``). Codes below
2000 come from the server, 2000 and up from the client library. PyMySQL's own class
is only a fallback: it files several codes differently from what they mean to a
KakaORM user (a CHECK violation is not an IntegrityError there, for one).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pymysql  # type: ignore[import-untyped]

from kakaorm import exc

#: the driver exceptions the engine hands to :func:`translate_error`
ERROR_TYPES: tuple[type[BaseException], ...] = (pymysql.err.Error,)

_INTEGRITY = {
    1022,  # duplicate key on write (ER_DUP_KEY)
    1048,  # column cannot be null (ER_BAD_NULL_ERROR)
    1062,  # duplicate entry (ER_DUP_ENTRY)
    1169,  # unique constraint violated (ER_DUP_UNIQUE)
    1216,  # foreign key: no parent row (old form)
    1217,  # foreign key: parent row is referenced (old form)
    1364,  # NOT NULL column left out and it has no default (ER_NO_DEFAULT_FOR_FIELD)
    1451,  # cannot delete or update a parent row (ER_ROW_IS_REFERENCED_2)
    1452,  # cannot add or update a child row (ER_NO_REFERENCED_ROW_2)
    1557,  # foreign key would duplicate a unique entry
    1586,  # duplicate entry, with key name
    1701,  # cannot truncate a table referenced by a foreign key
    3730,  # cannot drop a table referenced by a foreign key (MySQL 8)
    3819,  # check constraint violated (MySQL 8)
    4025,  # check constraint failed (MariaDB)
}

_DATA = {
    1138,  # invalid use of NULL value
    1264,  # out of range value for column
    1265,  # data truncated for column
    1292,  # incorrect (truncated) datetime/number value
    1365,  # division by 0
    1366,  # incorrect string/integer value (e.g. a character the column cannot hold)
    1367,  # illegal value
    1406,  # data too long for column
    1411,  # incorrect value for function
    1441,  # datetime function field overflow
    1690,  # value out of range in an expression
    3140,  # invalid JSON text
}

_PROGRAMMING = {
    1222,  # the SELECTs of a UNION have different numbers of columns
    1241,  # operand should contain N column(s)
    1242,  # subquery returns more than one row
    1005,  # cannot create table (usually: foreign key incorrectly formed)
    1046,  # no database selected
    1050,  # table already exists
    1051,  # unknown table
    1052,  # ambiguous column
    1054,  # unknown column
    1055,  # not in GROUP BY (ONLY_FULL_GROUP_BY)
    1059,  # identifier too long
    1060,  # duplicate column name
    1061,  # duplicate key name
    1064,  # syntax error
    1067,  # invalid default value
    1071,  # key too long
    1074,  # column length too big
    1091,  # cannot drop: no such column or key
    1093,  # target table of UPDATE/DELETE used in a subquery
    1101,  # BLOB/TEXT column cannot have a default
    1110,  # column specified twice
    1111,  # invalid use of a group function
    1118,  # row size too large
    1136,  # column count does not match value count
    1140,  # mixing grouped and non-grouped columns
    1142,  # command denied to user on table
    1143,  # command denied to user on column
    1146,  # table does not exist
    1149,  # syntax error
    1166,  # incorrect column name
    1170,  # BLOB/TEXT column used in a key without a length
    1215,  # cannot add foreign key constraint
    1227,  # access denied: a privilege is missing
    1235,  # feature not supported by this server version
    1248,  # derived table needs an alias
    1253,  # collation not valid for character set
    1267,  # illegal mix of collations
    1273,  # unknown collation
    1305,  # function or procedure does not exist
    1582,  # wrong parameter count for a native function
    1583,  # wrong parameters for a native function
    1630,  # function does not exist
    1824,  # failed to open the referenced table (MySQL 8)
    1822,  # missing index for a foreign key constraint
    1830,  # SET NULL foreign key on a NOT NULL column
    3780,  # foreign key columns have incompatible types (MySQL 8)
}

_OPERATIONAL = {
    1040,  # too many connections
    1044,  # access denied to database
    1045,  # access denied (user or password)
    1049,  # unknown database
    1153,  # packet bigger than max_allowed_packet
    1205,  # lock wait timeout
    1290,  # server running with --read-only and similar options
    1317,  # query interrupted
    1792,  # write in a READ ONLY transaction
    1836,  # server in read-only mode
    1969,  # max_statement_time exceeded (MariaDB)
    2002,  # cannot connect through socket
    2003,  # cannot connect to server
    2005,  # unknown host
    3024,  # max_execution_time exceeded (MySQL)
}

#: the connection in use is gone: the server or the network closed it
_CONNECTION_LOST = {
    1053,  # server shutdown in progress (the server closes the connection)
    1927,  # connection killed (MariaDB: KILL from another session)
    2006,  # server has gone away
    2013,  # lost connection during query (also what a KILLed session's client sees)
    2055,  # lost connection at a system call
    4031,  # disconnected for inactivity (MySQL 8)
}

#: what ConnectionLostError says on every backend (kakaorm_postgres says the same)
CONNECTION_LOST = (
    "The connection to the server was lost: what it was running did not finish, and a "
    "transaction it was in is rolled back (if COMMIT was under way, whether it committed "
    "is unknown). The pool discards the connection and opens a new one for the next "
    "statement; retry the operation"
)

_INTERFACE = {
    0,     # PyMySQL: the connection is closed
    2014,  # commands out of sync
    2027,  # malformed packet
}

_BY_CODE: dict[int, type[exc.DatabaseError]] = {
    **{c: exc.IntegrityError for c in _INTEGRITY},
    **{c: exc.DataError for c in _DATA},
    **{c: exc.ProgrammingError for c in _PROGRAMMING},
    **{c: exc.OperationalError for c in _OPERATIONAL},
    **{c: exc.InterfaceError for c in _INTERFACE},
    **{c: exc.ConnectionLostError for c in _CONNECTION_LOST},
    # MariaDB answers FOR UPDATE NOWAIT on a locked row with 1205; MySQL 8 with 3572
    1205: exc.LockNotAvailableError,
    3572: exc.LockNotAvailableError,
    1213: exc.DeadlockError,  # deadlock found when trying to get lock
}

_HINTS = {
    1048: "give the column a value, or declare it nullable=True",
    1062: "a row with this value already exists: use another value, or update that row",
    1264: "the value is outside the column's range: use a smaller value or a wider column type",
    1364: "give the column a value, or a default",
    1406: "the text is longer than the column allows: shorten it or raise max_length",
    1451: "other rows still reference this one: delete or re-point them first, or use on_delete='CASCADE'",
    1452: "the referenced row does not exist: create it first or fix the key",
    3819: "the row breaks the column's check constraint: change the value",
    4025: "the row breaks the column's check constraint: change the value",
    1146: "create the table first (await engine.create_table(Model))",
    1054: "the column does not exist in the table: add it (a migration) or fix the name",
    1064: "the SQL is not valid MySQL: check raw SQL and raw() fragments",
    1153: "the statement is larger than the server's max_allowed_packet: send less data at once, "
    "or raise max_allowed_packet on the server",
    1205: "another transaction holds the lock: retry, or keep transactions short "
    "(select_for_update(skip_locked=True) takes only unlocked rows)",
    3572: "another transaction holds the lock: retry later, or use "
    "select_for_update(skip_locked=True) to take only unlocked rows",
    1213: "the transaction was rolled back to break a deadlock: retry the transaction "
    "(engine.transaction(retry=N) or @kakaorm.retry_on_conflict)",
}

_PYMYSQL_CLASSES: tuple[tuple[type[BaseException], type[exc.DatabaseError]], ...] = (
    (pymysql.err.IntegrityError, exc.IntegrityError),
    (pymysql.err.DataError, exc.DataError),
    (pymysql.err.ProgrammingError, exc.ProgrammingError),
    (pymysql.err.NotSupportedError, exc.ProgrammingError),
    (pymysql.err.OperationalError, exc.OperationalError),
    (pymysql.err.InternalError, exc.OperationalError),
    (pymysql.err.InterfaceError, exc.InterfaceError),
)


def error_code(err: BaseException) -> int | None:
    """The MySQL error code of a PyMySQL exception (None when it carries none)."""
    args: tuple[Any, ...] = getattr(err, "args", ())
    if args and isinstance(args[0], int):
        return args[0]
    return None


def _text(err: BaseException) -> str:
    args: tuple[Any, ...] = getattr(err, "args", ())
    if len(args) >= 2 and isinstance(args[0], int):
        return str(args[1])
    return str(err)


def translate_error(
    err: BaseException, statement: str | None, params: Sequence[Any] | None
) -> exc.DatabaseError:
    """The kakaorm.exc error for an aiomysql/PyMySQL exception, with ``.orig`` set."""
    code = error_code(err)
    text = _text(err)
    cls = _BY_CODE.get(code) if code is not None else None
    if cls is None:
        if code is None and "can not be used with MySQL" in text:
            # PyMySQL refuses to send inf/nan: a value the column cannot hold
            cls = exc.DataError
            text = f"{text}: MySQL has no infinity or NaN; store None or a finite float"
        elif code == 1644:
            # SIGNAL from a trigger or routine: the application's own rule, as
            # PostgreSQL's RAISE EXCEPTION, which also maps to the base DatabaseError
            cls = exc.DatabaseError
        elif code is not None and code < 2000:
            # an unlisted server error (client errors are 2000 and up) is about the
            # statement, not the connection: PyMySQL's OperationalError default misleads
            cls = exc.ProgrammingError
        else:
            cls = next((k for base, k in _PYMYSQL_CLASSES if isinstance(err, base)), exc.DatabaseError)
    message = text if code is None else f"{text} (MySQL error {code})"
    if cls is exc.ConnectionLostError:
        message = f"{message}. {CONNECTION_LOST}"
    hint = _HINTS.get(code) if code is not None else None
    if hint:
        message = f"{message}; {hint}"
    return cls(message, orig=err, statement=statement, params=params)


def connect_error(err: BaseException, location: str) -> exc.OperationalError:
    """The error for a connection that could not be opened; names the server, never the password."""
    code = error_code(err)
    if isinstance(err, TimeoutError):
        reason = "the server did not answer within connect_timeout"
    else:
        reason = _text(err) if code is not None else f"{type(err).__name__}: {err}"
    if code in (1045, 1698):
        hint = "check the user name and password in the URL"
    elif code == 1044:
        hint = "grant the user access to that database, or connect as another user"
    elif code == 1049:
        hint = "create the database first (CREATE DATABASE ...) or fix its name in the URL"
    elif code == 1040:
        hint = "the server has no free connection slots: lower pool_max_size or raise max_connections"
    else:
        hint = "check that the server is running and reachable at that address (or raise connect_timeout)"
    suffix = "" if code is None else f" (MySQL error {code})"
    return exc.OperationalError(
        f"cannot connect to the MySQL/MariaDB server at {location}: {reason}{suffix}. {hint}",
        orig=err,
    )
