"""A URL that cannot work is an InvalidURLError before any connection is attempted:
a port outside 1..65535 or not a number, a broken host, and whatever its dialect's
URLRules refuse (a missing database or host, an unknown query option). Messages say
what is wrong, show a valid URL, and never hold the password."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

import kakaorm
from kakaorm import InvalidURLError, parse_url
from kakaorm.compiler import SQLCompiler
from kakaorm.dialect import Dialect, URLRules

EXAMPLE = "'postgresql://user:password@db.example.com:1234/app'"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://u:hunter2@localhost:99999/app", f"the port in a postgresql URL must be 1 to 65535, got 99999: e.g. {EXAMPLE}"),
        ("postgresql://u:hunter2@localhost:0/app", f"the port in a postgresql URL must be 1 to 65535, got 0: e.g. {EXAMPLE}"),
        ("postgresql://u:hunter2@localhost:65536/app", f"the port in a postgresql URL must be 1 to 65535, got 65536: e.g. {EXAMPLE}"),
        ("postgresql://u:hunter2@localhost:abc/app", f"the port in a postgresql URL must be a number, got 'abc': e.g. {EXAMPLE}"),
        ("postgresql://u:hunter2@localhost:/app", f"the port in a postgresql URL must be a number, got '': e.g. {EXAMPLE}"),
        ("postgresql://u:hunter2@localhost:５４３２/app", f"the port in a postgresql URL must be a number, got '５４３２': e.g. {EXAMPLE}"),
        ("postgresql://u:hunter2@localhost:-5/app", f"the port in a postgresql URL must be a number, got '-5': e.g. {EXAMPLE}"),
        (
            "postgresql://u:hunter2@[::1/app",
            "the host '[::1' of a postgresql URL opens an IPv6 address with '[' but does not close it "
            "before the port, e.g. 'postgresql://user@[::1]:1234/app'",
        ),
        (
            "postgresql://u:hunter2@[::1]x/app",
            "the host '[::1]x' of a postgresql URL opens an IPv6 address with '[' but does not close it "
            "before the port, e.g. 'postgresql://user@[::1]:1234/app'",
        ),
        (
            "postgresql://u:hunter2@my%20host/app",
            f"the host 'my host' of a postgresql URL holds spaces or control characters: write a host "
            f"name or address, e.g. {EXAMPLE}",
        ),
    ],
)
def test_a_url_no_server_can_have_is_an_invalid_url_error(url, message):
    with pytest.raises(InvalidURLError) as err:
        parse_url(url)
    assert str(err.value) == message
    assert "hunter2" not in str(err.value)


@pytest.mark.parametrize(
    ("url", "host", "port"),
    [
        ("postgresql://h:1/app", "h", 1),
        ("postgresql://h:65535/app", "h", 65535),
        ("mysql://u@[::1]:3307/app", "::1", 3307),
        ("mysql://u@[::1]/app", "::1", None),
        ("postgresql://%2Fvar%2Frun%2Fpostgresql/app", "/var/run/postgresql", None),
    ],
)
def test_ports_at_the_ends_of_the_range_and_bracketed_hosts_parse(url, host, port):
    parsed = parse_url(url)
    assert (parsed.host, parsed.port, parsed.database) == (host, port, "app")


# -- a dialect's URLRules, checked by connect() before the dialect is made --------------

MADE: list[str] = []


class RulesCompiler(SQLCompiler):
    pass


class RulesDialect(Dialect):
    """A dialect that must never be made by these tests: connect() refuses first."""

    name: ClassVar[str] = "rulesdb"
    driver: ClassVar[str] = "probe"
    compiler_class = RulesCompiler
    url_rules: ClassVar[URLRules | None] = URLRules(
        example="rulesdb+probe://user:password@localhost:7000/app",
        needs_host=True,
        query_options=frozenset({"timeout", "tls"}),
    )

    def __init__(self, url: Any, options: Any) -> None:
        MADE.append(str(url))
        super().__init__(url, options)

    async def create_pool(self) -> Any:
        MADE.append("pool")
        raise kakaorm.OperationalError("a connection was attempted")


class UncheckedDialect(RulesDialect):
    """A dialect declaring no rules (as before URLRules existed): only parsed."""

    url_rules: ClassVar[URLRules | None] = None


kakaorm.register_dialect("rulesdb.probe", RulesDialect)
kakaorm.register_dialect("rulesdb.unchecked", UncheckedDialect)

VALID = "a valid one looks like 'rulesdb+probe://user:password@localhost:7000/app'"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("rulesdb+probe://", f"the rulesdb+probe URL 'rulesdb+probe:///' names no host and names no database; {VALID}"),
        (
            "rulesdb+probe://u:hunter2@/app",
            f"the rulesdb+probe URL 'rulesdb+probe://u:***@/app' names no host; {VALID}",
        ),
        (
            "rulesdb+probe://u:hunter2@:7000/app",
            f"the rulesdb+probe URL 'rulesdb+probe://u:***@:7000/app' gives a port but no host; {VALID}",
        ),
        (
            "rulesdb+probe://u:hunter2@db:7000",
            f"the rulesdb+probe URL 'rulesdb+probe://u:***@db:7000/' names no database; {VALID}",
        ),
        (
            "rulesdb+probe://u:hunter2@db/app?timeout=3&sslmode=x&color=red",
            "the rulesdb+probe URL 'rulesdb+probe://u:***@db/app' has the unknown query option(s) "
            f"color, sslmode (it takes timeout, tls); {VALID}",
        ),
    ],
)
async def test_connect_refuses_a_url_its_dialect_rules_out_before_making_it(url, message):
    MADE.clear()
    with pytest.raises(InvalidURLError) as err:
        await kakaorm.connect(url)
    assert str(err.value) == message
    assert "hunter2" not in str(err.value)
    assert MADE == []  # neither the dialect nor a connection was made


async def test_a_url_its_rules_accept_reaches_the_dialect():
    MADE.clear()
    with pytest.raises(kakaorm.OperationalError, match="a connection was attempted"):
        await kakaorm.connect("rulesdb+probe://u:hunter2@db:7000/app?tls=1")
    assert MADE == ["rulesdb+probe://u:***@db:7000/app", "pool"]


async def test_a_dialect_without_rules_gets_the_url_as_parsed():
    MADE.clear()
    with pytest.raises(kakaorm.OperationalError, match="a connection was attempted"):
        await kakaorm.connect("rulesdb+unchecked://?anything=1")
    assert MADE == ["rulesdb+unchecked:///", "pool"]


def test_url_rules_default_to_a_server_url_with_a_database_and_no_query_options():
    rules = URLRules(example="x://h/d")
    assert (rules.server, rules.needs_host, rules.needs_database, rules.query_options) == (
        True, False, True, frozenset()
    )
    assert Dialect.url_rules is None
