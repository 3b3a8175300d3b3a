"""One measurement in a fresh process: ``python bench/_worker.py CONTENDER BACKEND SCALE``.

Creates a private database (the schema and the authors, outside the timings), runs
the seven workloads of one contender on it, drops it, and prints one JSON line:
``{"contender": ..., "backend": ..., "version": ..., "wall": {...}, "cpu": {...}, "gc": {...},
"check": {...}}``. bench/run.py starts one of these per (contender, backend, round).
"""

from __future__ import annotations

import asyncio
import importlib
import json
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
    return {"contender": contender, "backend": backend, "version": version, **results.as_json()}


def main() -> None:
    contender, backend, scale = sys.argv[1], sys.argv[2], float(sys.argv[3])
    if contender not in MODULES or backend not in BACKENDS:
        raise SystemExit(f"usage: _worker.py {{{','.join(MODULES)}}} {{{','.join(BACKENDS)}}} SCALE")
    print(json.dumps(asyncio.run(measure(contender, backend, scale))))


if __name__ == "__main__":
    main()
