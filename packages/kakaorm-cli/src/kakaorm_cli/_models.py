"""Finding the models of a project: every concrete Model class defined in one module."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

from kakaorm import Model

from ._errors import CLIError

_MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def import_models(module_name: str) -> list[type[Model]]:
    """Import ``module_name`` (the current directory first on sys.path) and list its models.

    A model counts when it is a concrete (not abstract) ``kakaorm.Model`` subclass whose
    class statement is in that module; models it merely imports belong to their own module.
    They are returned in the order the module defines them.

    Raises:
        CLIError: the name is not a module path, the import fails, or there is no model.
    """
    if not _MODULE_NAME.fullmatch(module_name):
        raise CLIError(
            f"{module_name!r} is not a Python module path: give a dotted name such as "
            "myapp.models (not a file path)"
        )
    cwd = str(Path.cwd())
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        module = importlib.import_module(module_name)
    except Exception as err:
        where = ""
        tb = err.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        if tb is not None and not isinstance(err, ModuleNotFoundError):
            where = f" ({Path(tb.tb_frame.f_code.co_filename).name}, line {tb.tb_lineno})"
        if isinstance(err, SyntaxError) and err.filename:
            where = f" ({Path(err.filename).name}, line {err.lineno})"
        raise CLIError(
            f"cannot import the models module {module_name!r}: {type(err).__name__}: {err}{where}. "
            "Run kakaorm from your project's root directory and check --models / "
            "KAKAORM_MODELS / models in kakaorm.toml"
        ) from err
    found: list[type[Model]] = []
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and issubclass(value, Model)
            and value.__module__ == module.__name__
            and not value._meta.abstract
        ):
            found.append(value)
    if not found:
        raise CLIError(
            f"the module {module_name!r} defines no concrete kakaorm.Model subclass; "
            "point --models at the module whose classes declare your tables"
        )
    return found
