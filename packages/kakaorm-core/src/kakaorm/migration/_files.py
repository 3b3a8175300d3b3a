"""Migration files: ``NNNN_name.py`` holding two lists of SQL, ``up`` and ``down``.

Files are read with :func:`ast.literal_eval`, never imported or executed: ``up`` and
``down`` must be lists of string literals.
"""

from __future__ import annotations

import ast
import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kakaorm.exc import MigrationError

__all__ = ["MigrationFile", "list_migration_files", "migration_source", "next_file_name", "read_migration"]

_FILE = re.compile(r"^(\d{4,})_([A-Za-z0-9_]+)\.py$")


@dataclass(frozen=True)
class MigrationFile:
    """One migration file: its path, number and name (the file name without ``.py``)."""

    path: Path
    number: int

    @property
    def name(self) -> str:
        """The name the migration history records: ``0001_add_bio``."""
        return self.path.stem


def list_migration_files(directory: Path) -> list[MigrationFile]:
    """The migration files of ``directory`` in order; other files are ignored.

    Raises:
        MigrationError: the directory does not exist, or two files share a number.
    """
    if not directory.is_dir():
        raise MigrationError(
            f"the migrations directory {str(directory)!r} does not exist; create it, or "
            "generate a first migration with VersionedMigrator.autogenerate()"
        )
    files = []
    for path in directory.iterdir():
        m = _FILE.match(path.name)
        if m and path.is_file():
            files.append(MigrationFile(path, int(m.group(1))))
    files.sort(key=lambda f: (f.number, f.path.name))
    for a, b in itertools.pairwise(files):
        if a.number == b.number:
            raise MigrationError(
                f"two migration files have the number {a.number:04d}: {a.path.name} and "
                f"{b.path.name}; renumber one of them so the order is unambiguous"
            )
    return files


def next_file_name(files: Sequence[MigrationFile], name: str) -> str:
    """``NNNN_name.py`` numbered after the last file; ``name`` is made identifier-safe."""
    slug = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower() or "auto"
    number = (files[-1].number if files else 0) + 1
    return f"{number:04d}_{slug}.py"


def migration_source(
    file_name: str, up: Sequence[str], down: Sequence[str], notes: Sequence[str] = ()
) -> str:
    """The text of a migration file."""
    lines = [
        f"# {file_name}: written by KakaORM's VersionedMigrator.autogenerate() from the",
        "# differences between the models and the database. Review it, edit it if needed,",
        "# then apply it with VersionedMigrator.run_files().",
        "# The statements use KakaORM's raw-SQL form: %% stands for one percent sign.",
    ]
    lines.extend(f"# {note}" for note in notes)
    lines.append("")
    for var, statements in (("up", up), ("down", down)):
        lines.append(f"{var} = [")
        lines.extend(f"    {json.dumps(s, ensure_ascii=False)}," for s in statements)
        lines.append("]")
        lines.append("")
    return "\n".join(lines)


def read_migration(path: Path) -> tuple[list[str], list[str]]:
    """The ``up`` and ``down`` statements of a migration file.

    Raises:
        MigrationError: the file cannot be parsed, or lacks ``up``/``down`` lists of strings.
    """
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, ValueError) as err:
        raise MigrationError(f"cannot read the migration file {path}: {err}") from err
    found: dict[str, list[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in ("up", "down"):
                found[target.id] = _string_list(path, target.id, node.value)
    missing = [n for n in ("up", "down") if n not in found]
    if missing:
        raise MigrationError(
            f"the migration file {path} does not define {' and '.join(missing)}; a migration "
            'file assigns two lists of SQL strings: up = ["..."] and down = ["..."]'
        )
    return found["up"], found["down"]


def _string_list(path: Path, name: str, node: ast.expr) -> list[str]:
    try:
        value = ast.literal_eval(node)
    except ValueError:
        value = None
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise MigrationError(
            f"in the migration file {path}, {name} must be a list of SQL strings written as "
            "literals (the file is read, not executed)"
        )
    return value
