"""Turning any failure into one line on stderr and exit code 1."""

from __future__ import annotations

import os
import re
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from typing import NoReturn, ParamSpec, TypeVar

import typer

from kakaorm import DatabaseError, KakaORMError

P = ParamSpec("P")
R = TypeVar("R")

#: set to 1 to get the full traceback of an unexpected error (for a bug report)
ENV_TRACEBACK = "KAKAORM_TRACEBACK"


class CLIError(Exception):
    """A failure the user can fix; its message is what failed, why, and what to do."""


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines included) made one space."""
    return re.sub(r"\s+", " ", text).strip()


def describe(err: BaseException) -> str:
    """The one-line message for an error raised while a command ran."""
    if isinstance(err, CLIError):
        return one_line(str(err))
    if isinstance(err, DatabaseError):
        # the first argument is the message; str() would append the SQL on a new line
        text = str(err.args[0]) if err.args else type(err).__name__
        if err.statement:
            text += f" [SQL: {err.shown_statement()}]"
        return one_line(text)
    if isinstance(err, KakaORMError):
        return one_line(str(err) or type(err).__name__)
    return one_line(
        f"unexpected {type(err).__name__}: {err}. This is a bug in KakaORM or a plugin: "
        f"run again with {ENV_TRACEBACK}=1 to see the traceback, and report it"
    )


def fail(message: str) -> NoReturn:
    """Print ``error: message`` as one line on stderr and exit with code 1."""
    typer.echo(f"error: {one_line(message)}", err=True)
    raise typer.Exit(1)


def one_line_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Run a command so that any error becomes one line on stderr and exit code 1."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            fail("interrupted by Ctrl-C; run 'kakaorm showmigrations' to see what was applied")
        except Exception as err:  # noqa: BLE001 - the contract is one line, never a traceback
            if os.environ.get(ENV_TRACEBACK) == "1":
                traceback.print_exc(file=sys.stderr)
            fail(describe(err))

    return wrapper
