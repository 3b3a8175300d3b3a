"""Every error KakaORM raises, in one tree.

::

    KakaORMError
    ├── ConfigurationError            the URL, the installed plugins or the options are wrong
    │   ├── InvalidURLError           the database URL cannot be parsed
    │   ├── NoSuchDialectError        no installed plugin serves the URL's scheme
    │   ├── DriverNotInstalledError   the plugin is there, its driver package is not
    │   └── PluginError               a plugin is broken or two plugins claim one name
    ├── ModelError                    a model class is defined wrongly (raised at class creation)
    ├── QueryError                    a construct the query or the dialect cannot express
    │   ├── UnknownRelationError      prefetch() names no relation of the model (also an AttributeError)
    │   └── NotSupportedError         the connected database lacks a feature the model or query uses
    ├── NotFound                      ``get()`` matched no row      (also ``Model.NotFound``)
    ├── MultipleResults               ``get()`` matched several rows (also ``Model.MultipleResults``)
    ├── PoolTimeoutError              no connection became free within the acquire timeout
    ├── ValidationError               column validators refused values; nothing was sent
    │                                 (also a ValueError; ``kakaorm.validators``)
    ├── DatabaseError                 the database or its driver refused a statement
    │   ├── InterfaceError            the driver or the connection itself failed
    │   ├── OperationalError          the server is unreachable, a lock timed out, ...
    │   │   ├── ConnectionLostError   the server or the network closed the connection in use
    │   │   ├── LockNotAvailableError a row lock was not granted (NOWAIT, lock timeout)
    │   │   └── TransactionConflictError  concurrent transactions collided; retry the whole transaction
    │   │       ├── SerializationError    PostgreSQL SQLSTATE 40001 (serializable / repeatable read)
    │   │       └── DeadlockError         PostgreSQL 40P01, MySQL/MariaDB error 1213
    │   ├── IntegrityError            unique, NOT NULL, CHECK or foreign-key violation
    │   ├── ProgrammingError          the SQL is invalid or names something that is not there
    │   └── DataError                 a value does not fit its column (range, length, format)
    └── MigrationError                a migration cannot be planned or applied
        └── UnresolvedRelationError   a relation names a model that is not defined (also a LookupError)

A :class:`ValidationError` carries every failing field at once: ``.errors`` maps each
field to its messages, ``.detail`` lists one structured issue per failure.

A :class:`DatabaseError` carries the driver's exception as ``.orig``, the SQL and
parameters that failed as ``.statement`` and ``.params``, and the SQLSTATE the server
sent as ``.sqlstate`` (None when there was none, e.g. on MySQL or SQLite).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "ConfigurationError",
    "ConnectionLostError",
    "DataError",
    "DatabaseError",
    "DeadlockError",
    "DriverNotInstalledError",
    "IntegrityError",
    "InterfaceError",
    "InvalidURLError",
    "KakaORMError",
    "LockNotAvailableError",
    "MigrationError",
    "ModelError",
    "MultipleResults",
    "NoSuchDialectError",
    "NotFound",
    "NotSupportedError",
    "OperationalError",
    "PluginError",
    "PoolTimeoutError",
    "ProgrammingError",
    "QueryError",
    "SerializationError",
    "TransactionConflictError",
    "UnknownRelationError",
    "UnresolvedRelationError",
    "ValidationError",
]


class KakaORMError(Exception):
    """Base class of every error raised by KakaORM."""


class ConfigurationError(KakaORMError):
    """The database URL, the installed plugins or the connection options are wrong."""


class InvalidURLError(ConfigurationError):
    """A database URL that cannot be parsed."""


class NoSuchDialectError(ConfigurationError):
    """No installed dialect plugin serves the URL's scheme."""


class DriverNotInstalledError(ConfigurationError):
    """The dialect plugin is installed but the driver package it needs is not."""


class PluginError(ConfigurationError):
    """A dialect plugin is broken, or two distributions claim the same dialect name."""


class ModelError(KakaORMError):
    """A model class is defined wrongly; raised when the class is created."""


class QueryError(KakaORMError):
    """A query construct that KakaORM or the current dialect cannot express."""


class NotSupportedError(QueryError):
    """The connected database lacks a feature a model or query uses (an ``ArrayColumn``
    on a database without native arrays). Raised before anything is sent; the message
    names the feature, the dialect and what to use instead."""


class UnknownRelationError(QueryError, AttributeError):
    """``prefetch()`` names a relation the model does not have.

    Also an AttributeError, which is what code written for kakaorm 0.4 catches.
    """


class NotFound(KakaORMError):
    """``get()`` matched no row."""


class MultipleResults(KakaORMError):
    """``get()`` matched more than one row."""


class PoolTimeoutError(KakaORMError, TimeoutError):
    """No pooled connection became free within the acquire timeout."""


class ValidationError(KakaORMError, ValueError):
    """Column validators refused one or more values, so nothing was written.

    Also a ``ValueError``: code that caught ``ValueError`` around ``save()`` keeps
    working. A custom validator raises it with a message (``ValidationError("must be
    even")``); ``Model.validate()`` and every write gather all failures into one.

    Attributes:
        errors: ``{field: [message, ...]}`` for every failing field (``"__all__"``
            holds messages raised outside a field, e.g. by a validator called alone).
        detail: one dict per failure with the keys ``status`` (always
            ``"validation_error"``), ``field``, ``rule`` (``"custom"`` for your own
            validators), ``message`` and ``received`` (the value checked), plus the
            rule's own keys: ``expected_min``, ``expected_max``, ``pattern``, ``choices``.
        instance: the model instance that failed, when a model raised the error.
    """

    def __init__(
        self,
        errors: Mapping[str, Sequence[str]] | str | None = None,
        *,
        detail: Sequence[Mapping[str, Any]] | None = None,
        instance: Any = None,
    ) -> None:
        if isinstance(errors, str):
            errors = {"__all__": [errors]}
        if detail is None:
            detail = [
                {"status": "validation_error", "field": field, "rule": "custom", "message": message, "received": None}
                for field, messages in (errors or {}).items()
                for message in messages
            ]
        self.detail: list[dict[str, Any]] = [dict(issue) for issue in detail]
        if errors is None:
            grouped: dict[str, list[str]] = {}
            for issue in self.detail:
                grouped.setdefault(str(issue.get("field", "__all__")), []).append(str(issue.get("message", "")))
            errors = grouped
        self.errors: dict[str, list[str]] = {field: list(messages) for field, messages in errors.items()}
        self.instance = instance
        parts = [
            " ".join(messages) if field == "__all__" else f"{field}: {' '.join(messages)}"
            for field, messages in self.errors.items()
        ]
        owner = f"{type(instance).__name__} " if instance is not None else ""
        super().__init__(f"{owner}validation failed: " + "; ".join(parts))


#: statements longer than this are shortened in error messages (see DatabaseError)
_SHOWN_SQL = 1000


class DatabaseError(KakaORMError):
    """The database or its driver refused a statement.

    Attributes:
        orig: the driver's own exception.
        statement: the SQL that failed, if any.
        params: the bound parameters of that SQL, if any.
        sqlstate: the five-character SQLSTATE the server reported (PostgreSQL), or
            None when it reported none.
    """

    def __init__(
        self,
        message: str,
        *,
        orig: BaseException | None = None,
        statement: str | None = None,
        params: Sequence[Any] | None = None,
        sqlstate: str | None = None,
    ) -> None:
        super().__init__(message)
        self.orig = orig
        self.statement = statement
        self.params = params
        self.sqlstate = sqlstate

    def __str__(self) -> str:
        text = super().__str__()
        if self.statement:
            text = f"{text}\n[SQL: {self.shown_statement()}]"
        return text

    def shown_statement(self) -> str:
        """The statement as messages show it: whole up to 1,000 characters; a longer one
        (a bulk INSERT of a thousand rows runs to tens of thousands) as its opening,
        with its length, since ``.statement`` keeps the whole text."""
        sql = self.statement or ""
        if len(sql) <= _SHOWN_SQL:
            return sql
        return f"{sql[:_SHOWN_SQL // 2]} ... ({len(sql):,} characters in all; the whole text is in .statement)"


class InterfaceError(DatabaseError):
    """The driver or the connection itself failed (e.g. a closed connection)."""


class OperationalError(DatabaseError):
    """The server is unreachable, refused the login, or a lock or timeout hit."""


class LockNotAvailableError(OperationalError):
    """A row another transaction holds locked could not be locked: ``select_for_update(nowait=True)``
    met it (PostgreSQL SQLSTATE 55P03, MariaDB error 1205) or the lock wait timed out.

    Nothing was locked by the failing statement; the transaction is still open on
    MariaDB and must be rolled back on PostgreSQL. Retry later, or use
    ``skip_locked=True`` to take only the rows nobody holds.
    """


class ConnectionLostError(OperationalError):
    """The connection a statement ran on was closed by the server or the network.

    Raised alike by every driver when, for instance, an administrator ends the
    session (PostgreSQL ``pg_terminate_backend``: ``.sqlstate`` is ``"57P01"``;
    MariaDB ``KILL``), the server restarts, or the network drops. What was in flight
    did not finish: the server rolls back the transaction it was in (a loss during
    ``COMMIT`` leaves the outcome unknown). The pool discards the dead connection and
    the next statement gets a new one, so retry the operation (the whole
    transaction); no reconnect call is needed.
    """


class TransactionConflictError(OperationalError):
    """The database aborted a transaction because it collided with a concurrent one.

    The whole transaction was rolled back and running it again usually succeeds:
    ``@engine.transaction(retry=N)``, ``engine.run_in_transaction(fn, retry=N)`` or
    ``@kakaorm.retry_on_conflict`` do that.
    """


class SerializationError(TransactionConflictError):
    """A serializable or repeatable-read transaction could not be serialized with a
    concurrent one (PostgreSQL SQLSTATE ``40001``)."""


class DeadlockError(TransactionConflictError):
    """Two transactions waited on each other's locks and the database chose this one to
    roll back (PostgreSQL SQLSTATE ``40P01``, MySQL/MariaDB error 1213)."""


class IntegrityError(DatabaseError):
    """A unique, NOT NULL, CHECK or foreign-key constraint rejected the statement."""


class ProgrammingError(DatabaseError):
    """The SQL is invalid or names a table or column that does not exist."""


class DataError(DatabaseError):
    """A value does not fit its column: out of range, too long, or malformed."""


class MigrationError(KakaORMError):
    """A migration cannot be planned or applied."""


class UnresolvedRelationError(MigrationError, LookupError):
    """Relations name models that are not defined (found when a migration is planned).

    Also a :class:`LookupError`, which is what kakaorm 0.4's
    ``Migrator.validate_relationships()`` raised.
    """
