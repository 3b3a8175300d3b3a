"""pydantic is optional: kakaorm imports and works without it, dumps still work, and the
pydantic-only features say what to install. Runs in subprocesses where importing
pydantic fails (a sys.meta_path blocker), whether or not it is installed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import kakaorm

CORE_SRC = Path(kakaorm.__file__).resolve().parent.parent

BLOCKER = """
import sys

class NoPydantic:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("pydantic", "pydantic_core"):
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)")
        return None

sys.meta_path.insert(0, NoPydantic())
"""

PROGRAM = """
import datetime, decimal, json, sys
import kakaorm
from kakaorm import DateTimeColumn, DecimalColumn, IntColumn, Model, StrColumn

class Gadget(Model):
    name = StrColumn(nullable=False)
    qty = IntColumn(nullable=False, default=2)
    price = DecimalColumn(max_digits=6, decimal_places=2)
    made = DateTimeColumn()

g = Gadget(id=1, name="cog", price=decimal.Decimal("3.5"),
           made=datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc))
out = {
    "python": repr(g.model_dump(exclude={"made"})),
    "json": g.model_dump(mode="json"),
    "text": g.model_dump_json(exclude_none=True, include={"name", "price"}),
    "errors": {},
}
calls = {
    "model_validate": lambda: Gadget.model_validate({"name": "x"}),
    "create_schema": Gadget.create_schema,
    "update_schema": Gadget.update_schema,
    "model_json_schema": Gadget.model_json_schema,
}
for label, call in calls.items():
    try:
        call()
    except ImportError as err:
        out["errors"][label] = str(err)
out["pydantic_loaded"] = sorted(m for m in sys.modules if m.split(".")[0] in ("pydantic", "pydantic_core"))
print(json.dumps(out))
"""


def run(code: str, *, isolated: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    args = [sys.executable, "-c", textwrap.dedent(code)]
    if isolated:  # no site-packages: only kakaorm-core's sources
        env["PYTHONPATH"] = str(CORE_SRC)
        args.insert(1, "-S")
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def check(out: dict) -> None:
    assert out["python"] == (
        "{'id': 1, 'name': 'cog', 'qty': 2, 'price': Decimal('3.50')}"
    )
    assert out["json"] == {"id": 1, "name": "cog", "qty": 2, "price": "3.50", "made": "2024-01-02T03:04:05Z"}
    assert out["text"] == '{"name":"cog","price":"3.50"}'
    assert out["errors"] == {
        "model_validate": "Gadget.model_validate() needs pydantic v2, which is not installed; "
        "install it with: pip install pydantic (or pip install 'kakaorm-core[pydantic]')",
        "create_schema": "Gadget.create_schema() needs pydantic v2, which is not installed; "
        "install it with: pip install pydantic (or pip install 'kakaorm-core[pydantic]')",
        "update_schema": "Gadget.update_schema() needs pydantic v2, which is not installed; "
        "install it with: pip install pydantic (or pip install 'kakaorm-core[pydantic]')",
        "model_json_schema": "Gadget.model_json_schema() needs pydantic v2, which is not installed; "
        "install it with: pip install pydantic (or pip install 'kakaorm-core[pydantic]')",
    }
    assert out["pydantic_loaded"] == []


def test_with_pydantic_blocked_models_work_and_pydantic_features_name_the_pip_line():
    check(run(BLOCKER + PROGRAM, isolated=False))


def test_with_only_kakaorm_core_on_the_path_the_same_holds():
    check(run(BLOCKER + PROGRAM, isolated=True))


def test_importing_kakaorm_and_dumping_never_imports_pydantic():
    code = """
        import json, sys
        import kakaorm
        from kakaorm import Model, StrColumn

        class Plain(Model):
            name = StrColumn()

        Plain(name="x").model_dump_json()
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("pydantic", "pydantic_core"))))
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_a_directory_named_pydantic_is_not_taken_for_pydantic(tmp_path):
    (tmp_path / "pydantic").mkdir()  # importable as a namespace package
    code = """
        import json
        from kakaorm import Model, StrColumn

        class Thing(Model):
            name = StrColumn()

        try:
            Thing.model_validate({"name": "x"})
        except ImportError as err:
            print(json.dumps(str(err)))
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join([str(CORE_SRC), str(tmp_path)])
    proc = subprocess.run([sys.executable, "-S", "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == (
        f"Thing.model_validate() needs pydantic v2, but 'import pydantic' found {tmp_path / 'pydantic'}, "
        "which is not pydantic; install it with: pip install pydantic (or pip install 'kakaorm-core[pydantic]')"
    )
