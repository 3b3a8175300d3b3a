"""Running migration SQL: KakaORM's raw-SQL form of DDL and running statements in order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kakaorm.exc import DatabaseError, MigrationError

if TYPE_CHECKING:
    from kakaorm.compiler import SQLCompiler
    from kakaorm.engine.engine import Engine

__all__ = ["execute_statements", "raw_form"]


def raw_form(compiler: SQLCompiler, sql: str) -> str:
    """A compiler's DDL in KakaORM's raw-SQL form (``%%`` is a literal percent), which
    ``engine.execute`` runs on every backend and which migration files store."""
    return sql if compiler.paramstyle == "format" else sql.replace("%", "%%")


async def execute_statements(engine: Engine, statements: Sequence[str], what: str) -> None:
    """Run raw-form statements in order inside the caller's migration lock.

    Raises:
        MigrationError: a statement failed; the message names ``what``, the statement,
            and (where DDL is not transactional) the statements that already ran.
    """
    done: list[str] = []
    for i, sql in enumerate(statements, 1):
        try:
            await engine.execute(sql)
        except DatabaseError as err:
            if engine.features.transactional_ddl:
                outcome = "It was rolled back: the schema and the migration history are as they were."
            else:
                applied = "".join(f"\n  {s}" for s in done) if done else " none"
                outcome = (
                    "This database cannot roll DDL back, so the statements before it stay "
                    f"applied:{applied}\nNothing was recorded for it: bring the schema back "
                    "by hand (or finish the remaining statements), then run it again."
                )
            raise MigrationError(
                f"{what} failed at statement {i} of {len(statements)}:\n  {sql}\n"
                f"because: {err.args[0] if err.args else err}\n{outcome}"
            ) from err
        done.append(sql)
