"""kakaorm-sqlite, kakaorm-postgres (asyncpg and psycopg3) and kakaorm-mysql pass the
dialect compliance suite that third-party dialects run (kakaorm.testing.suite)."""

from kakaorm.testing.suite import *  # noqa: F403
