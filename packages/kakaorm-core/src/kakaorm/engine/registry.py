"""Finding dialects: the ``kakaorm.dialects`` entry points, plus in-process registrations."""

from __future__ import annotations

import importlib
from importlib.metadata import EntryPoint, entry_points

from kakaorm.dialect import PROTOCOL_VERSION, Dialect
from kakaorm.exc import NoSuchDialectError, PluginError
from kakaorm.url import DatabaseURL

ENTRY_POINT_GROUP = "kakaorm.dialects"

#: which first-party distribution serves each backend, for the "pip install" hint
_FIRST_PARTY = {
    "sqlite": "kakaorm-sqlite",
    "postgresql": "kakaorm-postgres",
    "postgres": "kakaorm-postgres",
    "mysql": "kakaorm-mysql",
    "mariadb": "kakaorm-mysql",
}

_registered: dict[str, str | type[Dialect]] = {}
_cache: dict[str, type[Dialect]] = {}


def register_dialect(name: str, target: str | type[Dialect]) -> None:
    """Register a dialect in this process, without a packaged entry point.

    Args:
        name: ``"backend"`` or ``"backend.driver"`` (URL scheme ``backend+driver``).
        target: ``"module:Class"``, or the Dialect class itself.

    Example::

        kakaorm.register_dialect("mydb.mydriver", "my_package.dialect:MyDialect")
        engine = await kakaorm.connect("mydb+mydriver://localhost/app")
    """
    if not name or name != name.strip() or "+" in name:
        raise ValueError(f"a dialect name looks like 'backend' or 'backend.driver', got {name!r}")
    _registered[name.lower()] = target
    _cache.pop(name.lower(), None)


def installed_schemes() -> list[str]:
    """Every URL scheme an installed or registered dialect serves, sorted."""
    names = {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)} | set(_registered)
    return sorted(n.replace(".", "+") for n in names)


def _dist_name(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return dist.name if dist is not None else "<unknown distribution>"


def load_dialect(url: DatabaseURL) -> type[Dialect]:
    """The Dialect class for a URL's scheme (loaded once, then cached).

    Raises:
        NoSuchDialectError: nothing serves the scheme (the message has the pip line).
        PluginError: the plugin does not load, is not a Dialect, or is claimed twice.
    """
    name = f"{url.backend}.{url.driver}" if url.driver else url.backend
    cached = _cache.get(name)
    if cached is not None:
        return cached
    target: str | type[Dialect] | None = _registered.get(name)
    origin = "register_dialect()"
    if target is None:
        found = list(entry_points(group=ENTRY_POINT_GROUP, name=name))
        distinct = {(ep.value, _dist_name(ep)) for ep in found}
        if len(distinct) > 1:
            claims = "; ".join(f"{dist} ({value})" for value, dist in sorted(distinct, key=lambda x: x[1]))
            raise PluginError(
                f"two installed distributions claim the dialect {name!r}: {claims}. "
                "Uninstall one of them."
            )
        if not found:
            raise NoSuchDialectError(_missing_message(url))
        target = found[0].value
        origin = f"distribution {_dist_name(found[0])}"
    cls = _import_target(target, name, origin)
    _cache[name] = cls
    return cls


def _import_target(target: str | type[Dialect], name: str, origin: str) -> type[Dialect]:
    if isinstance(target, str):
        module_name, _, attr = target.partition(":")
        try:
            obj: object = importlib.import_module(module_name)
            for part in attr.split(".") if attr else ():
                obj = getattr(obj, part)
        except Exception as exc:
            raise PluginError(
                f"the dialect {name!r} from {origin} failed to load {target!r}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
    else:
        obj = target
    if not (isinstance(obj, type) and issubclass(obj, Dialect)):
        raise PluginError(
            f"the dialect {name!r} from {origin} is {obj!r}, which is not a "
            "kakaorm.dialect.Dialect subclass"
        )
    if obj.protocol_version != PROTOCOL_VERSION:
        raise PluginError(
            f"the dialect {name!r} from {origin} speaks dialect protocol "
            f"{obj.protocol_version}; this kakaorm-core speaks {PROTOCOL_VERSION}. "
            "Upgrade the plugin or kakaorm-core so they match."
        )
    return obj


def _missing_message(url: DatabaseURL) -> str:
    installed = installed_schemes()
    listing = ", ".join(installed) if installed else "none"
    dist = _FIRST_PARTY.get(url.backend)
    if dist is not None:
        hint = f"Install it with: pip install {dist}"
    else:
        hint = (
            f"No KakaORM distribution is known for {url.backend!r}; install a plugin that "
            "registers it in the 'kakaorm.dialects' entry-point group"
        )
    return (
        f"no dialect is installed for the URL scheme {url.scheme!r}. {hint}. "
        f"Installed schemes: {listing}."
    )
