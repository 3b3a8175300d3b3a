"""Relations between models: ``belongs_to``, ``has_many``, ``has_one``, and prefetching.

Reading a relation on an instance gives an awaitable; nothing runs until it is
awaited (``author = await post.author``). ``QuerySet.prefetch("author")`` loads a
relation for every fetched row with one query per relation, after which awaiting it
runs no query.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Generator, Sequence
from functools import partial
from itertools import repeat, starmap
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar, cast, overload

from kakaorm.engine.engine import get_engine
from kakaorm.exc import ModelError, UnknownRelationError
from kakaorm.orm.options import resolve_model
from kakaorm.orm.state import PK_KEY

if TYPE_CHECKING:
    from kakaorm.engine.engine import Engine
    from kakaorm.orm.columns import Column
    from kakaorm.orm.model import Model

__all__ = [
    "BelongsTo", "HasMany", "HasOne", "Relation", "belongs_to", "forget_prefetched", "has_many", "has_one",
    "keep_in_cache", "kept_in_cache", "prefetch_related",
]

T = TypeVar("T")
M = TypeVar("M", bound="Model")

#: instance-dict key of the cache that prefetch fills for relations whose attribute is
#: not the awaitable itself (a many-to-many's manager): relation name ->
#: :class:`_Resolved` holding the list of rows. The other relations keep their
#: prefetched value under their own name (see :meth:`Relation.keep`).
CACHE_KEY = "_kakaorm_related"


class _NoLoop:
    """The loop a prefetched value is made with: none. ``asyncio.Future()`` asks its
    loop only whether it runs in debug mode, and a value finished at once never
    schedules anything on it."""

    __slots__ = ()
    get_debug = staticmethod(bool)  # bool() is False, answered in C


_NO_LOOP = _NoLoop()


class _Resolved(asyncio.Future[Any]):
    """A prefetched value: an awaitable that is already done.

    It is a finished :class:`asyncio.Future` because awaiting one runs in C: no
    frame and no generator per ``await post.author``, which a page of prefetched
    rows does once per row. Its await never consults a loop. To asyncio it is not a
    future (``asyncio.isfuture()`` is false, through ``_asyncio_future_blocking``), so
    ``gather()``, ``wait()``, ``shield()`` or ``run_until_complete()`` treat it as
    any other awaitable, wrapping it in a task of their own loop, whichever loop
    that is: a value prefetched under one event loop serves another. It pickles and
    copies as the value it holds.
    """

    __slots__ = ()
    _asyncio_future_blocking = None  # type: ignore[assignment]

    @property
    def value(self) -> Any:
        """The prefetched row, list of rows or None."""
        return self.result()

    def __reduce__(self) -> tuple[Callable[[Any], _Resolved], tuple[Any]]:
        return (resolved, (self.result(),))


#: a new, unfinished :class:`_Resolved` (Future's own __init__, in C: no frame)
_unfinished: Callable[[], _Resolved] = partial(_Resolved, loop=cast("asyncio.AbstractEventLoop", _NO_LOOP))


def resolved(value: Any) -> _Resolved:
    """A finished awaitable giving ``value`` (a prefetched row, list or None)."""
    done = _unfinished()
    done.set_result(value)
    return done


def resolved_all(values: Sequence[Any]) -> list[_Resolved]:
    """:func:`resolved` of each value, in order, with the loop in C."""
    done = list(starmap(_unfinished, repeat((), len(values))))
    deque(map(_Resolved.set_result, done, values), maxlen=0)
    return done


class Relation(Generic[T]):
    """Base of relation descriptors. ``Model.<name>`` is the relation itself;
    ``instance.<name>`` is an awaitable of the related row(s)."""

    many = False

    def __init__(self, related: type[Model] | str, foreign_key: str) -> None:
        if not isinstance(foreign_key, str) or not foreign_key:
            raise ModelError(f"{type(self).__name__}() needs foreign_key='column_name'")
        self._related = related
        self.foreign_key = foreign_key
        self.name = ""
        self.owner: type[Model] = None  # type: ignore[assignment]

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.owner = owner

    @property
    def related(self) -> type[Model]:
        """The other model (a name given as a string is resolved on first use)."""
        if isinstance(self._related, str):
            self._related = resolve_model(
                self._related, f"{self.owner.__name__}.{self.name}", self.owner.__module__
            )
        return self._related

    # which column holds the key on each side ------------------------------------------
    def fk_column(self) -> Column[Any]:
        """The foreign-key column (on the owner for belongs_to, on the related model else)."""
        model = self.fk_model()
        col = model._meta.columns.get(self.foreign_key)
        if col is None:
            raise ModelError(
                f"{self.owner.__name__}.{self.name}: foreign_key={self.foreign_key!r} is not a "
                f"column of {model.__name__}; its columns are: {', '.join(model._meta.names)}"
            )
        return col

    def fk_model(self) -> type[Model]:
        raise NotImplementedError

    def local_key_name(self) -> str:
        """The key of the instance dict holding the value the related rows are matched on."""
        raise NotImplementedError

    def local_key(self, instance: Model) -> Any:
        """The value on ``instance`` that the related rows are matched on (read as
        :meth:`local_keys` reads it)."""
        return getattr(instance, self.local_key_name(), None)

    def local_keys(self, instances: Sequence[Model]) -> list[Any]:
        """:meth:`local_key` of every instance, in order (one lookup of the key's name).

        Read as attributes, which give what the instance dict holds: the name is a
        column's (a non-data descriptor, reading None where the instance has no
        value) or the loaded key's (no class attribute). Asking each instance for
        its ``__dict__`` would build one for every instance the hydrator made
        without.
        """
        return attribute_of_each(instances, self.local_key_name())

    def remote_column(self) -> Column[Any]:
        """The column of the related model matched against :meth:`local_key`."""
        raise NotImplementedError

    @overload
    def __get__(self, instance: None, owner: Any) -> Self: ...

    @overload
    def __get__(self, instance: object, owner: Any) -> _Awaitable[T]: ...

    def __get__(self, instance: Any, owner: Any) -> Any:
        if instance is None:
            return self
        # a prefetched value sits in the instance dict under this name, where attribute
        # lookup finds it before this (non-data) descriptor: reaching here means none
        return _Load(self, instance)

    # the prefetched value of each instance -------------------------------------------
    def keep(self, instances: Sequence[Model], done: Sequence[_Resolved]) -> None:
        """Store each instance's prefetched value (an already finished awaitable).

        It goes into the instance dict under the relation's name, so that
        ``post.author`` is a plain attribute read there until :func:`forget_prefetched`
        drops it: a relation is a non-data descriptor, which the instance dict overrides.
        Where the name reads something else on the model (a subclass's column of that
        name), the value goes into the relation cache instead (:data:`CACHE_KEY`).
        """
        if not instances:
            return
        if not self._readable_on(type(instances[0])):
            keep_in_cache(self.name, instances, done)
            return
        name = self.name
        if type(instances[0]).__setattr__ is not object.__setattr__:
            # the model's own __setattr__ is left out of it
            for inst, value in zip(instances, done, strict=True):
                inst.__dict__[name] = value
            return
        # Stored as an attribute, which lands in the instance (the name is this
        # relation's, a non-data descriptor, as checked above), and not through
        # __dict__: an instance the hydrator built keeps its values inside itself until
        # its __dict__ is asked for, and asking would build one for every instance.
        # map() runs the stores in C; deque(maxlen=0) consumes it keeping nothing.
        if len(instances) != len(done):
            raise ValueError(f"keep(): {len(instances)} instances but {len(done)} values")
        deque(map(setattr, instances, repeat(name), done), maxlen=0)

    def kept(self, instance: Model) -> _Resolved | None:
        """The value :meth:`keep` stored on ``instance``, or None."""
        if not self._readable_on(type(instance)):
            return kept_in_cache(self.name, instance)
        value = instance.__dict__.get(self.name)
        return value if type(value) is _Resolved else None

    def _readable_on(self, model: type[Model]) -> bool:
        """Whether ``model.<name>`` is this relation (not shadowed by a subclass)."""
        return getattr(model, self.name, None) is self

    def attach(self, owner: type[Model]) -> None:
        """Called by the model metaclass once ``owner`` (which declares this relation)
        has its ``_meta``; a relation that needs more than its descriptor sets it up here."""

    def resolve(self) -> None:
        """Resolve every model this relation names by string (ModelError if one is
        unknown); migrations call it before planning."""
        self.related  # noqa: B018 - reading it resolves the related model's name

    def implied_models(self) -> tuple[type[Model], ...]:
        """Models this relation creates by itself (a many-to-many's through model), which
        ``create_table`` and migrations need beside the declared ones."""
        return ()

    async def fetch_related(
        self, engine: Engine | None, local_keys: Sequence[Any]
    ) -> tuple[dict[Any, Any], list[Model]]:
        """Prefetch for instances whose :meth:`local_keys` are ``local_keys``:
        ``{local key: related row, or list of rows}`` and every row loaded, in as few
        queries as the backend's parameter limit allows."""
        keys = set(local_keys)
        keys.discard(None)
        loaded: dict[Any, Any] = {}
        found: list[Model] = []
        if not keys:
            return loaded, found
        related = self.related
        remote = self.remote_column()
        for batch in key_batches(engine, keys):
            qs = related.all().where(remote.in_(batch))
            if engine is not None:
                qs = qs.using(engine)
            rows = await qs.order_by(related._meta.pk.asc)
            found.extend(rows)
            name = remote.name
            if related._meta.attribute_access:  # see kakaorm.orm.state.stored
                row_keys = attribute_of_each(rows, name)
            else:
                row_keys = [row.__dict__.get(name) for row in rows]
            if self.many:
                for k, row in zip(row_keys, rows):
                    loaded.setdefault(k, []).append(row)
            else:
                # the first row of each key, as setdefault() would keep it, in C: a later
                # row of the same key is overwritten by the earlier one stored after it
                loaded.update(zip(reversed(row_keys), reversed(rows)))
        return loaded, found

    async def load(self, instance: Model) -> Any:
        """Query the related row(s) of one instance."""
        key = self.local_key(instance)
        if key is None:
            return [] if self.many else None
        qs = self.related.all().where(self.remote_column() == key)
        if self.many:
            return await qs.order_by(self.related._meta.pk.asc)
        return await qs.order_by(self.related._meta.pk.asc).first()


class _Awaitable(Generic[T]):
    """What ``instance.relation`` is to a type checker: something to await."""

    def __await__(self) -> Generator[Any, None, T]:
        raise NotImplementedError


class _Load:
    __slots__ = ("instance", "relation")

    def __init__(self, relation: Relation[Any], instance: Model) -> None:
        self.relation, self.instance = relation, instance

    def __await__(self) -> Generator[Any, None, Any]:
        return self.relation.load(self.instance).__await__()


class BelongsTo(Relation[T]):
    """Many-to-one: this model holds the foreign key (``post.author``).

    Declared as ``belongs_to(Author, foreign_key="author_id")``; ``belongs_to`` is
    this class, so ``isinstance(Post.author, belongs_to)`` holds.
    """

    @overload
    def __init__(self: BelongsTo[M | None], related: type[M], foreign_key: str) -> None: ...
    @overload
    def __init__(self: BelongsTo[Any], related: str, foreign_key: str) -> None: ...
    def __init__(self, related: Any, foreign_key: str) -> None:
        super().__init__(related, foreign_key)

    def fk_model(self) -> type[Model]:
        return self.owner

    def local_key_name(self) -> str:
        return self.fk_column().name

    def remote_column(self) -> Column[Any]:
        return self.related._meta.pk


class _Reverse(Relation[T]):
    """A relation whose foreign key is on the other model (has_many, has_one)."""

    def fk_model(self) -> type[Model]:
        return self.related

    def local_key_name(self) -> str:
        return PK_KEY

    def remote_column(self) -> Column[Any]:
        return self.fk_column()


class HasMany(_Reverse[T]):
    """One-to-many: the other model holds the foreign key (``author.posts``).

    Declared as ``has_many(Post, foreign_key="author_id")``; ``has_many`` is this
    class, so ``isinstance(Author.posts, has_many)`` holds.
    """

    many = True

    @overload
    def __init__(self: HasMany[list[M]], related: type[M], foreign_key: str) -> None: ...
    @overload
    def __init__(self: HasMany[Any], related: str, foreign_key: str) -> None: ...
    def __init__(self, related: Any, foreign_key: str) -> None:
        super().__init__(related, foreign_key)


class HasOne(_Reverse[T]):
    """One-to-one: the other model holds the foreign key (``author.profile``).

    Declared as ``has_one(Profile, foreign_key="author_id")``; ``has_one`` is this
    class, so ``isinstance(Author.profile, has_one)`` holds (and ``has_many`` does not).
    """

    many = False

    @overload
    def __init__(self: HasOne[M | None], related: type[M], foreign_key: str) -> None: ...
    @overload
    def __init__(self: HasOne[Any], related: str, foreign_key: str) -> None: ...
    def __init__(self, related: Any, foreign_key: str) -> None:
        super().__init__(related, foreign_key)


#: ``belongs_to(Author, foreign_key="author_id")``: ``await post.author`` gives the
#: related row, or None when the key is NULL.
belongs_to = BelongsTo

#: ``has_many(Post, foreign_key="author_id")``: ``await author.posts`` gives a list
#: ordered by the related primary key.
has_many = HasMany

#: ``has_one(Profile, foreign_key="author_id")``: ``await author.profile`` gives the
#: related row or None.
has_one = HasOne


def attribute_of_each(objects: Sequence[Any], name: str) -> list[Any]:
    """``getattr(obj, name, None)`` of every object, in order: with the loop in C
    when every object has the attribute (the usual case), else one by one."""
    try:
        return list(map(attrgetter(name), objects))
    except AttributeError:
        return [getattr(obj, name, None) for obj in objects]


def key_batches(engine: Engine | None, keys: set[Any]) -> list[list[Any]]:
    """``keys`` in a stable order, cut in lists that fit an IN (...) under the
    backend's parameter limit."""
    eng = engine or get_engine()
    size = max(1, min(eng.features.max_params - 16, 10_000))
    try:
        ordered = sorted(keys)
    except TypeError:  # keys of types that do not compare with each other
        ordered = sorted(keys, key=repr)
    return [ordered[start : start + size] for start in range(0, len(ordered), size)]


def find_relation(model: type[Model], name: str, path: str | None = None) -> Relation[Any]:
    """The relation ``name`` of ``model``; UnknownRelationError listing the relations
    otherwise."""
    rel = model._meta.relations.get(name)
    if rel is None:
        known = ", ".join(sorted(model._meta.relations)) or "none"
        raise UnknownRelationError(
            f"prefetch({path or name!r}): {model.__name__} has no relation named {name!r}; "
            f"its relations are: {known}. Declare it with belongs_to/has_many/has_one/many_to_many, or "
            "prefetch one of those"
        )
    return rel


def check_prefetch_path(model: type[Model], path: str) -> None:
    """Validate ``"author__profile"`` against the models, before any query runs."""
    if not isinstance(path, str):
        raise TypeError(f"prefetch() takes relation names such as 'author', got {path!r}")
    current = model
    for part in path.split("__"):
        current = find_relation(current, part, path).related


async def prefetch_related(engine: Engine | None, instances: Sequence[Model], path: str) -> None:
    """Load the relation path for every instance: one query per relation level (more
    only when the keys exceed the backend's parameter limit)."""
    name, _, rest = path.partition("__")
    if not instances:
        return
    model = type(instances[0])
    rel = find_relation(model, name, path)
    if rel.kept(instances[0]) is not None:
        kept = [rel.kept(i) for i in instances]
        if all(k is not None for k in kept):
            # an earlier path loaded this level ("author" with "author__profile"): reuse it
            found = _unique_related(k.value for k in kept)  # type: ignore[union-attr]
            if rest and found:
                await prefetch_related(engine, found, rest)
            return
    local_keys = rel.local_keys(instances)
    loaded, found = await rel.fetch_related(engine, local_keys)
    # the cache holds each value already wrapped as a finished awaitable, so that
    # ``await post.author`` is one dict lookup. (None is never a key of ``loaded``: a
    # NULL key gets None, or [] for a list.)
    done: list[_Resolved]
    if rel.many:
        # a list of its own for each instance
        done = resolved_all([loaded.get(k, []) for k in local_keys])
    else:
        # one wrapper per related row, shared by every instance pointing at it
        wrapped = dict(zip(loaded, resolved_all(list(loaded.values()))))
        done = list(map(wrapped.get, local_keys, repeat(resolved(None))))
    rel.keep(instances, done)
    if rest and found:
        await prefetch_related(engine, found, rest)


def keep_in_cache(name: str, instances: Sequence[Model], done: Sequence[_Resolved]) -> None:
    """Store prefetched values in each instance's relation cache (:data:`CACHE_KEY`)."""
    for inst, value in zip(instances, done, strict=True):
        d = inst.__dict__
        cache = d.get(CACHE_KEY)
        if cache is None:
            d[CACHE_KEY] = {name: value}
        else:
            cache[name] = value


def kept_in_cache(name: str, instance: Model) -> _Resolved | None:
    """The value :func:`keep_in_cache` stored on ``instance``, or None."""
    cache = instance.__dict__.get(CACHE_KEY)
    return None if cache is None else cache.get(name)


def forget_prefetched(instance: Model) -> None:
    """Drop every value prefetch stored on ``instance`` (its keys may have changed)."""
    d = instance.__dict__
    d.pop(CACHE_KEY, None)
    for name, rel in type(instance)._meta.relations.items():
        if type(d.get(name)) is _Resolved and rel._readable_on(type(instance)):
            del d[name]


def _unique_related(values: Any) -> list[Model]:
    """The distinct instances among cached relation values (rows, lists or None)."""
    seen: set[int] = set()
    out: list[Model] = []
    for value in values:
        for row in value if isinstance(value, list) else (value,):
            if row is not None and id(row) not in seen:
                seen.add(id(row))
                out.append(row)
    return out
