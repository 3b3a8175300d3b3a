"""The dialect passes KakaORM's dialect compliance suite."""

from kakaorm.testing.suite import *  # noqa: F403
