"""The dialect's tests: KakaORM's compliance suite runs against an in-memory database
unless --kakaorm-url or KAKAORM_COMPLIANCE_URL names another ``sqlite+stdlib`` URL."""

from __future__ import annotations

import os

pytest_plugins = ["kakaorm.testing.plugin"]

os.environ.setdefault("KAKAORM_COMPLIANCE_URL", "sqlite+stdlib:///:memory:")
