"""bench/run.py at a tiny scale on SQLite: every workload gives a time for KakaORM and
for the raw driver, and both read the same results. No timing is asserted."""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS = [
    "single inserts (1 tx)",
    "bulk insert",
    "fetch all as objects",
    "get by pk",
    "filtered top-100",
    "set-based update",
    "20 pages + authors",
]


def _load_run_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kakaorm_bench_run", ROOT / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    return run


#: the last CPU this process may run on: the one the harness test pins its measurements to
PINNED_CPU = max(os.sched_getaffinity(0))


def test_the_harness_measures_every_workload_for_kakaorm_and_raw_with_the_same_results(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--backends", "sqlite", "--processes", "1",
         "--scale", "0.01", "--cpu", str(PINNED_CPU), "--json", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(out.read_text())
    assert report["problems"] == []
    raw = report["runs"]["sqlite"]["raw"][0]
    ours = report["runs"]["sqlite"]["kakaorm"][0]
    assert raw["version"].startswith("aiosqlite ") and ours["version"].startswith("kakaorm ")
    # --cpu pinned each measuring process, and it ran on that CPU alone
    assert report["cpu"] == PINNED_CPU and raw["cpus"] == ours["cpus"] == [PINNED_CPU]
    assert f"median of 1 fresh processes; each pinned to CPU {PINNED_CPU}\n" in proc.stdout
    for side in (raw, ours):
        assert list(side["wall"]) == WORKLOADS
        assert all(ms > 0 for ms in side["wall"].values()) and all(ms >= 0 for ms in side["cpu"].values())
        # the collections of each generation during each workload (counted, not asserted)
        assert list(side["gc"]) == WORKLOADS
        assert all(len(counts) == 3 and all(type(n) is int and n >= 0 for n in counts) for counts in side["gc"].values())
    # scale 0.01: 20 inserts, 200 rows (20 pages of 10), 20 gets, 10 top-100 queries, half the rows updated
    assert ours["check"] == raw["check"]
    assert raw["check"]["single inserts (1 tx)"] == 20
    assert raw["check"]["bulk insert"] == raw["check"]["fetch all as objects"] == 200
    assert raw["check"]["set-based update"] == 100
    assert raw["check"]["20 pages + authors"] // 10**9 == 200
    summary = report["summary"]["sqlite"]["kakaorm"]
    assert set(summary["ratio"]) == set(WORKLOADS)
    assert summary["geomean"] > 0 and summary["max"] >= summary["geomean"]
    for workload in ("single inserts (1 tx) x20", "bulk insert 200", "20 x 10 posts + authors"):
        assert workload in proc.stdout
    assert "geometric mean of ratios" in proc.stdout
    again = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--report", str(out), "--metric", "cpu"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert "sqlite (aiosqlite " in again.stdout and "; cpu ms, median; ratio to raw" in again.stdout
    assert f"; each pinned to CPU {PINNED_CPU}\n" in again.stdout


def test_the_contenders_order_rotates_by_one_place_each_round() -> None:
    run = _load_run_module()
    everyone = ["raw", "kakaorm", "tortoise"]
    assert [run.turn_order(everyone, n) for n in range(4)] == [
        ["raw", "kakaorm", "tortoise"],
        ["kakaorm", "tortoise", "raw"],
        ["tortoise", "raw", "kakaorm"],
        ["raw", "kakaorm", "tortoise"],
    ]
    assert run.turn_order(["raw", "kakaorm"], 1) == ["kakaorm", "raw"]
    assert everyone == ["raw", "kakaorm", "tortoise"]  # the list itself is left as it was


def test_pinning_to_a_cpu_this_process_may_not_use_names_the_ones_it_may(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = _load_run_module()
    allowed = ", ".join(str(c) for c in sorted(os.sched_getaffinity(0)))
    with pytest.raises(SystemExit) as exited:
        run.arguments(["--cpu", "100000"])
    assert exited.value.code == 2
    assert f"--cpu 100000: this process may run on CPUs {allowed} only" in capsys.readouterr().err


SETTLE_CHECK = """
import resource, socket, sys
sys.path.insert(0, sys.argv[1])
import _worker

def faults(reads):
    a, b = socket.socketpair()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(reads):
        a.send(b"x" * 60)
        b.recv(256 * 1024)  # what asyncio's socket transports ask for
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

cold = faults(200)
_worker.settle_allocator()
print(cold, faults(200))
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the mmap threshold it settles is glibc's")
def test_every_measuring_process_reads_its_sockets_into_heap_memory() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SETTLE_CHECK, str(ROOT / "bench")], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    cold, settled = map(int, proc.stdout.split())
    # before: each 256 KiB read buffer is mapped and faulted in afresh (two pages a read)
    assert cold >= 400
    assert settled < 20


def test_the_worker_settles_the_allocator_before_it_measures(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    import _worker

    steps: list[str] = []

    async def measure(contender: str, backend: str, scale: float) -> dict[str, str]:
        steps.append(f"measure {contender} {backend} {scale}")
        return {}

    monkeypatch.setattr(_worker, "settle_allocator", lambda: steps.append("settle"))
    monkeypatch.setattr(_worker, "measure", measure)
    monkeypatch.setattr(sys, "argv", ["_worker.py", "raw", "sqlite", "0.5"])
    _worker.main()
    assert steps == ["settle", "measure raw sqlite 0.5"]
    assert capsys.readouterr().out == "{}\n"


def test_asking_for_a_contender_that_is_not_a_choice_says_which_exist() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--contenders", "peewee"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert proc.returncode == 2
    assert "unknown contender(s) peewee; choose from tortoise, sqlalchemy" in proc.stderr


def test_a_contender_whose_package_is_missing_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _load_run_module()
    monkeypatch.setitem(run.OPTIONAL, "tortoise", ["kakaorm_bench_no_such_module"])
    with pytest.raises(SystemExit) as exited:
        run.arguments(["--backends", "sqlite", "--contenders", "tortoise"])
    assert exited.value.code == 2
    assert (
        "the contenders asked for need kakaorm_bench_no_such_module, which is not installed: "
        "run `pip install -r bench/requirements-contenders.txt`"
    ) in capsys.readouterr().err


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("gc", "fetch all as objects: collections per generation ["),
        ("cprofile", "Ordered by: internal time"),
        ("threads", " ms in the event loop's thread, "),
    ],
)
def test_the_profiler_reports_on_the_one_workload_asked_for(mode: str, expected: str) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "profile_workload.py"), "kakaorm", "sqlite", "fetch",
         "--mode", mode, "--scale", "0.01"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert expected in proc.stdout
    lines = proc.stdout.splitlines()
    # the profiled workload's times, and no other workload's
    assert [line.split(":")[0] for line in lines if ": wall " in line] == ["fetch all as objects"]


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed (apt-get install valgrind)")
def test_the_profiler_counts_one_run_of_a_workload_in_instructions() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "profile_workload.py"), "kakaorm", "sqlite", "get",
         "--mode", "instructions", "--scale", "0.01"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = re.fullmatch(
        r"kakaorm sqlite get by pk: ([\d,]+) instructions \(20 operations, ([\d,]+) each\); "
        r"the whole process ([\d,]+) with the workload once, ([\d,]+) with it twice\n",
        proc.stdout,
    )
    assert found is not None, proc.stdout
    once, each, first, second = (int(g.replace(",", "")) for g in found.groups())
    assert once == second - first
    assert each == once // 20
    # a get costs SQLite and KakaORM about 135,000; an extra full collection of the
    # heap in one of the two runs (what the empty timing is there to match) would add
    # about 470,000 to each of the 20
    assert 80_000 < each < 300_000


@pytest.mark.parametrize(
    ("workload", "message"),
    [
        ("bulk", "--mode instructions cannot count the bulk insert: running it twice would double "
                 "the table that the later workloads read"),
        ("e", "--mode instructions counts one workload; 'e' names 7 of: single inserts (1 tx), bulk insert, "),
        ("insert", "--mode instructions counts one workload; 'insert' names 2 of: "),
    ],
)
def test_counting_instructions_refuses_what_it_cannot_count(workload: str, message: str) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "profile_workload.py"), "raw", "sqlite", workload,
         "--mode", "instructions"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.startswith(message), proc.stderr
