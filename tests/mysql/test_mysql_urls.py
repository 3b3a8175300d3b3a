"""MySQL/MariaDB URLs that cannot work are InvalidURLErrors before any connection attempt."""

from __future__ import annotations

import pytest

import kakaorm

VALID = "a valid one looks like 'mysql://user:password@localhost:3306/app'"


@pytest.mark.parametrize("scheme", ["mysql", "mysql+aiomysql", "mariadb", "mariadb+aiomysql"])
@pytest.mark.parametrize(
    ("rest", "problem"),
    [
        ("", "'{scheme}:///' names no database"),
        ("app:hunter2@localhost:3306", "'{scheme}://app:***@localhost:3306/' names no database"),
        ("app:hunter2@:3306/shop", "'{scheme}://app:***@:3306/shop' gives a port but no host"),
        (
            "app:hunter2@localhost/shop?charset=latin1",
            "'{scheme}://app:***@localhost/shop' has the unknown query option(s) charset (it takes "
            "none: pass settings to kakaorm.connect() as keyword arguments)",
        ),
    ],
    ids=["empty", "no-database", "port-without-host", "unknown-option"],
)
async def test_a_mysql_url_missing_a_part_or_with_an_option(scheme, rest, problem):
    with pytest.raises(kakaorm.InvalidURLError) as err:
        await kakaorm.connect(f"{scheme}://{rest}", connect_timeout=0.001)
    assert str(err.value) == f"the {scheme} URL {problem.format(scheme=scheme)}; {VALID}"
    assert "hunter2" not in str(err.value)


async def test_a_mysql_port_out_of_range():
    with pytest.raises(kakaorm.InvalidURLError) as err:
        await kakaorm.connect("mariadb://app:hunter2@localhost:70000/shop")
    assert str(err.value) == (
        "the port in a mariadb URL must be 1 to 65535, got 70000: "
        "e.g. 'mariadb://user:password@db.example.com:1234/app'"
    )
