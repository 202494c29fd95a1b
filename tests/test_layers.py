"""Layers point one way (STYLE.md): no app imports a higher one, not even inside a function,
and the apps' import graph has no cycle.

Every .py file of the repository is parsed (migrations and tests aside), every ``import`` and
``from … import`` found anywhere in it (module level, functions, classes, ``if`` blocks) is
mapped to the app it names, and each edge is checked against the table below. A failure names
the file, the line and the import.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)

# Highest first. An app may import apps of its own row (if that makes no cycle) and of any
# row below it; never one above.
LAYERS: list[tuple[str, ...]] = [
    ("config", "bench", "manage", ".ci"),  # settings, URLs, tooling
    ("portal",),  # homes, demo data
    ("workbook",),  # reads cells, calls the owning apps' services
    # pages and exports that set several apps' figures side by side; the close and 通报, key
    # projects, complaints, 督办
    ("reporting", "closing", "keyprojects", "complaints", "followup"),
    ("rewards", "deposits"),
    ("projects",),  # owns what counts (counted(), its enums) and feeds the rollup
    ("targets",),  # years, indicators, quotas, the rollup, the progress arithmetic
    ("accounts",),
    ("units",),
    ("audit", "notifications"),
    ("common",),  # knows no domain app
]
RANK = {app: len(LAYERS) - index for index, row in enumerate(LAYERS) for app in row}
SKIPPED_PARTS = {"migrations", "tests", ".venv", ".git", "node_modules", "__pycache__"}


def source_files() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not SKIPPED_PARTS.intersection(path.relative_to(ROOT).parts)
    )


def app_of_file(path: Path) -> str:
    parts = path.relative_to(ROOT).parts
    return parts[0] if len(parts) > 1 else path.stem


def imported_modules(tree: ast.AST):
    """(line, dotted module name) of every absolute import in the tree, at any depth."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def import_edges() -> list[tuple[str, str, str]]:
    """(importing app, imported app, "file:line imports module") for every cross-app import."""
    edges = []
    for path in source_files():
        source = app_of_file(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, module in imported_modules(tree):
            target = module.split(".")[0]
            if target in RANK and target != source:
                where = f"{path.relative_to(ROOT)}:{line} imports {module}"
                edges.append((source, target, where))
    return edges


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a list of nodes (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_scan_sees_the_code():
    files = source_files()
    apps = {app_of_file(path) for path in files}
    assert {"common", "units", "targets", "projects", "portal", "config"} <= apps
    assert not any("migrations" in path.parts or "tests" in path.parts for path in files)
    # Imports inside functions are seen too.
    tree = ast.parse("def f():\n    from projects.models import Project\n")
    assert list(imported_modules(tree)) == [(2, "projects.models")]


def test_every_app_has_a_place_in_the_layers():
    unplaced = sorted({app_of_file(path) for path in source_files()} - set(RANK))
    assert not unplaced, f"not in LAYERS of tests/test_layers.py: {unplaced}"
    installed = {name.split(".")[0] for name in settings.INSTALLED_APPS}
    ours = {app for app in installed if (ROOT / app).is_dir()}
    assert ours <= set(RANK), f"installed apps missing from LAYERS: {sorted(ours - set(RANK))}"


def test_no_app_imports_a_higher_one():
    upward = [
        f"{where}  ({source} may not import {target}, a higher layer)"
        for source, target, where in import_edges()
        if RANK[target] > RANK[source]
    ]
    assert not upward, "upward imports:\n" + "\n".join(upward)


def test_the_apps_import_no_cycle():
    graph: dict[str, set[str]] = defaultdict(set)
    where: dict[tuple[str, str], str] = {}
    for source, target, found in import_edges():
        graph[source].add(target)
        where.setdefault((source, target), found)
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle between apps:\n" + "\n".join(
        where[(a, b)] for a, b in pairwise(cycle)
    )


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
