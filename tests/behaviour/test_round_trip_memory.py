"""A statement's round trip takes no fresh memory pages from the operating system.

asyncio's socket transports read up to 256 KiB at a time into a new buffer. Under
glibc's initial mmap threshold (128 KiB) such a buffer is mapped, faulted in and
unmapped on every read; the asyncpg and aiomysql adapters read 64 KiB at a time
instead (``kakaorm.dialect.READ_SIZE``). Each backend runs in a fresh process whose
glibc threshold is held at that initial value (``GLIBC_TUNABLES``), so that no
large block freed earlier can raise it, and counts the process's minor page faults
over 200 queries.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from kakaorm.dialect import READ_SIZE, limit_reads

QUERIES = 200

SCRIPT = """
import asyncio, resource, sys
import kakaorm

async def main():
    async with await kakaorm.connect(sys.argv[1]) as engine:
        for _ in range(50):  # warm up: the pool, the statement cache, the heap
            await engine.fetch("SELECT 1 AS one")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(int(sys.argv[2])):
            rows = await engine.fetch("SELECT 1 AS one")
        after = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        assert rows == [{"one": 1}], rows
        print(after - before)

asyncio.run(main())
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the mmap threshold and GLIBC_TUNABLES are glibc's")
def test_queries_fault_in_no_fresh_pages(backend) -> None:
    env = {**os.environ, "GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=131072"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, backend.url(), str(QUERIES)],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert done.returncode == 0, done.stderr
    faults = int(done.stdout.strip())
    # a freshly mapped read buffer costs at least one fault per query (two measured)
    assert faults < QUERIES // 4, f"{faults} minor page faults in {QUERIES} queries"


class _Transport:
    def __init__(self, max_size: object) -> None:
        self.max_size = max_size


@pytest.mark.parametrize(
    ("before", "after"),
    [(256 * 1024, READ_SIZE), (READ_SIZE + 1, READ_SIZE), (READ_SIZE, READ_SIZE), (16 * 1024, 16 * 1024), (None, None)],
)
def test_limit_reads_lowers_a_larger_read_size_only(before: object, after: object) -> None:
    transport = _Transport(before)
    limit_reads(transport)
    assert transport.max_size == after


def test_the_read_size_is_64_kib_under_glibcs_initial_mmap_threshold() -> None:
    assert READ_SIZE == 64 * 1024 < 128 * 1024


def test_limit_reads_leaves_a_transport_without_a_read_size_alone() -> None:
    bare = object()  # no attribute to read, none can be set
    limit_reads(bare)
    limit_reads(None)
    assert not hasattr(bare, "max_size")
