"""What both driver adapters share: connection settings, and the error raised when a
connection cannot be opened. Imports no driver."""

from __future__ import annotations

import math
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kakaorm.exc import ConfigurationError, OperationalError
from kakaorm.url import DatabaseURL

__all__ = ["ConnectionSettings", "OPTIONS", "commit_refused", "connect_failure", "parse_settings"]

#: connect() options of both PostgreSQL dialects, with what each one means
OPTIONS: dict[str, str] = {
    "pool_min_size": "connections opened at connect() and kept open (int, default 1)",
    "pool_max_size": "most connections open at once (int, default 10)",
    "pool_timeout": "seconds a statement waits for a free connection (default 30)",
    "connect_timeout": "seconds to wait for the server when connecting (default 10)",
    "statement_cache_size": "prepared statements kept per connection; 0 turns them off (for PgBouncer)",
    "pgbouncer": (
        "True when the URL is a PgBouncer in transaction pooling mode: no prepared "
        "statements and no per-connection SET (bool, default False)"
    ),
}


@dataclass(frozen=True)
class ConnectionSettings:
    """Where to connect and how to pool, from the URL and the connect() options."""

    host: str
    port: int
    database: str
    user: str
    password: str | None = field(repr=False)
    pool_min_size: int = 1
    pool_max_size: int = 10
    pool_timeout: float = 30.0
    connect_timeout: float = 10.0
    #: None: the driver's default
    statement_cache_size: int | None = None
    #: behind PgBouncer in transaction mode: nothing may rely on session state
    pgbouncer: bool = False

    def target(self) -> str:
        """``host:port, database 'x', user 'y'`` for messages (never the password)."""
        return f"{self.host}:{self.port}, database {self.database!r}, user {self.user!r}"

    @property
    def connect_timeout_seconds(self) -> int:
        """The connect timeout rounded up to whole seconds (libpq's unit)."""
        return max(1, math.ceil(self.connect_timeout))


def _number(name: str, given: Any, integer: bool) -> float:
    value = given
    if isinstance(value, str):  # from the URL's query string
        try:
            value = int(value) if integer else float(value)
        except ValueError:
            value = None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
        integer and not isinstance(value, int)
    ):
        kind = "an int" if integer else "a number of seconds"
        raise ConfigurationError(f"the PostgreSQL option {name} takes {kind}, got {given!r}")
    return value


def _flag(name: str, given: Any) -> bool:
    if isinstance(given, bool):
        return given
    if isinstance(given, str) and given.lower() in ("true", "1", "yes", "false", "0", "no"):
        return given.lower() in ("true", "1", "yes")  # from the URL's query string
    raise ConfigurationError(f"the PostgreSQL option {name} takes True or False, got {given!r}")


def parse_settings(url: DatabaseURL, options: Mapping[str, Any]) -> ConnectionSettings:
    """Validate the URL and options (options given in the URL's query string count too).

    Raises:
        ConfigurationError: an unknown or invalid option (the message lists the valid ones).
    """
    merged: dict[str, Any] = dict(url.query)
    merged.update(options)
    unknown = sorted(set(merged) - set(OPTIONS))
    if unknown:
        valid = "; ".join(f"{k}: {v}" for k, v in OPTIONS.items())
        raise ConfigurationError(
            f"unknown PostgreSQL option(s) {', '.join(unknown)} in the URL; valid options: {valid}"
        )
    values: dict[str, Any] = {}
    for name in ("pool_min_size", "pool_max_size", "statement_cache_size"):
        if name in merged:
            number = int(_number(name, merged[name], integer=True))
            if number < 0:
                raise ConfigurationError(f"the PostgreSQL option {name} must be 0 or more, got {number}")
            values[name] = number
    for name in ("pool_timeout", "connect_timeout"):
        if name in merged:
            seconds = float(_number(name, merged[name], integer=False))
            if not seconds > 0:
                raise ConfigurationError(
                    f"the PostgreSQL option {name} must be a positive number of seconds, got {seconds!r}"
                )
            values[name] = seconds
    if "pgbouncer" in merged:
        values["pgbouncer"] = _flag("pgbouncer", merged["pgbouncer"])
    if values.get("pgbouncer"):
        if values.get("statement_cache_size", 0) != 0:
            raise ConfigurationError(
                f"pgbouncer=True turns prepared statements off, but statement_cache_size="
                f"{values['statement_cache_size']} asks for them; drop statement_cache_size"
            )
        values["statement_cache_size"] = 0
    user = url.username or "postgres"
    settings = ConnectionSettings(
        host=url.host or "localhost",
        port=url.port or 5432,
        database=url.database or user,
        user=user,
        password=url.password,
        **values,
    )
    if settings.pool_max_size < 1:
        raise ConfigurationError("the PostgreSQL option pool_max_size must be at least 1")
    if settings.pool_min_size > settings.pool_max_size:
        raise ConfigurationError(
            f"pool_min_size ({settings.pool_min_size}) is larger than pool_max_size "
            f"({settings.pool_max_size}); lower the first or raise the second"
        )
    return settings


def _hint(err: BaseException, settings: ConnectionSettings) -> str:
    sqlstate = getattr(err, "sqlstate", None) or ""
    text = str(err).lower()
    if sqlstate == "3D000" or ("database" in text and "does not exist" in text):
        return "Create the database (CREATE DATABASE) or fix its name in the URL"
    if sqlstate.startswith("28") or "password" in text or "authentication" in text or (
        "role" in text and "does not exist" in text
    ):
        return "Check the user name and password in the URL"
    if isinstance(err, TimeoutError) or "timeout" in text or "timed out" in text:
        return (
            f"The server did not answer within connect_timeout={settings.connect_timeout:g} s; "
            "check the host and port, or raise connect_timeout"
        )
    if "unsupported startup parameter" in text:
        # PgBouncer refuses psycopg's `options` startup parameter (-c TimeZone=UTC)
        return "The server is a PgBouncer: connect with pgbouncer=True"
    if isinstance(err, socket.gaierror) or "name or service not known" in text or "resolve" in text:
        return "The host name does not resolve; fix the host in the URL"
    return "Check that the server runs and accepts TCP connections on that host and port"


def connect_failure(err: BaseException, settings: ConnectionSettings) -> OperationalError:
    """The error for a connection that could not be opened; the password never appears."""
    reason = " ".join(str(err).split()) or type(err).__name__
    if settings.password and settings.password in reason:
        reason = reason.replace(settings.password, "***")
    if not reason.endswith(("?", "!", ".")):
        reason += "."
    return OperationalError(
        f"cannot connect to PostgreSQL at {settings.target()}: {reason} {_hint(err, settings)}",
        orig=err,
    )


def commit_refused() -> OperationalError:
    """The error for a COMMIT that PostgreSQL answered with ROLLBACK.

    PostgreSQL aborts a transaction at its first failed statement and turns the COMMIT
    into a ROLLBACK without an error; KakaORM reports it rather than lose the writes
    silently.
    """
    return OperationalError(
        "COMMIT did not commit: a statement inside the transaction failed, so PostgreSQL "
        "rolled the whole transaction back and nothing of it was written. To go on after "
        "a failed statement, wrap that statement in a nested engine.transaction() "
        "(a savepoint) and catch its error outside the nested block"
    )
