"""Columns: the Column descriptor (also an expression), foreign keys, and the rule
checking values written to or compared with a column.

``Task.title`` is the :class:`Column` (an expression usable in queries); ``task.title``
is the value, read straight from the instance ``__dict__`` because a column is a
non-data descriptor (no per-attribute Python call on the hot path).
"""

from __future__ import annotations

import builtins
import datetime as _dt
import itertools
import decimal as _decimal
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Generic,
    Hashable,
    Literal,
    Self,
    Sequence,
    TypedDict,
    TypeVar,
    Unpack,
    overload,
)

from kakaorm.orm.options import is_model_class, resolve_model
from kakaorm.orm.validation import Validator
from kakaorm.exc import DataError, ModelError
from kakaorm.expr import Expression, Param
from kakaorm.types import INTEGER, SQLType

if TYPE_CHECKING:
    from kakaorm.orm.model import Model

# the typed column classes (IntColumn, StrColumn, ...) are in kakaorm.orm.column_types
__all__ = ["Column", "ColumnOptions", "ForeignKey", "coerce_value", "utcnow"]

T = TypeVar("T")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

_serial = itertools.count(1)

ON_DELETE_ACTIONS = ("CASCADE", "SET NULL", "RESTRICT", "NO ACTION")


class ColumnOptions(TypedDict, total=False):
    """Options shared by every column type."""

    default: Any
    unique: bool
    index: bool
    check: str | None
    auto_increment: bool
    validators: Sequence[Validator] | None


class Column(Expression[T], Generic[T]):
    """A model column. Subclasses fix the SQL type; see the concrete column classes.

    Args:
        nullable: allow NULL (default True; a primary key is never nullable).
        default: a value, or a zero-argument callable called for each new instance.
        unique: add a UNIQUE constraint.
        primary_key: make this the primary key (no auto-increment unless asked).
        index: add a single-column index.
        check: a CHECK constraint, as SQL written by the model's author.
        auto_increment: let the database generate the value (integer keys).
        validators: callables run on the value before every INSERT and UPDATE, e.g.
            ``[min_length(2), max_length(50)]`` (see :mod:`kakaorm.validators`).
    """

    sql_type: SQLType

    def __init__(
        self,
        sql_type: SQLType,
        *,
        nullable: bool = True,
        default: Any = MISSING,
        unique: bool = False,
        primary_key: bool = False,
        index: bool = False,
        check: str | None = None,
        auto_increment: bool = False,
        validators: Sequence[Validator] | None = None,
    ) -> None:
        self.sql_type = sql_type
        self.primary_key = primary_key
        self.nullable = nullable and not primary_key
        self.default = default
        self.unique = unique
        self.index = index
        self.check = check
        self.auto_increment = auto_increment
        #: the checks run before the value is written (``validators=``)
        self.validators: tuple[Validator, ...] = _validators(validators)
        self.auto_now = False
        self.auto_now_add = False
        self.name: str = ""
        self.model: type[Model] = None  # type: ignore[assignment]
        self._uid = next(_serial)
        #: values of exactly this type need no checking or conversion before binding
        self.exact_type: builtins.type = _EXACT.get(sql_type.kind, _Missing)
        #: the same for values written (a bounded text must also have its length checked)
        self.write_exact_type: builtins.type = self.exact_type
        if auto_increment and sql_type.kind != "int":
            raise ModelError("auto_increment=True is only valid on an IntColumn")

    # the value type for bind/result conversions
    @property
    def type(self) -> SQLType:  # type: ignore[override]
        return self.sql_type

    @property
    def has_default(self) -> bool:
        """True when the column has a Python-side default."""
        return self.default is not MISSING

    def get_default(self) -> Any:
        """The default for a new instance (calling a callable default)."""
        default = self.default
        if default is MISSING:
            return None
        return default() if callable(default) else default

    def __set_name__(self, owner: builtins.type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: Any) -> Self: ...

    @overload
    def __get__(self, instance: object, owner: Any) -> T: ...

    def __get__(self, instance: object | None, owner: Any) -> Any:
        if instance is None:
            return self
        # Only reached when the instance dict lacks the value (non-data descriptor).
        return None

    def _key(self, params: list[Param]) -> Hashable:
        # a serial number, not the column: comparing columns with == builds SQL, and
        # an id() could be reused by a later column after this one is collected
        return self._uid

    def __repr__(self) -> str:
        owner = self.model.__name__ if self.model is not None else "?"
        return f"<{type(self).__name__} {owner}.{self.name}>"

    def _check_value(self, value: Any) -> Any:
        # on the compile hot path: a value of exactly the column's type needs no work
        if type(value) is self.exact_type:
            return value
        return coerce_value(self, value, exact=True)

    def _copy_for(self, model: builtins.type[Model]) -> Column[T]:
        clone = object.__new__(builtins.type(self))
        clone.__dict__.update(self.__dict__)
        clone.model = model
        clone._uid = next(_serial)
        return clone


class ForeignKey(Column[T]):
    """A column referencing another model's primary key.

    Args:
        to: the referenced model class, or its class name as a string.
        on_delete: ``"CASCADE"`` (default), ``"SET NULL"``, ``"RESTRICT"`` or ``"NO ACTION"``.
    """

    @overload
    def __init__(
        self: ForeignKey[int], to: type[Model] | str, *, nullable: Literal[False],
        on_delete: str = ..., primary_key: bool = ..., **options: Unpack[ColumnOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: ForeignKey[int | None], to: type[Model] | str, *, nullable: bool = ...,
        on_delete: str = ..., primary_key: bool = ..., **options: Unpack[ColumnOptions],
    ) -> None: ...
    def __init__(self, to: Any, *, on_delete: str = "CASCADE", **options: Any) -> None:
        if isinstance(to, str):
            if not to:
                raise ModelError("ForeignKey() needs a model class or a model class name")
        elif not is_model_class(to):
            raise ModelError(
                f"ForeignKey() must reference a Model subclass or its name, got {to!r}"
            )
        action = on_delete.upper() if isinstance(on_delete, str) else on_delete
        if action not in ON_DELETE_ACTIONS:
            raise ModelError(
                f"on_delete={on_delete!r} is not supported; use one of "
                + ", ".join(repr(a) for a in ON_DELETE_ACTIONS)
            )
        self.to = to
        self.on_delete: str = action
        super().__init__(INTEGER, **options)
        if not isinstance(to, str):
            self._adopt_target_type()
        else:
            # the key's type is unknown until the name is resolved: no value may skip
            # coerce_value(), which resolves it
            self.exact_type = self.write_exact_type = _Missing

    def _adopt_target_type(self) -> None:
        """Hold and check values of the referenced key's type (an int until known)."""
        target = self.target_model._meta.pk.sql_type
        self.sql_type = target
        self.exact_type = _EXACT.get(target.kind, _Missing)
        self.write_exact_type = self.exact_type if target.length is None else _Missing

    @property
    def target_model(self) -> type[Model]:
        """The referenced model class (a string reference is resolved on first use)."""
        if isinstance(self.to, str):
            module = self.model.__module__ if self.model is not None else None
            self.to = resolve_model(self.to, f"ForeignKey {self!r}", module)
            self._adopt_target_type()
        return self.to  # type: ignore[no-any-return]

    @property
    def target_column(self) -> Column[Any]:
        """The referenced primary-key column."""
        return self.target_model._meta.pk

    @property
    def type(self) -> SQLType:  # type: ignore[override]
        try:
            target: SQLType = self.target_column.sql_type
            return target
        except ModelError:
            return self.sql_type


def _validators(given: Any) -> tuple[Validator, ...]:
    """``validators=`` as a tuple of callables; ModelError for anything else."""
    if given is None:
        return ()
    if callable(given) or isinstance(given, (str, bytes)) or not hasattr(given, "__iter__"):
        raise ModelError(
            f"validators= takes a list of validators, e.g. validators=[min_length(2)], got {given!r}"
        )
    out = tuple(given)
    for item in out:
        if not callable(item):
            raise ModelError(
                f"validators= holds {item!r}, which is not callable; a validator is a "
                "callable taking the value, such as min_length(2) or a function of your own"
            )
    return out


def coerce_value(column: Expression[Any], value: Any, *, exact: bool = False) -> Any:
    """Check ``value`` against the column's type, converting where lossless.

    The one rule for values written to a column (create, save, update) and compared
    with it (filters); ``column`` may also be another typed expression, such as an
    aggregate in ``having()``.

    Args:
        exact: keep a decimal as given instead of rounding it to the column's decimal
            places (a filter compares with the value as written).

    Raises:
        TypeError: the value has a type the column cannot hold.
    """
    if value is None:
        return None
    if isinstance(column, ForeignKey) and isinstance(column.to, str):
        column.target_model  # resolves the name and adopts the referenced key's type
    sql_type = column.sql_type if isinstance(column, Column) else column.type
    if sql_type is None or sql_type.kind not in _ACCEPTED:
        return value
    kind = sql_type.kind
    expected = _ACCEPTED[kind]
    if not isinstance(value, expected) or (kind in ("int", "float", "decimal") and isinstance(value, bool)):
        if isinstance(value, Expression):
            return value
        raise TypeError(
            f"{_subject(column, kind)} and takes {_DESCRIBE[kind]}, not {type(value).__name__} ({value!r})"
        )
    if (
        isinstance(value, str) and not exact and sql_type.length is not None
        and len(value) > sql_type.length
    ):
        shown = repr(value) if len(value) <= 20 else f"{value[:20]!r}..."
        raise DataError(
            f"{_subject(column, kind)}(max_length={sql_type.length}) and {shown} has "
            f"{len(value)} characters; nothing was written: shorten the text or raise max_length"
        )
    if kind == "date" and isinstance(value, _dt.datetime):
        raise TypeError(f"{_subject(column, kind)} and takes a date, not a datetime")
    if kind == "decimal" and isinstance(value, str):
        try:
            number = _decimal.Decimal(value)
        except _decimal.InvalidOperation:
            raise TypeError(
                f"{_subject(column, kind)} and takes {_DESCRIBE[kind]}; "
                f"{value!r} is not a number: pass e.g. Decimal('12.50')"
            ) from None
        if exact:
            return number
    if exact and kind == "decimal":
        return _decimal.Decimal(value) if isinstance(value, int) else value
    try:
        return sql_type.normalize(value)
    except DataError:  # a decimal that does not fit NUMERIC(max_digits, decimal_places)
        if kind != "decimal":
            raise
        if isinstance(column, Column):
            owner = column.model.__name__ if column.model is not None else "?"
            subject = (
                f"{owner}.{column.name} is a DecimalColumn(max_digits={sql_type.precision}, "
                f"decimal_places={sql_type.scale})"
            )
        else:
            subject = _subject(column, kind)
        number = value if isinstance(value, _decimal.Decimal) else _decimal.Decimal(str(value))
        raise DataError(sql_type._decimal_misfit(number, subject)) from None


def _subject(column: Expression[Any], kind: str) -> str:
    """``Post.views is a IntColumn``: what the value was checked against."""
    if isinstance(column, Column):
        owner = column.model.__name__ if column.model is not None else "?"
        return f"{owner}.{column.name} is a {type(column).__name__}"
    return f"{column!r} is of type {kind}"


_ACCEPTED: dict[str, type | tuple[type, ...]] = {
    "int": int,
    "str": str,
    "float": (float, int),
    "bool": bool,
    "datetime": _dt.datetime,
    "date": _dt.date,
    "time": _dt.time,
    "decimal": (_decimal.Decimal, int, str),
}

_EXACT: dict[str, builtins.type] = {
    "int": int,
    "str": str,
    "float": float,
    "bool": bool,
    "date": _dt.date,
    "time": _dt.time,
}

_DESCRIBE = {
    "int": "an int",
    "str": "a str",
    "float": "a float (or int)",
    "bool": "a bool",
    "datetime": "a datetime",
    "date": "a date",
    "time": "a time",
    "decimal": "a Decimal (or int or numeric str)",
}

#: callables the model layer uses for auto timestamps
utcnow: Callable[[], _dt.datetime] = lambda: _dt.datetime.now(_dt.timezone.utc)  # noqa: E731
