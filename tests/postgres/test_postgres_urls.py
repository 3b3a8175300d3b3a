"""PostgreSQL URLs that cannot work are InvalidURLErrors before any connection attempt."""

from __future__ import annotations

import pytest

import kakaorm

VALID = "a valid one looks like 'postgresql://user:password@localhost:5432/app'"
OPTIONS = "connect_timeout, pgbouncer, pool_max_size, pool_min_size, pool_timeout, statement_cache_size"


@pytest.mark.parametrize("scheme", ["postgresql", "postgresql+asyncpg", "postgresql+psycopg3", "postgresql+psycopg"])
@pytest.mark.parametrize(
    ("rest", "problem"),
    [
        ("", "'{scheme}:///' names no database"),
        ("app:hunter2@localhost", "'{scheme}://app:***@localhost/' names no database"),
        ("app:hunter2@:5432/shop", "'{scheme}://app:***@:5432/shop' gives a port but no host"),
        (
            "app:hunter2@localhost/shop?sslmode=require",
            "'{scheme}://app:***@localhost/shop' has the unknown query option(s) sslmode (it takes " + OPTIONS + ")",
        ),
    ],
    ids=["empty", "no-database", "port-without-host", "unknown-option"],
)
async def test_a_postgresql_url_missing_a_part_or_with_an_unknown_option(scheme, rest, problem):
    with pytest.raises(kakaorm.InvalidURLError) as err:
        await kakaorm.connect(f"{scheme}://{rest}", connect_timeout=0.001)
    assert str(err.value) == f"the {scheme} URL {problem.format(scheme=scheme)}; {VALID}"
    assert "hunter2" not in str(err.value)


@pytest.mark.parametrize("port", ["99999", "0"])
async def test_a_postgresql_port_out_of_range(port):
    with pytest.raises(kakaorm.InvalidURLError) as err:
        await kakaorm.connect(f"postgresql://app:hunter2@localhost:{port}/shop")
    assert str(err.value) == (
        f"the port in a postgresql URL must be 1 to 65535, got {int(port)}: "
        "e.g. 'postgresql://user:password@db.example.com:1234/app'"
    )


async def test_a_url_without_a_host_still_means_localhost():
    from kakaorm_postgres.dialect import AsyncpgDialect

    url = kakaorm.parse_url("postgresql://app@/shop")
    assert (AsyncpgDialect(url, {}).settings.host, AsyncpgDialect(url, {}).settings.database) == ("localhost", "shop")
