"""Many-to-many relations: ``tags = many_to_many(Tag)``.

Rows of the two models are linked through a third table, the *through* table, that
holds one foreign key to each side. ``many_to_many(Tag)`` creates that table's model
by itself (``Post.tags.through``: table ``post_tags``, columns ``post_id`` and
``tag_id``, both ON DELETE CASCADE, unique as a pair); ``many_to_many(Tag,
through=PostTag)`` uses a model of your own, which may carry more columns.

On an instance the relation is a :class:`ManyToManyManager`: awaiting it gives the
linked rows, and its methods change the links (``add``, ``remove``, ``clear``,
``set``). On the class it is the :class:`ManyToMany` itself, whose :meth:`~ManyToMany.any`
filters the owner's rows by their links.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast, overload

from kakaorm.engine.engine import get_engine
from kakaorm.exc import ModelError, QueryError
from kakaorm.expr import Condition
from kakaorm.orm.columns import ForeignKey
from kakaorm.orm.hydrate import hydrate_models
from kakaorm.orm.many_to_many_through import Link, find_keys, make_through
from kakaorm.orm.options import is_model_class, resolve_model, when_defined
from kakaorm.orm.relations import (
    CACHE_KEY,
    Relation,
    _Awaitable,
    _Resolved,
    keep_in_cache,
    kept_in_cache,
    key_batches,
)
from kakaorm.orm.state import PK_KEY, stored

if TYPE_CHECKING:
    from kakaorm.engine.engine import Engine
    from kakaorm.orm.model import Model
    from kakaorm.orm.queryset import QuerySet

__all__ = ["ManyToMany", "ManyToManyManager", "many_to_many"]

M = TypeVar("M", bound="Model")

#: the result name under which prefetch reads each row's owner key
_OWNER = "kakaorm_m2m_owner"


class ManyToMany(Relation[list[M]]):
    """Many-to-many: rows of both models linked through a third table.

    Declared as ``many_to_many(Tag)``, ``many_to_many("Tag")`` or
    ``many_to_many(Tag, through=PostTag)``; ``many_to_many`` is this class, so
    ``isinstance(Post.tags, many_to_many)`` holds.

    Args:
        related: the other model, or its class name.
        through: the model of the link table (or its class name); without it one is
            created (``Post.tags.through``).
        through_fields: with ``through``, the names of its foreign keys to this model
            and to the related one, e.g. ``("post_id", "tag_id")``. Needed only when
            they cannot be told apart by the models they reference (a model linked to
            itself, or two keys to one model).
        related_name: also put the reverse relation on the related model under this
            name (``Tag.posts``, ``await tag.posts``), over the same through table.
    """

    many = True

    @overload
    def __init__(
        self: ManyToMany[M], related: type[M], *, through: type[Model] | str | None = ...,
        through_fields: tuple[str, str] | None = ..., related_name: str | None = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: ManyToMany[Any], related: str, *, through: type[Model] | str | None = ...,
        through_fields: tuple[str, str] | None = ..., related_name: str | None = ...,
    ) -> None: ...
    def __init__(
        self, related: Any, *, through: Any = None, through_fields: tuple[str, str] | None = None,
        related_name: str | None = None,
    ) -> None:
        if not (isinstance(related, str) and related) and not is_model_class(related):
            raise ModelError(f"many_to_many() takes a model class or its class name, got {related!r}")
        if through is not None and not (isinstance(through, str) and through) and not is_model_class(through):
            raise ModelError(
                f"many_to_many(through=...) takes a model class or its class name, got {through!r}"
            )
        if through_fields is not None:
            if through is None:
                raise ModelError(
                    "many_to_many(through_fields=...) names the foreign keys of a through model: "
                    "pass through=YourLinkModel too, or leave both out"
                )
            if (
                not isinstance(through_fields, (tuple, list))
                or len(through_fields) != 2
                or not all(isinstance(f, str) and f for f in through_fields)
            ):
                raise ModelError(
                    "many_to_many(through_fields=...) takes two column names: the through "
                    f"model's key to this model, then its key to the related one; got {through_fields!r}"
                )
        if related_name is not None and not (
            isinstance(related_name, str) and related_name.isidentifier() and not related_name.startswith("_")
        ):
            raise ModelError(
                f"many_to_many(related_name=...) takes an attribute name such as 'posts', got {related_name!r}"
            )
        self._related = related
        self.related_name = related_name
        #: the relation this one is the reverse of (made by ``related_name=``)
        self._reverse_of: ManyToMany[Any] | None = None
        self.foreign_key = ""
        self.name = ""
        self.owner: type[Model] = None  # type: ignore[assignment]
        self._through: type[Model] | str | None = through
        self._through_fields = tuple(through_fields) if through_fields is not None else None
        self._auto = through is None
        self._link: Link | None = None

    def __repr__(self) -> str:
        owner = self.owner.__name__ if self.owner is not None else "?"
        related = self._related if isinstance(self._related, str) else self._related.__name__
        return f"<many_to_many {owner}.{self.name} -> {related}>"

    # -- the through model ---------------------------------------------------------------
    def attach(self, owner: type[Model]) -> None:
        """Create the through model of ``many_to_many(Tag)`` once the owner is defined."""
        if owner._meta.abstract:
            raise ModelError(
                f"{owner.__name__}.{self.name}: many_to_many() on an abstract model has no table "
                "to link; declare it on each concrete model"
            )
        if self._auto and self._through is None:
            self._through = make_through(owner, self.name, self._related)
            # the created keys are named: no need to tell them apart by their targets
            self._through_fields = tuple(
                c.name for c in self._through._meta.column_list if isinstance(c, ForeignKey)
            )
        if self.related_name is not None:
            related = self._related
            when_defined(related if isinstance(related, str) else related.__name__, self._add_reverse)

    def _add_reverse(self) -> None:
        """Put the reverse relation (``related_name=``) on the related model."""
        related, name = self.related, self.related_name
        assert name is not None
        if name in related._meta.columns or name in related._meta.relations or hasattr(related, name):
            raise ModelError(
                f"{self.owner.__name__}.{self.name}: related_name={name!r} is taken on "
                f"{related.__name__} (by a column, a relation or a Model method); choose another name"
            )
        reverse: ManyToMany[Any] = ManyToMany(self.owner)
        reverse._reverse_of = self
        reverse._auto = False
        reverse.__set_name__(related, name)
        setattr(related, name, reverse)
        related._meta.relations[name] = reverse

    def resolve(self) -> None:
        self.link()  # the related model, the through model and its keys

    def implied_models(self) -> tuple[type[Model], ...]:
        through = self._through  # read without resolving the related model's name
        return (through,) if self._auto and through is not None and not isinstance(through, str) else ()

    @property
    def through(self) -> type[Model]:
        """The model of the link table (created, or given as ``through=``)."""
        return self.link().through

    def link(self) -> Link:
        """The through model and its two foreign keys, resolved on first use.

        Raises:
            ModelError: the through model is unknown, or its foreign keys to the two
                models are missing or ambiguous.
        """
        if self._link is None and self._reverse_of is not None:
            forward = self._reverse_of.link()
            self._link = Link(forward.through, forward.target, forward.source)
        if self._link is None:
            where = f"{self.owner.__name__}.{self.name}"
            through = self._through
            if isinstance(through, str):
                through = resolve_model(through, where, self.owner.__module__)
            assert through is not None
            self._link = find_keys(where, through, self.owner, self.related, self._through_fields)
        return self._link

    # -- reading -------------------------------------------------------------------------
    @overload
    def __get__(self, instance: None, owner: Any) -> Self: ...

    @overload
    def __get__(self, instance: object, owner: Any) -> ManyToManyManager[M]: ...

    def __get__(self, instance: Any, owner: Any) -> Any:
        if instance is None:
            return self
        return ManyToManyManager(self, instance)

    def keep(self, instances: Sequence[Model], done: Sequence[_Resolved]) -> None:
        """Store the prefetched lists in the instance's relation cache: the attribute
        itself stays the manager (``post.tags.add(...)``), whose ``await`` reads them."""
        keep_in_cache(self.name, instances, done)

    def kept(self, instance: Model) -> _Resolved | None:
        return kept_in_cache(self.name, instance)

    def local_key_name(self) -> str:
        return PK_KEY

    def linked(self, key: Any) -> QuerySet[M]:
        """The related rows linked to the owner row whose key is ``key``."""
        link = self.link()
        related = self.related
        links = link.through.all().where(link.source == key).select(link.target)
        return cast("QuerySet[M]", related.all().where(related._meta.pk.in_(links)))

    def any(self, *conditions: Condition) -> Condition:
        """A condition on the owner: it is linked to at least one related row matching
        every condition (to any related row without conditions).

        ``Post.where(Post.tags.any(Tag.name == "python"))`` gives each matching post
        once, however many of its tags match (the rows are matched through
        ``IN (SELECT ...)``, never joined).
        """
        link = self.link()
        related = self.related
        matching = related.all().where(*conditions).select(related._meta.pk)
        links = link.through.all().where(link.target.in_(matching)).select(link.source)
        return self.owner._meta.pk.in_(links)

    async def fetch_related(
        self, engine: Engine | None, local_keys: Sequence[Any]
    ) -> tuple[dict[Any, Any], list[Model]]:
        """Prefetch: the related rows of every instance (by its key in ``local_keys``)
        in one query (the through table joined to the related table), more only past
        the parameter limit."""
        keys = set(local_keys)
        keys.discard(None)
        loaded: dict[Any, Any] = {}
        found: list[Model] = []
        if not keys:
            return loaded, found
        link = self.link()
        related = self.related
        pk = related._meta.pk
        for batch in key_batches(engine, keys):
            qs = related.all().join(link.through, link.target == pk).where(link.source.in_(batch))
            if engine is not None:
                qs = qs.using(engine)
            qs = qs.order_by(pk.asc)
            stmt = qs._build_select((*related._meta.column_list, link.source.label(_OWNER)))
            entry, rows = await qs._engine_or_default()._select(stmt)
            for row in hydrate_models(entry, related, rows):
                loaded.setdefault(row.__dict__.pop(_OWNER), []).append(row)
                found.append(row)
        return loaded, found


class ManyToManyManager(_Awaitable[list[M]]):
    """``post.tags``: await it for the linked rows, or change the links.

    Every method that changes links is atomic (``add`` and ``set`` run in one
    transaction) and forgets a prefetched list, so the next ``await post.tags`` reads
    the links again.
    """

    def __init__(self, relation: ManyToMany[M], instance: Model) -> None:
        self.relation, self.instance = relation, instance

    def __repr__(self) -> str:
        return f"<{type(self.instance).__name__}.{self.relation.name} of {self.instance!r}>"

    def __await__(self) -> Generator[Any, None, list[M]]:
        cache = self.instance.__dict__.get(CACHE_KEY)
        if cache is not None:
            done: _Resolved | None = cache.get(self.relation.name)
            if done is not None:
                return done.__await__()
        return self._load().__await__()

    async def _load(self) -> list[M]:
        key = stored(self.instance, PK_KEY)
        if key is None:
            return []  # an unsaved row has no links (as has_many gives [])
        return await self.relation.linked(key).order_by(self.relation.related._meta.pk.asc)

    def all(self) -> QuerySet[M]:
        """The linked rows as a QuerySet of the related model, to filter further."""
        return self.relation.linked(self._owner_key("all"))

    def where(self, *conditions: Condition) -> QuerySet[M]:
        """The linked rows matching every condition."""
        return self.relation.linked(self._owner_key("where")).where(*conditions)

    async def count(self) -> int:
        """How many rows are linked."""
        return await self.all().count()

    async def add(self, *objs: M, through_defaults: Mapping[str, Any] | None = None) -> None:
        """Link these rows. A row already linked stays linked once (no error, no
        second link). ``through_defaults`` fills the other columns of new links."""
        key = self._owner_key("add")
        wanted = self._keys(objs, "add")
        if not wanted:
            return
        make = self._link_maker("add", through_defaults)
        async with get_engine().transaction():
            have = await self._linked_keys(key, wanted)
            await self._insert(make, key, [k for k in wanted if k not in have])
        self._forget()

    async def remove(self, *objs: M) -> None:
        """Unlink these rows (rows not linked are ignored)."""
        key = self._owner_key("remove")
        keys = self._keys(objs, "remove")
        if keys:
            await self._delete(key, keys)
        self._forget()

    async def clear(self) -> None:
        """Unlink every row."""
        key = self._owner_key("clear")
        link = self.relation.link()
        await link.through.all().where(link.source == key).delete()
        self._forget()

    async def set(self, objs: Iterable[M], *, through_defaults: Mapping[str, Any] | None = None) -> None:
        """Make these rows the linked ones, in one transaction: links to other rows are
        deleted, missing links inserted, and links already there left untouched."""
        key = self._owner_key("set")
        if isinstance(objs, Mapping) or not isinstance(objs, Iterable) or is_model_class(type(objs)):
            raise TypeError(f"{self._label('set')} takes a list of {self.relation.related.__name__} rows, got {objs!r}")
        wanted = self._keys(tuple(objs), "set")
        make = self._link_maker("set", through_defaults)
        async with get_engine().transaction():
            have = await self._linked_keys(key, None)
            keep = set(wanted)
            stale = [k for k in have if k not in keep]
            if stale:
                await self._delete(key, stale)
            await self._insert(make, key, [k for k in wanted if k not in have])
        self._forget()

    # -- helpers ---------------------------------------------------------------------------
    def _label(self, method: str) -> str:
        return f"{type(self.instance).__name__}.{self.relation.name}.{method}()"

    def _owner_key(self, method: str) -> Any:
        key = stored(self.instance, PK_KEY)
        if key is None:
            raise QueryError(
                f"{self._label(method)}: this {type(self.instance).__name__} is not in the database "
                "(never saved, or deleted); save() it before linking rows to it"
            )
        return key

    def _keys(self, objs: Sequence[Any], method: str) -> list[Any]:
        """The primary keys of ``objs``, without repeats, in the order given."""
        related = self.relation.related
        out: list[Any] = []
        for obj in objs:
            if not isinstance(obj, related):
                hint = ""
                if isinstance(obj, (list, tuple, set)):
                    hint = f"; pass the rows one by one: {method}(*rows)"
                raise TypeError(
                    f"{self._label(method)} takes {related.__name__} instances, got {obj!r}{hint}"
                )
            key = stored(obj, PK_KEY)
            if key is None:
                raise QueryError(
                    f"{self._label(method)}: {obj!r} is not in the database (never saved, or "
                    "deleted); save() it first"
                )
            if key not in out:
                out.append(key)
        return out

    def _link_maker(self, method: str, through_defaults: Mapping[str, Any] | None) -> Any:
        """A function making an unsaved through row for a related key; checked here,
        before any query, so a missing required column fails early."""
        link = self.relation.link()
        defaults = dict(through_defaults or {})
        ends = (link.source.name, link.target.name)
        clash = [n for n in ends if n in defaults]
        if clash:
            raise TypeError(
                f"{self._label(method)}: through_defaults may not set {', '.join(clash)}; "
                "the relation fills in the link's keys itself"
            )
        missing = [
            c.name
            for c in link.through._meta.column_list
            if c.name not in ends and c.name not in defaults and not c.nullable and not c.has_default
            and not c.auto_increment and not c.auto_now and not c.auto_now_add
        ]
        if missing:
            raise TypeError(
                f"{self._label(method)}: the through model {link.through.__name__} has required "
                f"column(s) {', '.join(missing)} with no default; pass their values as "
                f"through_defaults={{{', '.join(f'{n!r}: ...' for n in missing)}}}"
            )
        through = link.through
        source, target = link.source.name, link.target.name
        # an unknown name in through_defaults fails here, with the model's own message
        through(**defaults)

        def make(owner_key: Any, key: Any) -> Model:
            return through(**{**defaults, source: owner_key, target: key})

        return make

    async def _linked_keys(self, key: Any, among: list[Any] | None) -> list[Any]:
        """The related keys linked to the owner (only those in ``among`` when given)."""
        link = self.relation.link()
        base = link.through.all().where(link.source == key)
        if among is None:
            rows = await base.select(link.target)
        else:
            rows = []
            for batch in key_batches(None, set(among)):
                rows.extend(await base.where(link.target.in_(batch)).select(link.target))
        return [row[link.target.name] for row in rows]

    async def _insert(self, make: Any, key: Any, keys: list[Any]) -> None:
        if keys:
            await self.relation.link().through.bulk_create([make(key, k) for k in keys])

    async def _delete(self, key: Any, keys: list[Any]) -> None:
        link = self.relation.link()
        for batch in key_batches(None, set(keys)):
            await link.through.all().where(link.source == key, link.target.in_(batch)).delete()

    def _forget(self) -> None:
        cache = self.instance.__dict__.get(CACHE_KEY)
        if cache is not None:
            cache.pop(self.relation.name, None)


#: ``many_to_many(Tag)``: ``await post.tags`` gives a list ordered by the related
#: primary key; ``post.tags.add(tag)`` links a row.
many_to_many = ManyToMany
