"""Reading type names and default expressions as databases report them into portable
terms (:class:`~kakaorm.schema.ColumnType`, Python values)."""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import re
import uuid as _uuid
from typing import Any

from kakaorm.schema.tables import ColumnType, DefaultExpression

__all__ = ["parse_default", "portable_type"]


_ARGS = re.compile(r"\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)")

_INT = {"int", "integer", "bigint", "smallint", "mediumint", "tinyint", "int2", "int4", "int8",
        "serial", "bigserial", "smallserial"}
_TEXT = {"text", "longtext", "mediumtext", "tinytext", "clob"}
_VARCHAR = {"varchar", "character varying", "nvarchar", "varying character"}
_FLOAT = {"real", "double", "double precision", "float", "float4", "float8"}
_BOOL = {"bool", "boolean"}
_DATETIME = {"timestamp with time zone", "timestamptz", "datetime"}
_DATE = {"date"}
_TIME = {"time", "time without time zone"}
_DECIMAL = {"numeric", "decimal"}
_BYTES = {"blob", "bytea", "longblob"}
_JSON = {"json", "jsonb"}


def portable_type(type_sql: str) -> ColumnType:
    """The portable type of a type name as a database spells it.

    Knows the names KakaORM's compilers write and the names PostgreSQL, MySQL/MariaDB
    and SQLite report (``bigint``, ``character varying(255)``, ``decimal(10,2)``,
    ``timestamp with time zone``, ``datetime(6)``, ``bytea``, ``uuid``, ``jsonb``, ...). Anything else is
    ``ColumnType("other", name=...)``.
    """
    text = " ".join(type_sql.lower().replace("unsigned", " ").split())
    if text.endswith("[]"):  # a PostgreSQL array: integer[], text[], ...
        return ColumnType("array", item=portable_type(text[:-2]))
    m = _ARGS.search(text)
    first = int(m.group(1)) if m else None
    second = int(m.group(2)) if m and m.group(2) else None
    base = " ".join(_ARGS.sub(" ", text).split())
    if base in _INT:
        return ColumnType("int")
    if base in _VARCHAR:
        return ColumnType("str", length=first)
    if base in _TEXT:
        return ColumnType("str")
    if base in _FLOAT:
        return ColumnType("float")
    if base in _BOOL:
        return ColumnType("bool")
    if base in _DATETIME:
        return ColumnType("datetime")
    if base in _DATE:
        return ColumnType("date")
    if base in _TIME:
        return ColumnType("time")
    if base in _BYTES:
        return ColumnType("bytes")
    if base == "uuid":
        return ColumnType("uuid")
    if base in _JSON:
        return ColumnType("json")
    if base in _DECIMAL:
        return ColumnType("decimal", precision=first, scale=second if first is not None else None)
    return ColumnType("other", name=text)


_CAST = re.compile(r"^(.*?)::[a-z_][a-z0-9_ ]*(\(\d+(,\s*\d+)?\))?( with(out)? time zone)?(\[\])?$", re.S)


def parse_default(text: str | None, kind: str, *, backslash_escapes: bool = False) -> Any:
    """A default as a database reports it (``'abc'::text``, ``0``, ``'2020-01-01'``)
    read into a Python value of the column's kind.

    Args:
        text: the default's SQL text; None means no default.
        kind: the column's portable kind.
        backslash_escapes: a backslash escapes inside string literals (MySQL).

    Returns:
        The value; None for no default or DEFAULT NULL; a :class:`DefaultExpression`
        when the text is not a constant of the column's kind.
    """
    if text is None:
        return None
    sql = text.strip()
    while sql.startswith("(") and sql.endswith(")") and _balanced(sql[1:-1]):
        sql = sql[1:-1].strip()
    m = _CAST.match(sql)
    if m:
        sql = m.group(1).strip()
        while sql.startswith("(") and sql.endswith(")") and _balanced(sql[1:-1]):
            sql = sql[1:-1].strip()
    if sql.upper() == "NULL":
        return None
    quoted = len(sql) >= 2 and sql[0] == "'" and sql[-1] == "'"
    value = _unquote(sql[1:-1], backslash_escapes) if quoted else sql
    try:
        converted = _convert(value, kind, quoted)
    except (ValueError, ArithmeticError):
        converted = None
    return DefaultExpression(text.strip()) if converted is None else converted


def _balanced(inner: str) -> bool:
    depth = 0
    in_string = False
    for ch in inner:
        if ch == "'":
            in_string = not in_string
        elif not in_string:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth < 0:
                    return False
    return depth == 0 and not in_string


def _unquote(body: str, backslash_escapes: bool) -> str:
    if not backslash_escapes:
        return body.replace("''", "'")
    out: list[str] = []
    i = 0
    escapes = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "Z": "\x1a", "b": "\b"}
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append(escapes.get(nxt, nxt))
            i += 2
            continue
        if ch == "'" and body[i + 1 : i + 2] == "'":
            out.append("'")
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _convert(value: str, kind: str, quoted: bool) -> Any:
    """The value of a constant for ``kind``, or None when it is not one."""
    if kind == "str" or kind == "other":
        return value if quoted else None
    if kind == "bool":
        lowered = value.strip().lower()
        if lowered in ("1", "true", "t", "b'1'"):
            return True
        if lowered in ("0", "false", "f", "b'0'"):
            return False
        return None
    if kind == "int":
        return int(value) if re.fullmatch(r"[+-]?\d+", value.strip()) else None
    if kind == "float":
        return float(value) if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", value.strip()) else None
    if kind == "decimal":
        return _decimal.Decimal(value.strip())
    if not quoted:
        return None
    if kind == "datetime":
        parsed = _dt.datetime.fromisoformat(value.strip())
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=_dt.UTC)
        return parsed.astimezone(_dt.UTC)
    if kind == "date":
        return _dt.date.fromisoformat(value.strip())
    if kind == "time":
        return _dt.time.fromisoformat(value.strip())
    if kind == "uuid":
        return _uuid.UUID(value.strip())
    return None
