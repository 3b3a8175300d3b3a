"""``kakaorm.testing``: the compliance suite a dialect distribution runs against its
own database to show it implements the dialect protocol.

Install it with ``pip install "kakaorm-core[testing]"`` (pytest, pytest-asyncio and
Hypothesis); KakaORM itself never imports this package. The parts:

* :mod:`kakaorm.testing.plugin`: the pytest plugin (``--kakaorm-url``,
  ``KAKAORM_COMPLIANCE_URL``, the ``compliance_engine`` fixture);
* :mod:`kakaorm.testing.suite`: the test classes, pulled in with
  ``from kakaorm.testing.suite import *``;
* :mod:`kakaorm.testing.columns`: :data:`COLUMN_CASES`, the column types the suite
  round-trips, one :class:`ColumnCase` each.

What a database lacks is skipped only when its dialect says so: a
:class:`~kakaorm.dialect.DialectFeatures` field that is False (``window_functions``,
``right_join``, ``savepoints``, ``transactional_ddl``, or the field a
:class:`ColumnCase` requires), or a compiler hook that refuses the construct with a
QueryError (``lock_clause`` for ``select_for_update()``, ``begin_isolated`` for an
isolation level). The skip's reason names the field or quotes the refusal.
"""

from __future__ import annotations

from .columns import COLUMN_CASES, ColumnCase

__all__ = ["COLUMN_CASES", "ColumnCase"]
