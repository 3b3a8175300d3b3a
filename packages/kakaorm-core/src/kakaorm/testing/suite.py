"""The dialect compliance suite: pull it into a test module of the dialect with ::

    from kakaorm.testing.suite import *  # noqa: F403

with ``pytest_plugins = ["kakaorm.testing.plugin"]`` in the top-level conftest and a
database URL (``--kakaorm-url`` or ``KAKAORM_COMPLIANCE_URL``). Each class covers one
part of the protocol; docs/writing-a-dialect.md explains how to read a failure.
"""

from __future__ import annotations

from .suite_columns import TestColumnRoundTrips
from .suite_errors import TestErrors
from .suite_queries import TestFilters, TestReading, TestWriting
from .suite_schema import TestSchema
from .suite_transactions import TestTransactions

__all__ = [
    "TestColumnRoundTrips",
    "TestErrors",
    "TestFilters",
    "TestReading",
    "TestSchema",
    "TestTransactions",
    "TestWriting",
]
