"""KakaORM's reliability workloads, and a runner that repeats them for minutes.

``python -m stress --minutes N [--backends sqlite,postgres-asyncpg,postgres-psycopg,mysql]``
runs, per backend and in rounds until N minutes have passed, a load of concurrent
money transfers, a storm of random cancellations inside transactions and (on
PostgreSQL and MariaDB) server-side kills of busy and idle connections, checks the
invariants after each round, and prints one summary line per backend.

The same workloads, with smaller sizes, are what ``tests/reliability`` runs in CI:
:mod:`stress.workloads` returns plain counts and the tests assert them exactly.
Only loopback servers are used; each run creates its own database and drops it.
"""
