"""The examples as a user runs them: blog_example.py to completion, fastapi_todo.py served
by uvicorn on a loopback port and called over real HTTP, and fastapi_testing.py under
pytest. Each in its own process."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import kakaorm

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

BLOG_OUTPUT = """\
== published posts, most read first
 990  Why SQLite is enough
 420  Async all the way down
 180  Typed queries
== every post with its author and comments (3 queries in all)
Async all the way down by Ada: 2 comment(s)
    Grace: Finally, no threads.
    Linus: Show me the benchmarks.
Typed queries by Ada: 0 comment(s)
Draft: migrations by Ada: 0 comment(s)
Why SQLite is enough by Linus: 1 comment(s)
    Ada: Until it is not.
== authors and their posts, from the other side
Ada: Async all the way down, Typed queries, Draft: migrations
Linus: Why SQLite is enough
== per author: posts and total views
Ada: 3 posts, 600 views
Linus: 1 posts, 990 views
== a few more questions
drafts: 1
views in all: 1590
most read: Why SQLite is enough
posts mentioning sqlite: 1
posts with comments: ['Async all the way down', 'Why SQLite is enough']
== publish the draft, then delete a comment
{'id': 3, 'title': 'Migrations, explained', 'published': True, 'views': 1}
comments left: 2
"""


def test_blog_example_runs_to_completion_with_the_expected_output():
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / "blog_example.py")],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.splitlines() == BLOG_OUTPUT.splitlines()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_todo_example_served_by_uvicorn_answers_real_http(tmp_path):
    httpx = pytest.importorskip("httpx", reason="calling the server needs httpx")
    pytest.importorskip("uvicorn", reason="serving the example needs uvicorn")
    pytest.importorskip("fastapi", reason="the example needs fastapi")
    port = free_port()
    db_file = tmp_path / "todo.db"
    env = {**os.environ, "PORT": str(port), "TODO_DATABASE_URL": f"sqlite+aiosqlite:///{db_file}"}
    server = subprocess.Popen(
        [sys.executable, str(EXAMPLES / "fastapi_todo.py")],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, f"the server exited early: {server.stdout.read() if server.stdout else ''}"
            try:
                if httpx.get(f"{base}/todos", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not answer within 60 s"
            time.sleep(0.2)

        created = httpx.post(f"{base}/todos", json={"title": "over the wire"}, timeout=10)
        assert created.status_code == 201
        assert created.headers["content-type"] == "application/json"
        assert created.json() == {"id": 1, "title": "over the wire", "description": None, "completed": False}
        patched = httpx.patch(f"{base}/todos/1", json={"completed": True}, timeout=10)
        assert patched.json()["completed"] is True
        assert httpx.get(f"{base}/todos/9", timeout=10).status_code == 404
        docs = httpx.get(f"{base}/docs", timeout=10)
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
        schema = httpx.get(f"{base}/openapi.json", timeout=10).json()["components"]["schemas"]["Todo"]
        assert list(schema["properties"]) == ["id", "title", "description", "completed"]
    finally:
        server.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown: the lifespan disconnects
        try:
            output, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate()
    assert server.returncode == 0, output
    assert "Application shutdown complete." in output

    async def stored() -> list[dict]:
        async with await kakaorm.connect(f"sqlite+aiosqlite:///{db_file}") as engine:
            return await engine.fetch("SELECT id, title, completed FROM todo")

    assert asyncio.run(stored()) == [{"id": 1, "title": "over the wire", "completed": 1}]


def test_testing_example_passes_under_pytest():
    pytest.importorskip("pytest_asyncio", reason="the testing example uses pytest-asyncio")
    pytest.importorskip("fastapi", reason="the example needs fastapi")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", str(EXAMPLES / "fastapi_testing.py"), "-q", "-p", "no:cacheprovider"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().splitlines()[-1].startswith("6 passed")
