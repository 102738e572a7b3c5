"""The import structure between the apps.

Read from the source with ``ast`` (nothing is imported), so a late import inside a function
counts as much as one at the top of a module: hiding a dependency does not remove it.

- ``staff`` never imports ``stations``: stations name the staff members who serve them, so the
  dependency runs stations -> staff only.
- No two apps import each other. The spreadsheet engine (``reports.spreadsheets``) and the export
  helpers (``reports.exporting``) are low-level modules every app uses; they count as their own
  nodes, apart from the statistics in the rest of ``reports`` (which import the apps). The demo
  loader (``accounts``' ``load_demo`` command) puts every app's demo together in order, like
  ``config`` wires every app's URLs: it is a node of its own, which no app imports.
- A function-level import is allowed only with ``# noqa: PLC0415 - <reason>`` on its line.
"""

import ast
import re
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "accounts",
    "checklists",
    "core",
    "facilities",
    "pilots",
    "regions",
    "reports",
    "staff",
    "stations",
    "volunteers",
)
ENGINE_MODULES = ("reports.spreadsheets", "reports.exporting")
DEMO_LOADER = "accounts.management.commands.load_demo"
NOQA_WITH_REASON = re.compile(r"#\s*noqa:\s*(?:[A-Z]+\d+,\s*)*PLC0415(?:,\s*[A-Z]+\d+)*\s+-\s+\S")


def _app_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield path


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _node(dotted):
    """The graph node a dotted module name belongs to, or None if it is not one of the apps."""
    if dotted == DEMO_LOADER:
        return "load_demo"
    for engine in ENGINE_MODULES:
        if dotted == engine or dotted.startswith(engine + "."):
            return engine
    top = dotted.split(".")[0]
    return top if top in APPS else None


def _imported_modules(tree, module):
    """(line, dotted name) of every import in the tree, relative imports resolved."""
    package = module.split(".")
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + (1 if _is_package(module) else 0)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module
            yield node.lineno, name
            for alias in node.names:
                yield node.lineno, f"{name}.{alias.name}"


def _is_package(module):
    return (ROOT / module.replace(".", "/") / "__init__.py").exists()


def _function_level_imports(tree):
    """Line numbers of imports nested in a function body (at any depth)."""
    lines = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)) and in_function:
                lines.append(child.lineno)
            visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)))

    visit(tree, False)
    return lines


def _parsed():
    for path in _app_files():
        source = path.read_text(encoding="utf-8")
        yield path, source, ast.parse(source, filename=str(path))


def _edges():
    """{(from node, to node): ["file:line", ...]} between different nodes."""
    edges = {}
    for path, _source, tree in _parsed():
        module = _module_name(path)
        source_node = _node(module)
        for line, name in _imported_modules(tree, module):
            target = _node(name)
            if target and target != source_node:
                edges.setdefault((source_node, target), []).append(f"{path.relative_to(ROOT)}:{line}")
    return edges


def test_staff_never_imports_stations():
    offending = sorted(set(_edges().get(("staff", "stations"), [])))
    assert not offending, "staff imports stations at " + ", ".join(offending)


def test_no_two_apps_import_each_other():
    edges = _edges()
    nodes = sorted({node for edge in edges for node in edge})
    cycles = [
        f"{a} <-> {b}: {sorted(set(edges[a, b]))[:3]} / {sorted(set(edges[b, a]))[:3]}"
        for a, b in combinations(nodes, 2)
        if (a, b) in edges and (b, a) in edges
    ]
    assert not cycles, "apps importing each other:\n" + "\n".join(cycles)


def test_no_app_imports_the_demo_loader():
    offending = {source: where for (source, target), where in _edges().items() if target == "load_demo"}
    assert not offending, offending


def test_reports_engine_imports_no_app():
    edges = _edges()
    offending = {
        f"{engine} -> {target}": sorted(set(where))
        for (engine, target), where in edges.items()
        if engine in ENGINE_MODULES and target not in ENGINE_MODULES
    }
    assert not offending, offending


def test_function_level_imports_give_a_reason():
    offending = []
    for path, source, tree in _parsed():
        lines = source.splitlines()
        for line in _function_level_imports(tree):
            if not NOQA_WITH_REASON.search(lines[line - 1]):
                offending.append(f"{path.relative_to(ROOT)}:{line}")
    assert not offending, "function-level imports without a `noqa: PLC0415 - reason`: " + ", ".join(offending)
