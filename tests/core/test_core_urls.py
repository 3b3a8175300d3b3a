"""Database URL parsing; malformed URLs are InvalidURLError, passwords never shown."""

from __future__ import annotations

import pytest

import kakaorm
from kakaorm import DatabaseURL, InvalidURLError, parse_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite+aiosqlite:///:memory:", DatabaseURL("sqlite", "aiosqlite", database=":memory:")),
        ("sqlite:///./app.db", DatabaseURL("sqlite", None, database="./app.db")),
        ("sqlite+aiosqlite:////abs/dir/app.db", DatabaseURL("sqlite", "aiosqlite", database="/abs/dir/app.db")),
        (
            "postgresql+asyncpg://user:p%40ss@db.example.com:6543/app?sslmode=require",
            DatabaseURL("postgresql", "asyncpg", "user", "p@ss", "db.example.com", 6543, "app", {"sslmode": "require"}),
        ),
        ("postgresql://localhost/app", DatabaseURL("postgresql", None, host="localhost", database="app")),
        ("MySQL+AIOMySQL://root@127.0.0.1:3306/test", DatabaseURL("mysql", "aiomysql", "root", None, "127.0.0.1", 3306, "test")),
        ("mysql://root:@[::1]:3307/db", DatabaseURL("mysql", None, "root", "", "::1", 3307, "db")),
    ],
)
def test_parse_url_splits_every_part(url, expected):
    assert parse_url(url) == expected


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("not a url", "cannot parse database URL 'not a url'"),
        ("", "cannot parse database URL"),
        ("://host/db", "cannot parse database URL"),
        ("postgresql:/localhost/app", "cannot parse database URL"),
        ("sqlite+aiosqlite://app.db", "three slashes"),
        ("sqlite+aiosqlite:///", "needs a file path or :memory:"),
        ("postgresql://user@localhost:port/app", "port in a postgresql URL must be a number, got 'port'"),
    ],
)
def test_malformed_urls_raise_invalid_url_error(url, fragment):
    with pytest.raises(InvalidURLError) as info:
        parse_url(url)
    assert fragment in str(info.value)
    assert isinstance(info.value, kakaorm.ConfigurationError)


def test_a_url_that_is_not_a_string_is_invalid():
    with pytest.raises(InvalidURLError, match="must be a str, got bytes"):
        parse_url(b"sqlite:///x.db")  # type: ignore[arg-type]


async def test_connect_with_a_malformed_url_raises_invalid_url_error():
    with pytest.raises(InvalidURLError, match=r"for example 'sqlite\+aiosqlite:///\./app\.db'"):
        await kakaorm.connect("localhost:5432/app")


def test_the_password_is_hidden_in_str_repr_and_errors():
    url = parse_url("postgresql+asyncpg://admin:hunter2@db/app")
    assert str(url) == "postgresql+asyncpg://admin:***@db/app"
    assert "hunter2" not in repr(url)
    assert url.safe_location() == "admin:***@db/app"
    with pytest.raises(InvalidURLError) as info:
        parse_url("admin:hunter2@db/app")
    assert "hunter2" not in str(info.value)


def test_scheme_joins_backend_and_driver():
    assert parse_url("postgresql+psycopg3://h/d").scheme == "postgresql+psycopg3"
    assert parse_url("mariadb://h/d").scheme == "mariadb"


@pytest.mark.parametrize(
    ("url", "password", "host", "port", "database"),
    [
        ("postgresql://app:s3cr/et@db/app", "s3cr/et", "db", None, "app"),
        ("mysql://root:12345/678@127.0.0.1/test", "12345/678", "127.0.0.1", None, "test"),
        ("mysql://u:p@ss?w:rd@h:3306/d", "p@ss?w:rd", "h", 3306, "d"),
    ],
)
def test_a_password_with_url_delimiters_stays_in_the_password(url, password, host, port, database):
    parsed = parse_url(url)
    assert (parsed.password, parsed.host, parsed.port, parsed.database) == (password, host, port, database)
    assert password not in str(parsed)
    assert password not in repr(parsed)


def test_a_sqlite_url_without_three_slashes_is_shown_fixed_with_its_own_scheme():
    with pytest.raises(kakaorm.InvalidURLError) as info:
        kakaorm.parse_url("sqlite+stdlib://app.db")
    assert str(info.value) == (
        "a SQLite URL has three slashes before the path: 'sqlite+stdlib:///./app.db' or 'sqlite+stdlib:///:memory:'"
    )
