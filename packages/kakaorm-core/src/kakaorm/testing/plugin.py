"""The pytest plugin of the compliance suite: the database URL and a connected engine.

Load it from the top-level ``conftest.py`` of the dialect's tests::

    pytest_plugins = ["kakaorm.testing.plugin"]

and point it at a database the suite may create tables in (it creates and drops only
tables named ``compliance_...``)::

    pytest --kakaorm-url "mydb+mydriver://user@localhost/test"
    KAKAORM_COMPLIANCE_URL="mydb+mydriver://user@localhost/test" pytest

A test suite that has its own way of choosing databases overrides the
``kakaorm_url`` fixture instead (KakaORM's own tests do, once per backend).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

import kakaorm
from kakaorm import Engine

from .models import drop_suite_tables

#: the environment variable read when ``--kakaorm-url`` is not given
URL_ENV = "KAKAORM_COMPLIANCE_URL"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kakaorm", "KakaORM dialect compliance suite")
    group.addoption(
        "--kakaorm-url",
        dest="kakaorm_url",
        default=None,
        help=f"the database URL the compliance suite runs against (default: ${URL_ENV})",
    )


@pytest.fixture
def kakaorm_url(request: pytest.FixtureRequest) -> str:
    """The URL of the database under test: ``--kakaorm-url``, else ``$KAKAORM_COMPLIANCE_URL``."""
    url = request.config.getoption("kakaorm_url", None) or os.environ.get(URL_ENV)
    if not url:
        pytest.fail(
            f"the KakaORM compliance suite needs a database: pass --kakaorm-url URL or set {URL_ENV}",
            pytrace=False,
        )
    return str(url)


@pytest_asyncio.fixture
async def compliance_engine(kakaorm_url: str) -> AsyncIterator[Engine]:
    """A connected engine (the models' default) with none of the suite's tables in it."""
    engine = await kakaorm.connect(kakaorm_url)
    try:
        await drop_suite_tables(engine)
        yield engine
    finally:
        await drop_suite_tables(engine)
        await engine.disconnect()


__all__ = ["URL_ENV", "compliance_engine", "kakaorm_url", "pytest_addoption"]
