"""The plugin as a package: entry points, lazy driver imports, option checking."""

from __future__ import annotations

import subprocess
import sys

import pytest

import kakaorm
from kakaorm import ConfigurationError, DriverNotInstalledError
from kakaorm.engine.registry import load_dialect
from kakaorm_postgres import AsyncpgDialect, PsycopgDialect


def test_importing_the_plugin_imports_no_driver():
    code = (
        "import sys, kakaorm_postgres, kakaorm_postgres.dialect, kakaorm_postgres.errors;"
        "print(sorted(m for m in ('asyncpg', 'psycopg', 'psycopg_pool') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("url", "dialect"),
    [
        ("postgresql://u@h/db", AsyncpgDialect),
        ("postgresql+asyncpg://u@h/db", AsyncpgDialect),
        ("postgresql+psycopg3://u@h/db", PsycopgDialect),
        ("postgresql+psycopg://u@h/db", PsycopgDialect),
    ],
)
def test_every_postgres_scheme_resolves_to_its_dialect(url, dialect):
    assert load_dialect(kakaorm.parse_url(url)) is dialect


async def test_missing_psycopg_is_a_driver_not_installed_error_with_the_pip_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # makes `import psycopg` fail
    with pytest.raises(DriverNotInstalledError) as info:
        await kakaorm.connect("postgresql+psycopg://postgres@127.0.0.1/test")
    assert 'pip install "kakaorm-postgres[psycopg]"' in str(info.value)


async def test_missing_psycopg_pool_is_reported_the_same_way(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg_pool", None)
    with pytest.raises(DriverNotInstalledError) as info:
        await kakaorm.connect("postgresql+psycopg3://postgres@127.0.0.1/test")
    assert 'pip install "kakaorm-postgres[psycopg]"' in str(info.value)


async def test_missing_asyncpg_is_a_driver_not_installed_error_with_the_pip_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "asyncpg", None)
    with pytest.raises(DriverNotInstalledError) as info:
        await kakaorm.connect("postgresql://postgres@127.0.0.1/test")
    assert "pip install kakaorm-postgres" in str(info.value)


def test_describe_masks_the_password():
    url = kakaorm.parse_url("postgresql+psycopg3://app:hunter2-secret@db.example:6543/shop")
    assert PsycopgDialect(url, {}).describe() == "postgresql+psycopg3://app:***@db.example:6543/shop"
    assert "hunter2" not in repr(PsycopgDialect(url, {}).settings)


def test_options_come_from_keywords_and_from_the_url_query():
    url = kakaorm.parse_url("postgresql://u@h/db?pool_max_size=7&pool_timeout=2.5")
    settings = AsyncpgDialect(url, {"pool_min_size": 3, "statement_cache_size": 0}).settings
    assert (settings.pool_min_size, settings.pool_max_size) == (3, 7)
    assert (settings.pool_timeout, settings.connect_timeout, settings.statement_cache_size) == (2.5, 10.0, 0)
    assert (settings.host, settings.port, settings.database, settings.user) == ("h", 5432, "db", "u")


@pytest.mark.parametrize(
    ("url", "options", "message"),
    [
        ("postgresql://u@h/db?sslmode=require", {}, "has the unknown query option(s) sslmode"),
        ("postgresql://u@h/db", {"pool_min_size": 5, "pool_max_size": 2}, "pool_min_size (5) is larger than pool_max_size (2)"),
        ("postgresql://u@h/db", {"pool_max_size": 0}, "pool_max_size must be at least 1"),
        ("postgresql://u@h/db", {"pool_timeout": 0}, "pool_timeout must be a positive number of seconds"),
        ("postgresql://u@h/db", {"connect_timeout": "soon"}, "connect_timeout takes a number of seconds, got 'soon'"),
        ("postgresql://u@h/db", {"statement_cache_size": 1.5}, "statement_cache_size takes an int, got 1.5"),
        ("postgresql://u@h/db?pool_min_size=-1", {}, "pool_min_size must be 0 or more, got -1"),
    ],
)
async def test_invalid_options_are_configuration_errors(url, options, message):
    with pytest.raises(ConfigurationError) as info:
        await kakaorm.connect(url, **options)
    assert message in str(info.value)


async def test_an_option_of_another_backend_is_refused_listing_ours():
    with pytest.raises(ConfigurationError) as info:
        await kakaorm.connect("postgresql://u@h/db", busy_timeout=3)
    message = str(info.value)
    assert "busy_timeout" in message
    for name in ("pool_min_size", "pool_max_size", "pool_timeout", "connect_timeout", "statement_cache_size"):
        assert name in message
