"""The compliance suite (kakaorm.testing) on every first-party backend: the suite's
``kakaorm_url`` fixture is given the run's database of each backend of tests/conftest.py."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def kakaorm_url(backend: Any) -> str:
    """The run's database on ``backend`` (sqlite, postgres-asyncpg, postgres-psycopg, mysql)."""
    return str(backend.url())
