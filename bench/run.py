"""KakaORM beside the raw driver (and optionally Tortoise ORM and SQLAlchemy) on the
seven workloads of issue 17, on every backend and driver. One command:

    python bench/run.py [--backends sqlite,postgres-asyncpg,postgres-psycopg,mysql]
                        [--contenders tortoise,sqlalchemy] [--processes 3] [--scale 1.0]
                        [--metric wall|cpu] [--cpu N] [--json out.json]
    python bench/run.py --report out.json [--metric cpu]   # print a saved run again

Workloads (sizes at --scale 1.0): 2,000 single inserts in one transaction (each
returning its id); a bulk insert of 20,000 posts; fetching the 20,000 posts as
objects (raw: the driver's rows); 2,000 gets by primary key; 1,000 filtered top-100
queries (``views > ?`` ordered by views, limit 100); a set-based update
(``views = views + 1`` on the 10,000 unpublished posts, one statement); 20 pages of
1,000 posts (keyset pagination by id) with their authors prefetched (posts belong
to 200 authors).

Every measurement runs in a fresh process (bench/_worker.py), one per (contender,
backend, round), on a fresh private database (a temporary SQLite file, or
kakaorm_bench_<pid> on the PostgreSQL / MariaDB server of KAKAORM_BENCH_POSTGRES_URL /
KAKAORM_BENCH_MYSQL_URL, dropped at the end); the schema and the authors are created
outside the timings, the same way for every contender. The contenders take turns within
each round, so drift of a shared machine hits them alike, in an order that rotates by
one place each round. The table shows the median of the processes per workload, in
milliseconds of wall time (``--metric cpu``: CPU time of the client process), and the
ratio to the raw driver of the same backend (1.00 is raw speed; lower is better), then
the geometric mean and the maximum of the ratios. Every contender's results are checked
against the raw driver's (row counts, sums of the values read); a mismatch is reported
and the exit status is 1.

``--cpu N`` (Linux) runs every measuring process, with its threads, on CPU N alone; the
database servers are left where the scheduler puts them, CPU N included (bench/README.md
tells how that placement moves a round trip's time). Without it, the scheduler places
the event loop and a driver's worker thread (aiosqlite's) on the same CPU in some
processes and on two in others, and a hand-over between two CPUs costs tens of
microseconds per query here: SQLite's timings then fall into two groups far apart, and a
median of a few processes lands in either (a single-threaded process shows two speeds
too, unpinned). Pinned, they are steadier, and faster for every contender.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import BACKENDS, WORKLOADS, Sizes  # noqa: E402  (bench/ is not a package)

#: optional contenders -> the modules they need
OPTIONAL = {"tortoise": ["tortoise"], "sqlalchemy": ["sqlalchemy", "greenlet"]}
INSTALL = "pip install -r bench/requirements-contenders.txt"


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated: " + ", ".join(BACKENDS))
    parser.add_argument(
        "--contenders", default="", help="optional ORMs beside KakaORM and raw, comma-separated: tortoise, sqlalchemy"
    )
    parser.add_argument("--processes", type=int, default=3, help="fresh processes per measurement (median)")
    parser.add_argument("--scale", type=float, default=1.0, help="workload sizes (1.0: the issue's)")
    parser.add_argument("--metric", choices=["wall", "cpu"], default="wall", help="time the ratios compare")
    parser.add_argument(
        "--cpu", type=int, metavar="N", help="run every measuring process and its threads on CPU N only (Linux)"
    )
    parser.add_argument("--json", metavar="PATH", help="also write every measurement and the summary as JSON")
    parser.add_argument("--report", metavar="PATH", help="measure nothing: print the run saved by --json PATH")
    args = parser.parse_args(argv)
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    args.contenders = [c.strip() for c in args.contenders.split(",") if c.strip()]
    unknown = [b for b in args.backends if b not in BACKENDS]
    if unknown:
        parser.error(f"unknown backend(s) {', '.join(unknown)}; choose from {', '.join(BACKENDS)}")
    unknown = [c for c in args.contenders if c not in OPTIONAL]
    if unknown:
        parser.error(f"unknown contender(s) {', '.join(unknown)}; choose from {', '.join(OPTIONAL)}")
    missing = [m for c in args.contenders for m in OPTIONAL[c] if importlib.util.find_spec(m) is None]
    if missing:
        parser.error(f"the contenders asked for need {', '.join(missing)}, which is not installed: run `{INSTALL}`")
    if args.processes < 1 or args.scale <= 0:
        parser.error("--processes must be at least 1 and --scale above 0")
    if args.cpu is not None:
        if not hasattr(os, "sched_setaffinity"):
            parser.error("--cpu needs os.sched_setaffinity, which this platform lacks (it is Linux's)")
        allowed = sorted(os.sched_getaffinity(0))
        if args.cpu not in allowed:
            parser.error(f"--cpu {args.cpu}: this process may run on CPUs {', '.join(map(str, allowed))} only")
    return args


def turn_order(contenders: list[str], round_index: int) -> list[str]:
    """The order in which ``contenders`` run in round ``round_index`` (from 0): rotated by
    one place each round, so that no contender always runs first, or always right after
    the same one (whose database was just dropped on the same server)."""
    shift = round_index % len(contenders)
    return contenders[shift:] + contenders[:shift]


def measure(contender: str, backend: str, scale: float, cpu: int | None = None) -> dict[str, Any]:
    """One fresh process (pinned to ``cpu`` if given): the worker's JSON line, or ``{"error": ...}``."""
    pinned = [] if cpu is None else [str(cpu)]
    proc = subprocess.run(
        [sys.executable, str(HERE / "_worker.py"), contender, backend, repr(scale), *pinned],
        capture_output=True, text=True, cwd=HERE, timeout=1800,
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-6:])
        return {"error": f"exit {proc.returncode}: {tail}"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def summarise(
    runs: dict[str, dict[str, list[dict[str, Any]]]], contenders: list[str], metric: str
) -> tuple[dict[str, Any], list[str]]:
    """Per backend and contender: the median ms of each workload, its ratio to raw, the
    geometric mean and the maximum of the ratios; and every check that disagreed."""
    summary: dict[str, Any] = {}
    problems: list[str] = []
    for backend, by_contender in runs.items():
        raw_ok = [r for r in by_contender["raw"] if "error" not in r]
        if not raw_ok:
            problems.append(f"{backend}: raw failed: {by_contender['raw'][0]['error']}")
            continue
        expected = raw_ok[0]["check"]
        raw_ms = {w: statistics.median(r[metric][w] for r in raw_ok) for w in WORKLOADS}
        summary[backend] = {"raw": {"version": raw_ok[0]["version"], "ms": raw_ms}}
        for contender in ["kakaorm", *contenders]:
            ok = [r for r in by_contender[contender] if "error" not in r]
            for r in by_contender[contender]:
                if "error" in r:
                    problems.append(f"{backend} {contender}: {r['error']}")
                elif r["check"] != expected:
                    wrong = [w for w in WORKLOADS if r["check"].get(w) != expected[w]]
                    problems.append(f"{backend} {contender}: results differ from raw in {', '.join(wrong)}")
            if not ok:
                continue
            ms = {w: statistics.median(r[metric][w] for r in ok) for w in WORKLOADS}
            ratio = {w: ms[w] / raw_ms[w] for w in WORKLOADS}
            summary[backend][contender] = {
                "version": ok[0]["version"], "ms": ms, "ratio": ratio,
                "geomean": geomean(list(ratio.values())), "max": max(ratio.values()),
            }
    return summary, problems


def table(summary: dict[str, Any], contenders: list[str], sizes: Sizes, metric: str) -> str:
    labels = sizes.labels()
    out: list[str] = []
    for backend, sides in summary.items():
        shown = [c for c in ["kakaorm", *contenders] if c in sides]
        versions = ", ".join(sides[c]["version"] for c in ["raw", *shown])
        out.append(f"{backend} ({versions}); {metric} ms, median; ratio to raw")
        head = f"{'workload':<34}{'raw':>9}" + "".join(f"{c:>12}{'ratio':>7}" for c in shown)
        out.append(head)
        out.append("-" * len(head))
        for w in WORKLOADS:
            line = f"{labels[w]:<34}{sides['raw']['ms'][w]:>9.1f}"
            for c in shown:
                line += f"{sides[c]['ms'][w]:>12.1f}{sides[c]['ratio'][w]:>7.2f}"
            out.append(line)
        out.append(f"{'geometric mean of ratios':<43}" + "".join(f"{'':>12}{sides[c]['geomean']:>7.2f}" for c in shown))
        out.append(f"{'max ratio':<43}" + "".join(f"{'':>12}{sides[c]['max']:>7.2f}" for c in shown))
        out.append("")
    return "\n".join(out)


def print_report(runs: dict[str, dict[str, list[dict[str, Any]]]], args: argparse.Namespace) -> list[str]:
    """Print the table (and write --json); returns the problems found."""
    summary, problems = summarise(runs, args.contenders, args.metric)
    print(f"\n{platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} CPUs; scale {args.scale}; median of {args.processes} fresh processes"
          f"{'' if args.cpu is None else f'; each pinned to CPU {args.cpu}'}\n")
    print(table(summary, args.contenders, Sizes(args.scale), args.metric))
    for problem in problems:
        print("PROBLEM:", problem)
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"scale": args.scale, "processes": args.processes, "contenders": args.contenders, "metric": args.metric,
             "cpu": args.cpu,
             "summary": summary, "runs": runs, "problems": problems},
            indent=2,
        ))
    return problems


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    if args.report:
        saved = json.loads(Path(args.report).read_text())
        args.scale, args.processes, args.cpu = saved["scale"], saved["processes"], saved.get("cpu")
        args.contenders = saved.get("contenders") or [c for c in OPTIONAL if c in next(iter(saved["runs"].values()))]
        args.json = None
        return 1 if print_report(saved["runs"], args) else 0
    everyone = ["raw", "kakaorm", *args.contenders]
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {b: {c: [] for c in everyone} for b in args.backends}
    started = time.monotonic()
    for n in range(args.processes):
        for backend in args.backends:
            for contender in turn_order(everyone, n):
                result = measure(contender, backend, args.scale, args.cpu)
                runs[backend][contender].append(result)
                status = "failed" if "error" in result else "ok"
                print(f"[{time.monotonic() - started:6.0f}s] round {n + 1}/{args.processes} {backend} {contender}: "
                      f"{status}", file=sys.stderr, flush=True)
    problems = print_report(runs, args)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
