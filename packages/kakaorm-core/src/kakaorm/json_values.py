"""JSON documents as a JSONColumn holds them: checking, writing and reading.

One text form serves every backend. It is plain JSON with two choices that make
values come back exactly:

* a float is always written with a decimal point (``1e+16`` as
  ``10000000000000000.0``): PostgreSQL's jsonb keeps numbers as ``numeric`` and prints
  ``1e+16`` back as an integer, which would read as an ``int``;
* a double quote inside a string or key is written ``\\u0022``. SQLite's and MariaDB's
  path lookups compare a key with its text as stored, escapes included, and SQLite's
  path syntax cannot spell ``\\"``; a path built by :func:`path_key_text` spells keys
  the same way, so a key holding quotes is found on both.

Only ``dict`` (with ``str`` keys), ``list``, ``str``, ``int``, ``float`` (finite),
``bool`` and ``None`` are JSON values; anything else, a NaN or infinity, or a NUL
character (which PostgreSQL's jsonb cannot hold) is refused before anything is sent.
"""

from __future__ import annotations

import decimal as _decimal
import json
import math
from typing import Any

__all__ = ["check_json", "dump_json", "load_json", "path_key_text"]


def check_json(value: Any, subject: str) -> Any:
    """``value`` if it is a JSON document (a dict or a list of JSON values).

    Args:
        subject: starts the error message, e.g. ``"Doc.data is a JSONColumn"``.

    Raises:
        TypeError: the value, or something inside it, is not JSON; the message shows
            where (``data['tags'][2]``) and what to do.
    """
    if not isinstance(value, (dict, list)):
        raise TypeError(
            f"{subject} and takes a dict or a list (a JSON object or array), not "
            f"{type(value).__name__} ({value!r}); wrap a single value, e.g. {{'value': ...}}"
        )
    problem = _misfit(value, "value")
    if problem is not None:
        raise TypeError(f"{subject} and takes JSON values only: {problem}")
    return value


def _misfit(value: Any, where: str) -> str | None:
    """Why ``value`` (found at ``where``) is not JSON, or None if it is."""
    kind = type(value)
    if value is None or kind is bool or kind is int:
        return None
    if kind is float:
        if math.isfinite(value):
            return None
        return f"{where} is {value!r}, which JSON cannot hold; store None or a finite number"
    if kind is str:
        return _text_misfit(value, where, "")
    if kind is list:
        for i, item in enumerate(value):
            problem = _misfit(item, f"{where}[{i}]")
            if problem is not None:
                return problem
        return None
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                return (
                    f"{where} has the key {key!r} ({type(key).__name__}); JSON object keys are "
                    "str: convert the key, e.g. str(key)"
                )
            problem = _text_misfit(key, where, " key")
            if problem is not None:
                return problem
            problem = _misfit(item, f"{where}[{key!r}]")
            if problem is not None:
                return problem
        return None
    return (
        f"{where} is {type(value).__name__} ({value!r}); a JSON value is a dict, list, str, "
        "int, float, bool or None: convert it first (e.g. a tuple to a list, a Decimal to str)"
    )


def _text_misfit(text: str, where: str, what: str) -> str | None:
    """Why the text ``text`` (a value, or with ``what=" key"`` a key, at ``where``)
    cannot be stored, or None."""
    if "\x00" in text:
        return f"{where}{what} holds a NUL character ('\\x00'), which PostgreSQL's jsonb cannot store; remove it"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (
            f"{where}{what} holds {text[exc.start]!r}, a lone surrogate UTF-8 cannot encode (e.g. from bytes "
            "decoded with errors='surrogateescape'); clean the text first"
        )
    return None


def _string(text: str) -> str:
    """``text`` as a JSON string literal, a double quote inside written ``\\u0022``."""
    return json.dumps(text, ensure_ascii=False)[1:-1].replace('\\"', "\\u0022").join('""')


def _float(number: float) -> str:
    """A finite float with a decimal point, so that every backend reads it as a float."""
    text = repr(number)
    if "e" in text or "E" in text:
        text = format(_decimal.Decimal(text), "f")
    return text if "." in text else text + ".0"


def dump_json(value: Any) -> str:
    """The stored text of a checked JSON value (see the module docstring)."""
    kind = type(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return _float(value)
    if kind is str:
        return _string(value)
    if kind is list:
        return "[" + ",".join(dump_json(item) for item in value) + "]"
    return "{" + ",".join(_string(k) + ":" + dump_json(v) for k, v in value.items()) + "}"


def load_json(raw: Any) -> Any:
    """A JSON value from what a driver returns: text (asyncpg, aiomysql, SQLite),
    bytes, or a value the driver already decoded (psycopg)."""
    if isinstance(raw, (bytes, bytearray, memoryview)):
        raw = bytes(raw).decode()
    if isinstance(raw, str):
        return json.loads(raw)
    return raw


def path_key_text(key: str) -> str:
    """An object key inside a ``$."..."`` path, spelled as :func:`dump_json` stores it."""
    return _string(key)
