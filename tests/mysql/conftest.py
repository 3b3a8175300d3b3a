"""Fixtures of the MySQL/MariaDB tests."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

import kakaorm


@dataclass
class Account:
    """A server account made for one test, with a password."""

    user: str
    password: str
    host: str
    port: int
    database: str

    def url(self, password: str | None = None, **parts: object) -> str:
        fields = {"host": self.host, "port": self.port, "database": self.database, **parts}
        secret = self.password if password is None else password
        return f"mysql+aiomysql://{self.user}:{secret}@{fields['host']}:{fields['port']}/{fields['database']}"


@pytest.fixture
async def password_account(engine: kakaorm.Engine, connect_url: Callable[[], str]) -> AsyncIterator[Account]:
    """A user with a password, allowed to use the test database; dropped afterwards."""
    parsed = kakaorm.parse_url(connect_url())
    assert parsed.database is not None
    user = f"kk_{os.getpid()}_{secrets.token_hex(3)}"
    password = f"Pw-{secrets.token_hex(10)}"
    # '%%' is a literal % in raw SQL; a user per host pattern the server may match
    hosts = ["%%", "localhost"]
    for host in hosts:
        await engine.execute(f"CREATE USER '{user}'@'{host}' IDENTIFIED BY '{password}'")
        await engine.execute(f"GRANT ALL ON `{parsed.database}`.* TO '{user}'@'{host}'")
    try:
        yield Account(user, password, parsed.host or "127.0.0.1", parsed.port or 3306, parsed.database)
    finally:
        for host in hosts:
            await engine.execute(f"DROP USER IF EXISTS '{user}'@'{host}'")
