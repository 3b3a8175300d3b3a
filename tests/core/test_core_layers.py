"""kakaorm-core keeps its layers: every import points down (or sideways), never up.

The import graph is read from the sources with ``ast`` (nothing is imported), so the
test sees module-level imports, imports inside functions and imports under
``if TYPE_CHECKING:`` alike. docs/architecture.md explains the layers; the maps and
allow-lists below are the executable version of that page, so a change to one is a
change to the other.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE_SRC = ROOT / "packages" / "kakaorm-core" / "src"
PLUGIN_SRCS = {
    "kakaorm_sqlite": ROOT / "packages" / "kakaorm-sqlite" / "src",
    "kakaorm_postgres": ROOT / "packages" / "kakaorm-postgres" / "src",
    "kakaorm_mysql": ROOT / "packages" / "kakaorm-mysql" / "src",
}

#: bottom to top; a module may import from its own layer or a lower one
LAYER_NAMES = ("L0 base", "L1 SQL", "L2 compiler", "L3 dialect", "L4 engine", "L5 ORM", "L6 top")

#: module (or package, covering everything under it) -> layer index in LAYER_NAMES;
#: the longest matching entry wins, so a package's own entry can be overridden below it
LAYER_MAP: dict[str, int] = {
    "kakaorm.exc": 0,
    "kakaorm.types": 0,
    "kakaorm.json_values": 0,
    "kakaorm.i18n": 0,
    "kakaorm.expr": 1,
    "kakaorm.statements": 1,
    "kakaorm.schema": 1,
    "kakaorm.compiler": 2,
    "kakaorm.dialect": 3,
    "kakaorm.url": 3,
    "kakaorm.engine": 4,
    "kakaorm.orm": 5,
    "kakaorm.validators": 5,
    "kakaorm._pydantic": 6,
    "kakaorm._pydantic_columns": 6,
    "kakaorm.fastapi": 6,
    "kakaorm.migration": 6,
    "kakaorm.columns": 6,
    "kakaorm.model": 6,
    "kakaorm.query": 6,
    "kakaorm.relationship": 6,
    "kakaorm.soft_delete": 6,
    "kakaorm.archive": 6,
    # the compliance suite for dialect distributions: pytest + the public API, never imported by kakaorm
    "kakaorm.testing": 6,
    "kakaorm": 6,
    "kakaorm.__main__": 6,
    "kakaorm._cli_entry": 6,
}

#: import cycles (module-level and function-level imports) that are deliberate:
#: frozenset of the modules of one strongly connected component -> why it must stay
CYCLE_ALLOW_LIST: dict[frozenset[str], str] = {
    frozenset({"kakaorm.expr.elements", "kakaorm.expr.conditions"}): (
        "Expression's operators (==, <, in_(), like(), ...) build the condition nodes, and "
        "every condition node is an Expression; elements imports the conditions module "
        "object last, so either import order works (see kakaorm/expr/elements.py)"
    ),
}

#: modules allowed over MAX_LINES -> why
LONG_MODULE_ALLOW_LIST: dict[str, str] = {}

#: modules allowed to import kakaorm modules inside functions -> why (the one
#: documented place for deliberate lazy imports)
LAZY_IMPORT_ALLOW_LIST: dict[str, str] = {}

MAX_LINES = 500

#: packages of kakaorm-core nothing in the engine or the SQL layer may reach
ORM_PACKAGE = "kakaorm.orm"


@dataclass(frozen=True, order=True)
class Edge:
    """One import of a module of the package by another: ``importer -> imported (kind)``.

    kind is ``mod`` (runs when the module is imported), ``fn`` (inside a function) or
    ``tc`` (under ``if TYPE_CHECKING:``, seen only by type checkers)."""

    importer: str
    imported: str
    kind: str
    line: int

    def __str__(self) -> str:
        return f"{self.importer} -> {self.imported} ({self.kind}, line {self.line})"


def module_files(src: Path, package: str) -> dict[str, Path]:
    """Every module of ``package`` under ``src``: dotted name -> file."""
    modules: dict[str, Path] = {}
    for path in sorted((src / package).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_type_checking_test(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.Module) -> Iterator[tuple[ast.stmt | ast.Call, str]]:
    """Every import statement (and ``importlib.import_module("literal")`` call) with the
    kind of place it sits in. Only the body of ``if TYPE_CHECKING:`` is ``tc``; its
    ``else:`` runs."""

    def walk(node: ast.AST, kind: str) -> Iterator[tuple[ast.stmt | ast.Call, str]]:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, kind
            return
        if isinstance(node, ast.Call) and _is_import_module_call(node):
            yield node, kind
        if isinstance(node, ast.If) and _is_type_checking_test(node.test):
            for child in node.body:
                yield from walk(child, "tc")
            for child in node.orelse:
                yield from walk(child, kind)
            return
        is_function = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        inner = "fn" if is_function and kind == "mod" else kind
        for nested in ast.iter_child_nodes(node):
            yield from walk(nested, inner)

    yield from walk(tree, "mod")


def _is_import_module_call(node: ast.Call) -> bool:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return (
        name in ("import_module", "__import__")
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


def _targets(node: ast.stmt | ast.Call, importer: str, is_package: bool, modules: Iterable[str]) -> list[str]:
    """The dotted names an import statement reaches, before mapping to known modules.

    ``from pkg import name`` reaches ``pkg.name`` when that is a module, else ``pkg``."""
    known = set(modules)
    if isinstance(node, ast.Call):
        assert isinstance(node.args[0], ast.Constant)
        return [str(node.args[0].value)]
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    assert isinstance(node, ast.ImportFrom)
    if node.level:
        base = importer.split(".")
        if not is_package:
            base = base[:-1]
        base = base[: len(base) - (node.level - 1)]
        origin = ".".join(base + ([node.module] if node.module else []))
    else:
        origin = node.module or ""
    out = []
    for alias in node.names:
        candidate = f"{origin}.{alias.name}"
        out.append(candidate if candidate in known else origin)
    return out


def build_import_graph(src: Path, package: str) -> list[Edge]:
    """Every import between modules of ``package`` (found under ``src``), one Edge per
    import statement and target; a target is the deepest module of the package its
    dotted name names (``kakaorm.expr.Param`` -> ``kakaorm.expr``)."""
    modules = module_files(src, package)
    edges: list[Edge] = []
    for importer, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for node, kind in _imports(tree):
            for target in _targets(node, importer, is_package, modules):
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != importer:
                    edges.append(Edge(importer, target, kind, node.lineno))
    return sorted(set(edges))


def import_cycles(edges: Iterable[Edge], kinds: frozenset[str] = frozenset({"mod", "fn"})) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (or a module importing
    itself) in the graph of edges of the given kinds."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        if edge.kind in kinds:
            graph.setdefault(edge.importer, set()).add(edge.imported)
            graph.setdefault(edge.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def connect(node: str) -> None:
        # Tarjan's algorithm; the graphs are a few hundred edges, recursion is fine
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(found, key=sorted)


def layer_of(module: str) -> int | None:
    """The layer of a core module by the longest matching entry of LAYER_MAP."""
    best: str | None = None
    for prefix in LAYER_MAP:
        if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > len(best)):
            best = prefix
    return None if best is None else LAYER_MAP[best]


def _listing(edges: Iterable[Edge]) -> str:
    return "\n".join(f"  {edge}" for edge in edges)


def _in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


# -- the graph builder itself, on a small package whose imports are known --------------

FIXTURE_PACKAGE = {
    "pkg/__init__.py": "from pkg.a import A\n",
    "pkg/a.py": "from pkg import b\nA = 1\n",
    "pkg/b.py": (
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "from .c import C\n"
        "if TYPE_CHECKING:\n"
        "    from pkg.sub.d import D\n"
        "else:\n"
        "    import pkg.sub\n"
    ),
    "pkg/c.py": (
        "import os\n"
        "C = 1\n"
        "def late():\n"
        "    from pkg.a import A\n"
        "    return A\n"
        "class K:\n"
        "    async def method(self):\n"
        "        from .sub import d\n"
        "        import importlib\n"
        "        return importlib.import_module('pkg.sub.d')\n"
    ),
    "pkg/sub/__init__.py": "from . import d\n",
    "pkg/sub/d.py": "from .. import c\nfrom ..c import C as D\n",
}


@pytest.fixture
def fixture_src(tmp_path: Path) -> Path:
    for name, text in FIXTURE_PACKAGE.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_graph_builder_sees_module_level_function_level_and_type_checking_imports(fixture_src: Path) -> None:
    edges = {(e.importer, e.imported, e.kind) for e in build_import_graph(fixture_src, "pkg")}
    assert edges == {
        ("pkg", "pkg.a", "mod"),
        ("pkg.a", "pkg.b", "mod"),  # from pkg import b: b is a module
        ("pkg.b", "pkg.c", "mod"),  # relative
        ("pkg.b", "pkg.sub.d", "tc"),
        ("pkg.b", "pkg.sub", "mod"),  # the else: of TYPE_CHECKING runs
        ("pkg.c", "pkg.a", "fn"),
        ("pkg.c", "pkg.sub.d", "fn"),  # relative from a method, and import_module("...")
        ("pkg.sub.d", "pkg.c", "mod"),  # from .. import c / from ..c import C
        ("pkg.sub", "pkg.sub.d", "mod"),  # relative import in a package's __init__
    }


def test_graph_builder_reports_line_numbers(fixture_src: Path) -> None:
    edges = build_import_graph(fixture_src, "pkg")
    late = [e for e in edges if e.importer == "pkg.c" and e.imported == "pkg.a"]
    assert [str(e) for e in late] == ["pkg.c -> pkg.a (fn, line 4)"]


def test_cycles_count_function_level_imports_but_not_type_checking_ones(fixture_src: Path) -> None:
    edges = build_import_graph(fixture_src, "pkg")
    # a -> b -> c -(fn)-> a is a cycle; so are b -> sub -> d -> c and c -(fn)-> d -> c;
    # b -(tc)-> d is not an edge
    assert import_cycles(edges) == [frozenset({"pkg.a", "pkg.b", "pkg.c", "pkg.sub", "pkg.sub.d"})]
    module_level = import_cycles(edges, frozenset({"mod"}))
    assert module_level == []


def test_cycle_finder_separates_components() -> None:
    edges = [Edge("x", "y", "mod", 1), Edge("y", "x", "fn", 1), Edge("z", "z", "mod", 1), Edge("y", "w", "mod", 1)]
    assert import_cycles(edges) == [frozenset({"x", "y"}), frozenset({"z"})]


def test_layer_map_takes_the_longest_prefix() -> None:
    assert layer_of("kakaorm.expr.conditions") == 1
    assert layer_of("kakaorm.engine") == 4
    assert layer_of("kakaorm") == 6
    assert layer_of("kakaorm.orm.persist") == 5
    assert layer_of("kakaorm_sqlite.compiler") is None


# -- kakaorm-core ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def core_edges() -> list[Edge]:
    return build_import_graph(CORE_SRC, "kakaorm")


def test_every_core_module_has_a_layer() -> None:
    unmapped = sorted(m for m in module_files(CORE_SRC, "kakaorm") if layer_of(m) is None)
    assert unmapped == [], f"modules without a layer, add them to the layer map (LAYER_MAP): {unmapped}"


def test_core_imports_point_down_the_layers(core_edges: list[Edge]) -> None:
    upward = [
        e for e in core_edges
        if (a := layer_of(e.importer)) is not None and (b := layer_of(e.imported)) is not None and b > a
    ]
    lines = [
        f"  {e}   [{LAYER_NAMES[layer_of(e.importer) or 0]} imports {LAYER_NAMES[layer_of(e.imported) or 0]}]"
        for e in upward
    ]
    assert upward == [], f"{len(upward)} imports go up a layer (see docs/architecture.md):\n" + "\n".join(lines)


@pytest.mark.parametrize("layer", ["kakaorm.engine", "kakaorm.expr", "kakaorm.statements", "kakaorm.schema"])
def test_engine_and_sql_layer_import_nothing_from_the_orm(core_edges: list[Edge], layer: str) -> None:
    into_orm = [e for e in core_edges if _in_package(e.importer, layer) and _in_package(e.imported, ORM_PACKAGE)]
    assert into_orm == [], f"{layer} imports the ORM (not even under TYPE_CHECKING):\n" + _listing(into_orm)


def test_core_has_no_import_cycles(core_edges: list[Edge]) -> None:
    cycles = [c for c in import_cycles(core_edges) if c not in CYCLE_ALLOW_LIST]
    details = []
    for cycle in cycles:
        inside = [e for e in core_edges if e.kind != "tc" and e.importer in cycle and e.imported in cycle]
        details.append(f"cycle of {len(cycle)} modules {sorted(cycle)}:\n{_listing(inside)}")
    assert cycles == [], "import cycles (module-level and function-level imports):\n" + "\n".join(details)


def test_cycle_allow_list_has_no_stale_entries(core_edges: list[Edge]) -> None:
    stale = [sorted(c) for c in CYCLE_ALLOW_LIST if c not in import_cycles(core_edges)]
    assert stale == [], f"allowed cycles that no longer exist, remove them from CYCLE_ALLOW_LIST: {stale}"


def test_function_level_imports_only_in_the_documented_places(core_edges: list[Edge]) -> None:
    lazy = [e for e in core_edges if e.kind == "fn" and e.importer not in LAZY_IMPORT_ALLOW_LIST]
    assert lazy == [], (
        "imports inside functions outside LAZY_IMPORT_ALLOW_LIST (import at module level, or go "
        "through the one documented place for lazy imports):\n" + _listing(lazy)
    )


def test_no_core_module_is_over_500_lines() -> None:
    sizes = {
        module: len(path.read_text(encoding="utf-8").splitlines())
        for module, path in module_files(CORE_SRC, "kakaorm").items()
    }
    long = {module: n for module, n in sizes.items() if n > MAX_LINES and module not in LONG_MODULE_ALLOW_LIST}
    listing = "\n".join(f"  {module}: {n} lines" for module, n in sorted(long.items()))
    assert long == {}, f"modules over {MAX_LINES} lines (split them by concept):\n{listing}"


# -- the plugins -----------------------------------------------------------------------


def _plugin_imports_of_core(plugin: str) -> list[Edge]:
    """Every import of a kakaorm module by a plugin: its target is the dotted name as
    written (``from kakaorm import Model`` is ``kakaorm.Model``)."""
    src = PLUGIN_SRCS[plugin]
    edges: list[Edge] = []
    for importer, path in module_files(src, plugin).items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, kind in _imports(tree):
            if isinstance(node, ast.ImportFrom) and not node.level and node.module:
                targets = [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.Call):
                targets = _targets(node, importer, False, ())
            else:
                continue
            edges += [Edge(importer, t, kind, node.lineno) for t in targets if _in_package(t, "kakaorm")]
    return sorted(set(edges))


def _core_name_home(dotted: str) -> str:
    """The core module a name re-exported by a public core module is defined in
    (``kakaorm.Model`` -> ``kakaorm.orm.model``), or the dotted name itself."""
    module, _, name = dotted.rpartition(".")
    if dotted in module_files(CORE_SRC, "kakaorm") or not module:
        return dotted
    imported = pytest.importorskip(module)
    value = getattr(imported, name, None)
    home = getattr(value, "__module__", None)
    return home if isinstance(home, str) else dotted


@pytest.mark.parametrize("plugin", sorted(PLUGIN_SRCS))
def test_plugins_import_no_private_core_module(plugin: str) -> None:
    private = [
        e for e in _plugin_imports_of_core(plugin) if any(part.startswith("_") for part in e.imported.split(".")[1:])
    ]
    assert private == [], (
        f"{plugin} imports private kakaorm modules (use the public ones, e.g. kakaorm.url):\n" + _listing(private)
    )


@pytest.mark.parametrize("plugin", sorted(PLUGIN_SRCS))
def test_plugins_import_nothing_from_the_orm(plugin: str) -> None:
    orm = [e for e in _plugin_imports_of_core(plugin) if _in_package(_core_name_home(e.imported), ORM_PACKAGE)]
    assert orm == [], (
        f"{plugin} imports the ORM (directly or through a re-export; a dialect compiles "
        f"schema.TableSchema and SQL-layer elements, never models):\n" + _listing(orm)
    )


@pytest.mark.parametrize("plugin", sorted(PLUGIN_SRCS))
def test_plugins_import_no_engine_internals(plugin: str) -> None:
    inside = [e for e in _plugin_imports_of_core(plugin) if _core_name_home(e.imported).startswith("kakaorm.engine.")]
    assert inside == [], (
        f"{plugin} reaches into kakaorm.engine (a dialect talks to the engine through the "
        f"protocols of kakaorm.dialect):\n" + _listing(inside)
    )
