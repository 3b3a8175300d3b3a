"""Read/write routing over read replicas: which pool a read runs on.

``kakaorm.connect(primary_url, replicas=[url, ...])`` gives the engine a
:class:`ReplicaRouter`. The engine sends ORM reads (``Engine._select``: what awaiting
a QuerySet, ``get``, ``first``, ``count``, ``exists``, aggregates and prefetching
run) through :meth:`ReplicaRouter.read`; everything else (writes, raw SQL, DDL) never
comes here and runs on the primary. A read goes to the primary instead of a replica
when:

* the task has an ``engine.transaction()`` open (it runs inside that transaction);
* the query was pinned with ``QuerySet.using("primary")``;
* it runs inside ``kakaorm.read_your_writes()`` / ``engine.read_your_writes()``
  (unless the query says ``using("replica")``);
* it locks rows (``select_for_update``), which only the primary can do;
* no replica can be reached.

Replicas take turns (round-robin). A replica that cannot be connected to, or whose
connection breaks, is skipped for ``replica_retry_after`` seconds and the read is
retried on the next replica, then on the primary. An error the database itself
reports (bad SQL, a constraint) is raised as it is: it would fail on any server.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any, TypeVar

from kakaorm import exc
from kakaorm.dialect import Dialect, DriverConnection, DriverPool, PoolStats
from kakaorm.engine.registry import load_dialect
from kakaorm.url import check_url, parse_url

if TYPE_CHECKING:
    from kakaorm.engine.engine import Engine

__all__ = [
    "ROUTES",
    "ReadYourWrites",
    "Replica",
    "ReplicaRouter",
    "check_route",
    "open_replicas",
    "read_your_writes",
]

log = logging.getLogger("kakaorm.sql")
T = TypeVar("T")

#: what ``QuerySet.using()`` takes besides an engine
ROUTES = ("primary", "replica")

#: the routers (None: every engine) whose reads the current task pins to the primary
_pins: ContextVar[tuple[ReplicaRouter | None, ...]] = ContextVar("kakaorm_read_your_writes", default=())


def check_route(route: str) -> str:
    """Validate the name given to ``QuerySet.using()``.

    Raises:
        ValueError: ``route`` is not ``"primary"`` or ``"replica"``.
    """
    if route not in ROUTES:
        raise ValueError(
            f"using() takes an Engine, 'primary' or 'replica', got {route!r}: 'primary' "
            "pins the query to the primary database, 'replica' sends it to a read replica"
        )
    return route


class ReadYourWrites:
    """A block in which reads go to the primary (``with`` or ``async with``).

    The pin lives in a ContextVar, so it covers the task that entered the block (and
    tasks it starts inside it), never other tasks. Blocks nest.
    """

    def __init__(self, router: ReplicaRouter | None) -> None:
        self._router = router
        self._tokens: list[Token[tuple[ReplicaRouter | None, ...]]] = []

    def __enter__(self) -> ReadYourWrites:
        self._tokens.append(_pins.set((*_pins.get(), self._router)))
        return self

    def __exit__(self, *exc_info: object) -> None:
        _pins.reset(self._tokens.pop())

    async def __aenter__(self) -> ReadYourWrites:
        return self.__enter__()

    async def __aexit__(self, *exc_info: object) -> None:
        self.__exit__()


def read_your_writes() -> ReadYourWrites:
    """Send every read of every engine to its primary inside the block.

    Use it after a write whose result the next reads must see: a replica may lag
    behind the primary. Reads inside ``engine.transaction()`` already go to the
    primary.

    Example::

        await Order.create(id=7, state="paid")
        with kakaorm.read_your_writes():
            order = await Order.get(Order.id == 7)   # read from the primary
    """
    return ReadYourWrites(None)


class Replica:
    """One read replica: its dialect, its pool once connected, and its health."""

    __slots__ = ("connecting", "dialect", "down_until", "pool")

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.pool: DriverPool | None = None
        #: time.monotonic() before which the replica is not tried again
        self.down_until = 0.0
        #: a task is opening the pool right now (the others skip the replica meanwhile)
        self.connecting = False

    def describe(self) -> str:
        """The replica's URL without its password."""
        return self.dialect.describe()

    async def connect(self) -> None:
        """Open the pool; raises the dialect's error when the server cannot be reached."""
        self.connecting = True
        try:
            self.pool = await self.dialect.create_pool()
        finally:
            self.connecting = False


class ReplicaRouter:
    """The replicas of an engine, taken in turn, skipping the ones that are down."""

    def __init__(self, replicas: Sequence[Replica], retry_after: float) -> None:
        self.replicas = list(replicas)
        self.retry_after = retry_after
        self._next = 0

    @classmethod
    async def open(
        cls, dialects: Sequence[Dialect], retry_after: float
    ) -> ReplicaRouter:
        """Connect to the replicas at once; one that cannot be reached is marked down,
        not fatal."""
        router = cls([Replica(d) for d in dialects], retry_after)

        async def connect(replica: Replica) -> None:
            try:
                await replica.connect()
            except exc.OperationalError as err:
                router.mark_down(replica, err)

        try:
            results = await asyncio.gather(*(connect(r) for r in router.replicas), return_exceptions=True)
        except BaseException:
            await router.close()
            raise
        for result in results:
            if isinstance(result, BaseException):  # not a replica that is down: a bad setting
                await router.close()
                raise result
        return router

    def __repr__(self) -> str:
        return f"{len(self.replicas)} replica{'s' if len(self.replicas) != 1 else ''}"

    def mark_down(self, replica: Replica, err: BaseException) -> None:
        """Skip ``replica`` for ``retry_after`` seconds."""
        replica.down_until = time.monotonic() + self.retry_after
        log.warning(
            "read replica %s is unavailable, reads skip it for %g s: %s",
            replica.describe(), self.retry_after, err,
        )

    def stats(self) -> list[PoolStats | None]:
        """Each replica's pool snapshot (None: not connected)."""
        return [r.pool.stats() if r.pool is not None else None for r in self.replicas]

    async def close(self) -> None:
        """Close every replica pool."""
        for replica in self.replicas:
            if replica.pool is not None:
                pool, replica.pool = replica.pool, None
                await pool.close()

    def _turn(self) -> list[Replica]:
        n = len(self.replicas)
        start = self._next
        self._next = (start + 1) % n
        return [self.replicas[(start + i) % n] for i in range(n)]

    async def _acquire(self, replica: Replica) -> DriverConnection | None:
        if replica.connecting or replica.down_until > time.monotonic():
            return None
        try:
            if replica.pool is None:
                await replica.connect()
            assert replica.pool is not None
            return await replica.pool.acquire()
        except exc.OperationalError as err:
            self.mark_down(replica, err)
            return None

    def _primary_only(self, engine: Engine, locking: bool) -> bool:
        """True when this read must run on the primary: inside the task's transaction,
        pinned by ``using("primary")`` or ``read_your_writes()``, or taking row locks."""
        state = engine._tx.get()
        pins = _pins.get()
        route = engine._route
        return bool(
            (state is not None and state.task is asyncio.current_task())
            or route == "primary"
            or locking
            or (route is None and pins and (None in pins or self in pins))
        )

    async def acquire_read(self, engine: Engine, locking: bool) -> tuple[DriverPool, DriverConnection] | None:
        """A replica connection for a read that holds it a while (a streamed query),
        with the pool to give it back to; None when the read belongs on the primary or
        no replica answers. A replica that fails later, mid-stream, is not replaced:
        the rows already yielded cannot be taken back, so the error is raised."""
        if self._primary_only(engine, locking):
            return None
        for replica in self._turn():
            conn = await self._acquire(replica)
            if conn is not None:
                assert replica.pool is not None
                return replica.pool, conn
        return None

    async def read(
        self,
        engine: Engine,
        call: Callable[[DriverConnection], Awaitable[T]],
        sql: str,
        values: Sequence[Any],
        locking: bool,
    ) -> T:
        """Run a read on a replica, or on the primary (see the module's docstring)."""
        if self._primary_only(engine, locking):
            return await engine._run(call, sql, values)
        if engine._closed:
            raise exc.InterfaceError("this engine is disconnected; call kakaorm.connect() again")
        for replica in self._turn():
            conn = await self._acquire(replica)
            if conn is None:
                continue
            pool = replica.pool
            assert pool is not None
            discard = False
            try:
                return await engine._call(conn, call, sql, values)
            except (exc.ConnectionLostError, exc.InterfaceError) as err:
                # the replica went away under the read: try the next one
                discard = True
                self.mark_down(replica, err)
            except asyncio.CancelledError:
                discard = True
                raise
            finally:
                await pool.release(conn, discard=discard)
        return await engine._run(call, sql, values)


async def open_replicas(
    dialect_cls: type[Dialect], scheme: str, urls: Sequence[str], retry_after: float, options: dict[str, Any]
) -> ReplicaRouter | None:
    """The router over ``urls`` for ``connect(replicas=...)`` (None when there are none).

    Raises:
        ConfigurationError: a URL of another dialect, or a bad ``retry_after``.
    """
    if isinstance(urls, str):
        raise TypeError("replicas takes a list of URLs, e.g. replicas=['postgresql://replica1/app']")
    if not urls:
        return None
    if isinstance(retry_after, bool) or not isinstance(retry_after, (int, float)) or retry_after < 0:
        raise exc.ConfigurationError(
            f"replica_retry_after takes a number of seconds (0 or more), got {retry_after!r}"
        )
    dialects = []
    for url in urls:
        parsed = parse_url(url)
        if load_dialect(parsed) is not dialect_cls:
            raise exc.ConfigurationError(
                f"the replica URL scheme {parsed.scheme!r} does not match the primary's {scheme!r}: "
                "replicas are connected with the primary's dialect; give them the same scheme"
            )
        if dialect_cls.url_rules is not None:
            check_url(parsed, dialect_cls.url_rules)
        dialects.append(dialect_cls(parsed, options))
    return await ReplicaRouter.open(dialects, float(retry_after))
