"""Database URLs: ``backend[+driver]://[user[:password]@]host[:port]/database[?opt=val]``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote

from .exc import InvalidURLError

_URL = re.compile(
    r"""^(?P<scheme>[A-Za-z][A-Za-z0-9_.-]*(?:\+[A-Za-z][A-Za-z0-9_.-]*)?)://
        (?P<rest>.*)$""",
    re.X | re.S,
)


@dataclass(frozen=True)
class DatabaseURL:
    """A parsed database URL. ``str()`` and ``repr()`` hide the password."""

    backend: str
    driver: str | None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    host: str | None = None
    port: int | None = None
    database: str | None = None
    query: dict[str, str] = field(default_factory=dict)

    @property
    def scheme(self) -> str:
        """``backend+driver`` as written (``backend`` alone when no driver was given)."""
        return f"{self.backend}+{self.driver}" if self.driver else self.backend

    def safe_location(self) -> str:
        """``user@host:port/database`` with the password masked."""
        auth = ""
        if self.username:
            auth = self.username + (":***" if self.password else "") + "@"
        host = self.host or ""
        if self.port:
            host += f":{self.port}"
        return f"{auth}{host}/{self.database or ''}"

    def __str__(self) -> str:
        return f"{self.scheme}://{self.safe_location()}"


def parse_url(url: str) -> DatabaseURL:
    """Parse a database URL.

    Raises:
        InvalidURLError: the text is not ``scheme://...``.
    """
    if not isinstance(url, str):
        raise InvalidURLError(f"a database URL must be a str, got {type(url).__name__}")
    m = _URL.match(url.strip())
    if m is None:
        shown = url.split("@")[-1] if "@" in url else url
        raise InvalidURLError(
            f"cannot parse database URL {shown!r}: expected "
            "'backend[+driver]://[user[:password]@]host[:port]/database', "
            "for example 'sqlite+aiosqlite:///./app.db' or 'postgresql://user@localhost/app'"
        )
    scheme = m.group("scheme").lower()
    backend, _, driver = scheme.partition("+")
    rest = m.group("rest")
    if backend != "sqlite":
        # credentials end at the last "@": a password may hold "/", "?", ":" or "@"
        userinfo, at, location = rest.rpartition("@")
        if not at:
            userinfo, location = "", rest
        location, _, query_text = location.partition("?")
        return _server_url(scheme, backend, driver, userinfo, location, query_text)
    # sqlite:///relative.db, sqlite:////abs/path.db, sqlite:///:memory:
    rest, _, query_text = rest.partition("?")
    if not rest.startswith("/"):
        raise InvalidURLError(
            "a SQLite URL has three slashes before the path: 'sqlite+aiosqlite:///./app.db' "
            "or 'sqlite+aiosqlite:///:memory:'"
        )
    path = unquote(rest[1:])
    if not path:
        raise InvalidURLError(
            "a SQLite URL needs a file path or :memory:, e.g. 'sqlite+aiosqlite:///./app.db'"
        )
    return DatabaseURL(
        backend, driver or None, database=path, query=dict(parse_qsl(query_text, keep_blank_values=True))
    )


def _server_url(
    scheme: str, backend: str, driver: str, userinfo: str, location: str, query_text: str
) -> DatabaseURL:
    hostport, _, database = location.partition("/")
    username, colon, password = userinfo.partition(":")
    host, port_text = hostport, ""
    if hostport.startswith("["):
        end = hostport.find("]")
        host, port_text = hostport[1:end], hostport[end + 2 :]
    elif ":" in hostport:
        host, _, port_text = hostport.partition(":")
    port: int | None = None
    if port_text:
        if not port_text.isdigit():
            # the credentials were split off first, so this text never holds the password
            raise InvalidURLError(f"the port in a {scheme} URL must be a number, got {port_text!r}")
        port = int(port_text)
    return DatabaseURL(
        backend,
        driver or None,
        username=unquote(username) or None,
        password=unquote(password) if colon else None,
        host=unquote(host) or None,
        port=port,
        database=unquote(database) or None,
        query=dict(parse_qsl(query_text, keep_blank_values=True)),
    )
