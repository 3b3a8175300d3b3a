"""Profile one workload of one contender, in this process:
``python bench/profile_workload.py CONTENDER BACKEND WORKLOAD [--mode cprofile|gc] [--sort tottime]``.

WORKLOAD is any part of a workload's name (``fetch``, ``get``, ``authors``...). The
other workloads run as usual, unprofiled, so the profiled one starts from the same
state as in ``run.py``. ``--mode cprofile`` prints the functions that took most time;
``--mode gc`` counts the garbage collections per generation during the workload and
the time they took (``gc.callbacks``); ``--mode threads`` splits its CPU time between
the event loop's thread and the others (aiosqlite runs SQLite in a thread of its own).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import pstats
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
    parser.add_argument("--mode", choices=["cprofile", "gc", "threads"], default="cprofile")
    parser.add_argument("--sort", default="tottime", help="pstats sort key (cprofile mode)")
    parser.add_argument("--lines", type=int, default=30, help="functions to print (cprofile mode)")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--cpu", type=int, metavar="N", help="run on CPU N only, as run.py --cpu does (Linux)")
    args = parser.parse_args()
    timed = _common.Results.time

    async def profiled(self: _common.Results, name: str, fn: Callable[[], Awaitable[int]]) -> None:
        if args.workload not in name:
            await timed(self, name, fn)
            return
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

    _common.Results.time = profiled  # type: ignore[method-assign]
    if args.cpu is not None:
        _worker.pin(args.cpu)
    _worker.settle_allocator()  # as every measuring process does
    asyncio.run(_worker.measure(args.contender, args.backend, args.scale))


if __name__ == "__main__":
    main()
