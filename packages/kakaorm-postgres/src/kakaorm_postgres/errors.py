"""Mapping asyncpg's and psycopg's exceptions to kakaorm.exc, by SQLSTATE.

Both drivers expose the server's SQLSTATE (``err.sqlstate``); its class (first two
characters) decides the kakaorm error. Errors raised by a driver itself, without a
SQLSTATE, are mapped by their DB-API class. No driver is imported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kakaorm import exc

__all__ = [
    "CONNECTION_LOST",
    "UnreadableValueError",
    "asyncpg_error_types",
    "psycopg_error_types",
    "translate_error",
]

_BY_CLASS: dict[str, type[exc.DatabaseError]] = {
    "08": exc.OperationalError,  # connection exception
    "21": exc.ProgrammingError,  # cardinality violation
    "22": exc.DataError,  # data exception
    "23": exc.IntegrityError,  # integrity constraint violation
    "24": exc.ProgrammingError,  # invalid cursor state
    "25": exc.OperationalError,  # invalid transaction state
    "26": exc.ProgrammingError,  # invalid SQL statement name
    "28": exc.OperationalError,  # invalid authorization
    "34": exc.ProgrammingError,  # invalid cursor name
    "3D": exc.OperationalError,  # invalid catalog (database) name
    "3F": exc.ProgrammingError,  # invalid schema name
    "40": exc.OperationalError,  # transaction rollback (serialization, deadlock)
    "42": exc.ProgrammingError,  # syntax error or access rule violation
    "44": exc.IntegrityError,  # WITH CHECK OPTION violation
    "0A": exc.ProgrammingError,  # feature not supported
    "53": exc.OperationalError,  # insufficient resources
    "54": exc.OperationalError,  # program limit exceeded
    "55": exc.OperationalError,  # object not in prerequisite state (lock not available)
    "57": exc.OperationalError,  # operator intervention (cancelled, shutting down)
    "58": exc.OperationalError,  # system error
}

#: SQLSTATEs whose kakaorm class differs from their SQLSTATE class
_BY_STATE: dict[str, type[exc.DatabaseError]] = {
    "2BP01": exc.IntegrityError,  # dependent objects still exist (foreign keys, views)
    "40001": exc.SerializationError,  # could not serialize access (concurrent update)
    "40P01": exc.DeadlockError,  # deadlock detected
    "55P03": exc.LockNotAvailableError,  # lock not available (NOWAIT, lock_timeout)
}

#: SQLSTATEs of a connection that was in use and is gone (the server sends them
#: just before it closes the connection, or the driver reports the loss with them)
_LOST_STATES = frozenset({
    "08000",  # connection exception
    "08003",  # connection does not exist (closed in the middle of an operation)
    "08006",  # connection failure
    "08007",  # transaction resolution unknown
    "25P03",  # idle_in_transaction_session_timeout ended the session
    "57P01",  # admin shutdown: pg_terminate_backend, or a fast/smart server shutdown
    "57P02",  # crash shutdown: another backend crashed, the server restarts
    "57P05",  # idle_session_timeout ended the session
})

#: what ConnectionLostError says on every backend (kakaorm_mysql says the same)
CONNECTION_LOST = (
    "The connection to the server was lost: what it was running did not finish, and a "
    "transaction it was in is rolled back (if COMMIT was under way, whether it committed "
    "is unknown). The pool discards the connection and opens a new one for the next "
    "statement; retry the operation"
)

#: asyncpg's own errors (no SQLSTATE) for a connection that is gone: closed, or
#: taken back by asyncpg's pool because it closed
_ASYNCPG_GONE = ("connection is closed", "connection has been released back to the pool")

_HINTS: dict[str, str] = {
    "23505": "A row with this value already exists; use another value or update that row",
    "23502": "Give the column a value (it is NOT NULL)",
    "23503": (
        "The referenced row must exist: save it first, and delete or re-point the rows "
        "referencing a row before deleting it"
    ),
    "23514": "The value breaks the column's CHECK constraint; change the value",
    "22001": "Shorten the value or raise the column's max_length",
    "22003": (
        "Use a value inside the range of the column's type (IntColumn is 64-bit: -2**63 .. "
        "2**63-1; a DecimalColumn holds max_digits - decimal_places digits before the point)"
    ),
    "22000": "Pass a value of the column's Python type and range",
    "22012": "Guard the division against a zero divisor",
    "22P02": "Pass a value of the column's Python type",
    "22007": "Pass a datetime/date/time object rather than text",
    "22008": "Pass a datetime/date/time inside PostgreSQL's range",
    "42P01": "Create the table first (engine.create_table(Model)) or check its name",
    "42703": "Check the column name, or bring the table up to date with the model",
    "42601": "Fix the SQL syntax",
    "42P07": "The object already exists; drop it first or use another name",
    "2BP01": (
        "Other objects depend on it (named above): drop or change them first. For a table, "
        "drop_table(..., cascade=True) drops them with it: the foreign keys of other tables "
        "(their rows stay) and the views that use it"
    ),
    "25P02": (
        "An earlier statement of this transaction failed; leave the transaction block "
        "(it rolls back) before running more statements"
    ),
    "40001": (
        "Another transaction changed the same rows; retry the transaction "
        "(engine.transaction(retry=N) or @kakaorm.retry_on_conflict)"
    ),
    "40P01": (
        "Two transactions waited on each other (deadlock); retry the transaction "
        "(engine.transaction(retry=N) or @kakaorm.retry_on_conflict)"
    ),
    "55P03": (
        "Another transaction holds a lock on these rows; roll this transaction back and retry "
        "later, or use select_for_update(skip_locked=True) to take only unlocked rows"
    ),
    "57014": "The statement was cancelled (statement_timeout or a cancel request); retry or speed it up",
}

_CLASS_HINTS: dict[str, str] = {
    "08": "The connection to the server failed; check the server and the network, then retry",
    "22": "Pass a value that fits the column's type",
    "23": "Change the values so the table's constraints hold",
    "42": "Check the statement and the names it uses",
    "53": "The server is out of resources (connections, memory or disk); free some and retry",
    "57": "The server stopped the statement; retry when it is back",
}

_DBAPI: tuple[tuple[str, type[exc.DatabaseError]], ...] = (
    # (DB-API class name, kakaorm class), most specific first
    ("IntegrityError", exc.IntegrityError),
    ("DataError", exc.DataError),
    ("ProgrammingError", exc.ProgrammingError),
    ("NotSupportedError", exc.ProgrammingError),
    ("OperationalError", exc.OperationalError),
    ("InterfaceError", exc.InterfaceError),
    ("InternalClientError", exc.InterfaceError),
)


class UnreadableValueError(ValueError):
    """A value PostgreSQL sent that Python's types cannot hold (raised while decoding a
    row, e.g. a ``timestamptz`` holding ``infinity``); becomes a kakaorm DataError."""


def asyncpg_error_types() -> tuple[type[BaseException], ...]:
    """The asyncpg exception classes :func:`translate_error` handles."""
    import asyncpg  # type: ignore[import-untyped]

    return (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, UnreadableValueError)


def psycopg_error_types() -> tuple[type[BaseException], ...]:
    """The psycopg exception classes :func:`translate_error` handles."""
    import psycopg

    return (psycopg.Error,)


def _detail(err: BaseException) -> str:
    detail = getattr(err, "detail", None)  # asyncpg
    if detail is None:
        diag = getattr(err, "diag", None)  # psycopg
        detail = getattr(diag, "message_detail", None) if diag is not None else None
    return detail if isinstance(detail, str) else ""


def _primary_message(err: BaseException) -> str:
    # str() of either driver's error appends DETAIL/HINT lines; keep the first line's
    # text (psycopg: diag.message_primary, asyncpg: .message) and add the detail once
    diag = getattr(err, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    if not (isinstance(primary, str) and primary):
        primary = getattr(err, "message", None)
    if isinstance(primary, str) and primary:
        return primary
    return str(err).strip() or type(err).__name__


#: a missing (26000) or duplicate (42P05) prepared statement
_PREPARED_STATES = frozenset({"26000", "42P05"})
PGBOUNCER_HINT = (
    "asyncpg's prepared statements live on one server connection, and a connection "
    "pooler in transaction mode (PgBouncer) runs each transaction on any of them. "
    "Connect with pgbouncer=True, which turns prepared statements off"
)


def _by_dbapi_class(err: BaseException) -> type[exc.DatabaseError]:
    names = {klass.__name__ for klass in type(err).__mro__}
    for name, cls in _DBAPI:
        if name in names:
            return cls
    return exc.DatabaseError


def _sqlstate(err: BaseException) -> str | None:
    sqlstate = getattr(err, "sqlstate", None)
    return sqlstate if isinstance(sqlstate, str) and len(sqlstate) == 5 else None


def _server_reason(err: BaseException) -> BaseException:
    """The server's error behind a driver's "connection closed" error, if it sent one.

    asyncpg reports a connection closed mid-statement as its own 08003 error and
    chains the FATAL error the server sent just before closing (57P01 when an
    administrator ended the session): that one says what happened.
    """
    cause = err.__cause__
    if _sqlstate(err) == "08003" and cause is not None and _sqlstate(cause) is not None:
        return cause
    return err


def _connection_gone(err: BaseException, sqlstate: str | None) -> bool:
    if sqlstate is not None:
        return sqlstate in _LOST_STATES
    names = {klass.__name__ for klass in type(err).__mro__}
    if "OperationalError" in names:
        # raised by psycopg itself, not by the server (which sends a SQLSTATE): the
        # link broke or the connection is closed
        return True
    return "InterfaceError" in names and _is_asyncpg_gone(err)


def _is_asyncpg_gone(err: BaseException) -> bool:
    text = str(err)
    return any(gone in text for gone in _ASYNCPG_GONE)


def translate_error(
    err: BaseException, statement: str | None, params: Sequence[Any] | None
) -> exc.DatabaseError:
    """The kakaorm.exc error for an asyncpg or psycopg exception (``.orig`` is ``err``)."""
    if isinstance(err, UnreadableValueError):
        return exc.DataError(str(err), orig=err, statement=statement, params=params)
    reason = _server_reason(err)
    sqlstate = _sqlstate(reason)
    message = _primary_message(reason)
    detail = _detail(reason)
    if detail:
        message = f"{message} ({detail})"
    if sqlstate is not None:
        message = f"{message} [SQLSTATE {sqlstate}]"
    if _connection_gone(reason, sqlstate):
        cls: type[exc.DatabaseError] = exc.ConnectionLostError
        hint: str | None = CONNECTION_LOST
        if sqlstate is None and _is_asyncpg_gone(reason):
            # "cannot call Connection.fetch(): connection has been released back to the
            # pool" says how asyncpg found out, not what happened
            message = "the connection is closed"
    elif sqlstate is not None:
        cls = _BY_STATE.get(sqlstate) or _BY_CLASS.get(sqlstate[:2], exc.DatabaseError)
        hint = _HINTS.get(sqlstate) or _CLASS_HINTS.get(sqlstate[:2])
        if sqlstate in _PREPARED_STATES and "__asyncpg_" in message:
            hint = PGBOUNCER_HINT
    else:
        cls = _by_dbapi_class(err)
        hint = {
            exc.InterfaceError: "The connection is unusable; it is discarded, retry the operation",
            exc.ProgrammingError: "Check the statement and its parameters",
            exc.DataError: "Pass a value of the column's Python type",
        }.get(cls)
    if hint:
        message = f"{message}. {hint}"
    return cls(message, orig=err, statement=statement, params=params, sqlstate=sqlstate)
