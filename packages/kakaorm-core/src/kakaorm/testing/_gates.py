"""Skipping what a dialect says it lacks, and only that, always with the reason."""

from __future__ import annotations

import pytest

from kakaorm import Engine
from kakaorm.exc import QueryError

from .models import ComplianceAuthor


def scheme(engine: Engine) -> str:
    """``name+driver`` of the engine's dialect, for skip reasons."""
    return f"{engine.dialect.name}+{engine.dialect.driver}"


def require_feature(engine: Engine, feature: str) -> None:
    """Skip unless ``engine.dialect.features.<feature>`` is true."""
    if not getattr(engine.dialect.features, feature, False):
        pytest.skip(f"the {scheme(engine)} dialect declares DialectFeatures.{feature} = False (or lacks the field)")


def require_row_locks(engine: Engine) -> None:
    """Skip when the dialect's compiler refuses ``select_for_update()`` (its ``lock_clause``)."""
    try:
        ComplianceAuthor.all().using(engine).select_for_update().sql()
    except QueryError as err:
        pytest.skip(f"the {scheme(engine)} dialect refuses select_for_update(): {err}")


def require_isolation(engine: Engine, level: str) -> None:
    """Skip when the dialect's compiler refuses the isolation level (its ``begin_isolated``)."""
    try:
        engine.dialect.compiler.begin_isolated(level)
    except QueryError as err:
        pytest.skip(f"the {scheme(engine)} dialect refuses isolation={level!r}: {err}")
