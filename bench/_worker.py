"""One measurement in a fresh process: ``python bench/_worker.py CONTENDER BACKEND SCALE [CPU]``.

Creates a private database (the schema and the authors, outside the timings), runs
the seven workloads of one contender on it, drops it, and prints one JSON line:
``{"contender": ..., "backend": ..., "version": ..., "cpus": [...], "wall": {...}, "cpu": {...},
"gc": {...}, "check": {...}}``. bench/run.py starts one of these per (contender, backend, round).
CPU, if given, pins the process to that CPU before anything runs, so the threads it starts
later (aiosqlite's worker) are pinned too; ``cpus`` lists the CPUs it was allowed to run on.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import sys
from typing import Any

from _common import BACKENDS, Results, Sizes, private_database

#: contender -> the module whose ``run(target, sizes, results)`` does the workloads
MODULES = {"kakaorm": "_kakaorm", "raw": "_raw", "tortoise": "_tortoise", "sqlalchemy": "_sqlalchemy"}


async def measure(contender: str, backend: str, scale: float) -> dict[str, Any]:
    module = importlib.import_module(MODULES[contender])
    sizes = Sizes(scale)
    results = Results()
    async with private_database(backend) as target:
        version = await module.run(target, sizes, results)
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    return {"contender": contender, "backend": backend, "version": version, "cpus": cpus, **results.as_json()}


def settle_allocator() -> None:
    """Free one large block before anything is measured, as any process that has run
    a while has done: glibc then serves blocks up to that size from its heap (it
    raises its mmap threshold to the size of a mapped block when one is freed)
    instead of mapping and unmapping each. asyncio's socket transports read into a
    new 256 KiB buffer each time, above glibc's initial threshold (128 KiB); without
    this, whether each of a contender's reads cost a fresh mapping (about 12
    microseconds on this machine) depended on what its imports happened to free:
    raw aiomysql's did, Tortoise's did not."""
    block = bytearray(1 << 20)
    del block


def pin(cpu: int) -> None:
    """Run this process, and every thread it starts from now on, on ``cpu`` only."""
    os.sched_setaffinity(0, {cpu})


def main() -> None:
    if len(sys.argv) not in (4, 5) or sys.argv[1] not in MODULES or sys.argv[2] not in BACKENDS:
        raise SystemExit(f"usage: _worker.py {{{','.join(MODULES)}}} {{{','.join(BACKENDS)}}} SCALE [CPU]")
    contender, backend, scale = sys.argv[1], sys.argv[2], float(sys.argv[3])
    if len(sys.argv) == 5:
        pin(int(sys.argv[4]))
    settle_allocator()
    print(json.dumps(asyncio.run(measure(contender, backend, scale))))


if __name__ == "__main__":
    main()
