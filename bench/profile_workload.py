"""Profile one workload of one contender, in this process:
``python bench/profile_workload.py CONTENDER BACKEND WORKLOAD [--mode cprofile|gc|threads|instructions]``.

WORKLOAD is any part of a workload's name (``fetch``, ``get``, ``authors``...). The
other workloads run as usual, unprofiled, so the profiled one starts from the same
state as in ``run.py``. ``--mode cprofile`` prints the functions that took most time;
``--mode gc`` counts the garbage collections per generation during the workload and
the time they took (``gc.callbacks``); ``--mode threads`` splits its CPU time between
the event loop's thread and the others (aiosqlite runs SQLite in a thread of its own).

``--mode instructions`` counts the instructions the workload costs the client
process with valgrind's callgrind, whose counts for the same code agree within about
0.1% from run to run, however busy the machine is. It runs the benchmark twice under
callgrind, with the workload run twice in a row and once (timing an empty function
in its place, as the harness starts every timing with a full collection), and prints
the difference: one run of the workload, in every thread of the process (on SQLite
that includes SQLite itself, in aiosqlite's thread), and per operation. The repeated
run starts from the state the first one left (2,000 more inserted posts, deleted
with the rest; a second list of fetched posts), which the workloads after it barely
notice; the bulk insert is refused, as its repetition would double the table they
read.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

import _common
import _worker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("contender", choices=sorted(_worker.MODULES))
    parser.add_argument("backend", choices=_common.BACKENDS)
    parser.add_argument("workload", help="part of a workload's name, e.g. fetch")
    parser.add_argument("--mode", choices=["cprofile", "gc", "threads", "instructions"], default="cprofile")
    # what runs first through the harness's timing: "workload" once more, or "nothing"
    # (--mode instructions runs this script with each and counts the difference)
    parser.add_argument("--before", choices=["workload", "nothing"], help=argparse.SUPPRESS)
    parser.add_argument("--sort", default="tottime", help="pstats sort key (cprofile mode)")
    parser.add_argument("--lines", type=int, default=30, help="functions to print (cprofile mode)")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--cpu", type=int, metavar="N", help="run on CPU N only, as run.py --cpu does (Linux)")
    args = parser.parse_args()
    if args.mode == "instructions":
        count_instructions(args.contender, args.backend, args.workload, args.scale)
        return
    timed = _common.Results.time

    async def profiled(self: _common.Results, name: str, fn: Callable[[], Awaitable[int]]) -> None:
        if args.workload not in name:
            await timed(self, name, fn)
            return
        if args.before is not None:
            await timed(self, name, fn if args.before == "workload" else nothing)
        if args.mode == "cprofile":
            profile = cProfile.Profile()

            async def run() -> int:
                profile.enable()
                try:
                    return await fn()
                finally:
                    profile.disable()

            await timed(self, name, run)
            pstats.Stats(profile).sort_stats(args.sort).print_stats(args.lines)
        elif args.mode == "threads":
            # measured around the workload itself, after the harness's gc.collect()
            times: dict[str, float] = {}

            async def run() -> int:
                main_before, all_before = time.thread_time(), time.process_time()
                try:
                    return await fn()
                finally:
                    times["main"] = time.thread_time() - main_before
                    times["others"] = time.process_time() - all_before - times["main"]

            await timed(self, name, run)
            print(
                f"{name}: cpu {times['main'] * 1000:.1f} ms in the event loop's thread, "
                f"{times['others'] * 1000:.1f} ms in others"
            )
        else:
            counts = [0, 0, 0]
            spent = [0.0, 0.0, 0.0]
            started = [0.0]

            def watch(phase: str, info: dict[str, Any]) -> None:
                if phase == "start":
                    started[0] = time.perf_counter()
                else:
                    counts[info["generation"]] += 1
                    spent[info["generation"]] += time.perf_counter() - started[0]

            async def watched() -> int:
                # watched around the workload itself, after the harness's gc.collect()
                gc.callbacks.append(watch)
                try:
                    return await fn()
                finally:
                    gc.callbacks.remove(watch)

            await timed(self, name, watched)
            print(
                f"{name}: collections per generation {counts}, "
                f"ms per generation {[round(s * 1000, 2) for s in spent]}"
            )
        print(f"{name}: wall {self.wall[name]:.1f} ms, cpu {self.cpu[name]:.1f} ms")

    async def nothing() -> int:
        return 0

    _common.Results.time = profiled  # type: ignore[method-assign]
    if args.cpu is not None:
        _worker.pin(args.cpu)
    _worker.settle_allocator()  # as every measuring process does
    asyncio.run(_worker.measure(args.contender, args.backend, args.scale))


#: workload -> how many operations one run of it makes, at a scale
OPERATIONS: dict[str, Callable[[_common.Sizes], int]] = {
    _common.INSERTS: lambda sizes: sizes.inserts,
    _common.FETCH: lambda sizes: sizes.rows,
    _common.GETS: lambda sizes: sizes.gets,
    _common.TOP100: lambda sizes: sizes.queries,
    _common.UPDATE: lambda sizes: 1,
    _common.PREFETCH: lambda sizes: _common.PAGES,
}


def callgrind_total(stderr: str) -> int:
    """The instructions callgrind reports for the whole process (its ``Collected :`` line)."""
    found = re.search(r"Collected : (\d+)", stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no instruction count; its output ended with:\n{stderr[-2000:]}")
    return int(found.group(1))


def count_instructions(contender: str, backend: str, workload: str, scale: float) -> None:
    """Print the instructions one run of the workload named by ``workload`` costs (see
    the module's docstring)."""
    names = [name for name in _common.WORKLOADS if workload in name]
    if len(names) != 1:
        raise SystemExit(
            f"--mode instructions counts one workload; {workload!r} names {len(names)} of: "
            + ", ".join(_common.WORKLOADS)
        )
    name = names[0]
    if name not in OPERATIONS:
        raise SystemExit(
            f"--mode instructions cannot count the {name}: running it twice would double the "
            "table that the later workloads read"
        )
    if shutil.which("valgrind") is None:
        raise SystemExit("--mode instructions needs valgrind (Debian: apt-get install valgrind)")
    totals = []
    with tempfile.TemporaryDirectory() as tmp:
        # both runs time one thing more than the benchmark does (each timing starts
        # with a full collection): nothing, or the workload
        for before in ("nothing", "workload"):
            command = [
                "valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/callgrind.out",
                sys.executable, os.path.abspath(__file__), contender, backend, name,
                "--mode", "gc", "--scale", str(scale), "--before", before,
            ]
            # the same hash seed in both runs, so that dicts and sets do the same work
            proc = subprocess.run(
                command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"}
            )
            if proc.returncode != 0:
                raise SystemExit(f"{' '.join(command)} failed:\n{proc.stderr[-2000:]}")
            totals.append(callgrind_total(proc.stderr))
    once = totals[1] - totals[0]
    operations = OPERATIONS[name](_common.Sizes(scale))
    print(
        f"{contender} {backend} {name}: {once:,} instructions "
        f"({operations:,} operations, {once // operations:,} each); "
        f"the whole process {totals[0]:,} with the workload once, {totals[1]:,} with it twice"
    )


if __name__ == "__main__":
    main()
