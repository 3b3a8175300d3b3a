"""Database URLs: ``backend[+driver]://[user[:password]@]host[:port]/database[?opt=val]``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote

from kakaorm.exc import InvalidURLError

__all__ = ["DatabaseURL", "URLRules", "check_url", "parse_url"]


@dataclass(frozen=True)
class URLRules:
    """Which parts of a database URL a dialect needs and takes.

    ``kakaorm.connect`` checks a URL against its dialect's rules (``Dialect.url_rules``)
    before the dialect is created, so a URL that cannot work is an
    :class:`~kakaorm.exc.InvalidURLError` before any connection is attempted.

    Attributes:
        example: a valid URL of the dialect, shown in every error message.
        server: the URL names a server (host, port, user, password); False for a
            database that is a file, such as SQLite.
        needs_host: a URL without a host is refused (False: the dialect has a default).
        needs_database: a URL without a database (path) is refused.
        query_options: the names the URL's ``?query`` may set; any other is refused.
    """

    example: str
    server: bool = True
    needs_host: bool = False
    needs_database: bool = True
    query_options: frozenset[str] = frozenset()


#: the highest TCP port
MAX_PORT = 65535

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
            f"a SQLite URL has three slashes before the path: '{scheme}:///./app.db' "
            f"or '{scheme}:///:memory:'"
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
    # every text quoted in these errors comes after the credentials, never the password
    example = f"'{scheme}://user:password@db.example.com:1234/app'"
    hostport, _, database = location.partition("/")
    username, colon, password = userinfo.partition(":")
    host, port_text = hostport, ""
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0 or not (hostport[end + 1 :] == "" or hostport[end + 1 :].startswith(":")):
            raise InvalidURLError(
                f"the host {hostport!r} of a {scheme} URL opens an IPv6 address with '[' but does "
                f"not close it before the port, e.g. '{scheme}://user@[::1]:1234/app'"
            )
        host, port_text = hostport[1:end], hostport[end + 2 :]
    elif ":" in hostport:
        host, _, port_text = hostport.partition(":")
    port: int | None = None
    if port_text or hostport.endswith(":"):
        if not (port_text.isascii() and port_text.isdigit()):
            raise InvalidURLError(
                f"the port in a {scheme} URL must be a number, got {port_text!r}: e.g. {example}"
            )
        port = int(port_text)
        if not 1 <= port <= MAX_PORT:
            raise InvalidURLError(
                f"the port in a {scheme} URL must be 1 to {MAX_PORT}, got {port}: e.g. {example}"
            )
    host = unquote(host)
    if any(c.isspace() or not c.isprintable() for c in host):
        raise InvalidURLError(
            f"the host {host!r} of a {scheme} URL holds spaces or control characters: "
            f"write a host name or address, e.g. {example}"
        )
    return DatabaseURL(
        backend,
        driver or None,
        username=unquote(username) or None,
        password=unquote(password) if colon else None,
        host=host or None,
        port=port,
        database=unquote(database) or None,
        query=dict(parse_qsl(query_text, keep_blank_values=True)),
    )


def check_url(url: DatabaseURL, rules: URLRules) -> None:
    """Check that ``url`` has the parts its dialect needs, and only those it takes.

    Raises:
        InvalidURLError: says what is wrong and shows ``rules.example`` (never the
            password: the URL is shown as ``str(url)`` masks it).
    """
    problems: list[str] = []
    if rules.server:
        if url.port is not None and not url.host:
            problems.append("gives a port but no host")
        elif rules.needs_host and not url.host:
            problems.append("names no host")
    if rules.needs_database and not url.database:
        problems.append("names no database" if rules.server else "names no database file")
    unknown = sorted(set(url.query) - rules.query_options)
    if unknown:
        takes = (
            "it takes " + ", ".join(sorted(rules.query_options))
            if rules.query_options
            else "it takes none: pass settings to kakaorm.connect() as keyword arguments"
        )
        problems.append(f"has the unknown query option(s) {', '.join(unknown)} ({takes})")
    if problems:
        raise InvalidURLError(
            f"the {url.scheme} URL {str(url)!r} {' and '.join(problems)}; "
            f"a valid one looks like {rules.example!r}"
        )
