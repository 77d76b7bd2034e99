"""The import graph of Epistula's packages, computed from the source: no cycles, no reaching up.

Every ``import`` and ``from … import`` counts, wherever it stands: at module level, inside a
function, or under ``if TYPE_CHECKING:`` (a type-only import still says the module depends on
the one it names, and an import inside a function is the usual way a cycle is hidden).

Layers, lowest first; a module may import its own layer and those below it:

* ``ingest`` and ``metadata`` (the lowest; ``metadata`` never imports ``ingest``),
* ``search`` (above ``metadata``),
* ``archive``, which is layered inside itself (see ``ARCHIVE_LAYERS``).

``ALLOWED`` lists the known offenders while they are being fixed; it shrinks to empty.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from tests.support import ROOT

PACKAGES = ("ingest", "metadata", "search", "archive")

#: package → rank; a module may import only packages of its rank or lower
PACKAGE_RANK = {"metadata": 0, "ingest": 0, "search": 1, "archive": 2}
#: metadata is the lowest of the two lowest: it reads TEI but never builds a letter
FORBIDDEN_PACKAGES = {("metadata", "ingest")}

#: inside ``archive``: module name prefix → (layer, rank), the longest prefix decides
ARCHIVE_LAYERS = {
    "archive.errors": ("store", 0),
    "archive.version": ("store", 0),
    "archive.store": ("store", 0),
    "archive.letters": ("letters", 1),
    "archive.services": ("services", 2),
    "archive.exports": ("services", 2),
    "archive.api": ("api", 3),
    "archive.cli": ("cli", 4),
    "archive.cli_common": ("cli", 4),
    "archive.cli_edit": ("cli", 4),
    "archive.cli_export": ("cli", 4),
    "archive.cli_lifecycle": ("cli", 4),
    "archive.cli_search": ("cli", 4),
    "archive.serve": ("serve", 4),
}
#: the CLI goes through the API: of the archive's modules it imports only these (and itself,
#: and the ``serve`` command it registers)
CLI_MAY_IMPORT = ("archive.api", "archive.errors", "archive.cli", "archive.serve")
#: the web server sits at the edge beside the CLI, and goes through the API as it does
SERVE_MAY_IMPORT = ("archive.api", "archive.errors", "archive.serve")

#: (importer, imported) edges known to break the rules, each to be removed when fixed
ALLOWED: set[tuple[str, str]] = set()


@cache
def modules() -> dict[str, tuple[Path, bool]]:
    """Module name → (source file, whether it is a package's ``__init__``)."""
    found: dict[str, tuple[Path, bool]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _project_module(name: str) -> str | None:
    """The project module ``name`` is, or lies in (``archive.api.Archive`` → ``archive.api``)."""
    known = modules()
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


@cache
def graph() -> dict[str, dict[str, int]]:
    """Module → {module it imports: the first line that does}."""
    edges: dict[str, dict[str, int]] = {}
    for name, (path, is_package) in modules().items():
        out: dict[str, int] = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[: len(base) - node.level + 1]
                    source = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    source = node.module or ""
                # ``from archive.exports import cmif`` imports the submodule cmif
                targets = [f"{source}.{alias.name}" for alias in node.names]
                targets = [t if t in modules() else source for t in targets]
            for target in targets:
                found = _project_module(target)
                if found and found != name:
                    out.setdefault(found, node.lineno)
        edges[name] = out
    return edges


def _layer(module: str) -> tuple[str, int] | None:
    prefixes = [p for p in ARCHIVE_LAYERS if module == p or module.startswith(p + ".")]
    best = max(prefixes, key=len, default=None)
    return ARCHIVE_LAYERS[best] if best else None


def _cycles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, {}):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def _violations() -> list[tuple[str, str, str]]:
    """(importer, imported, why) for every import that breaks a layering rule."""
    found = []
    for module, targets in graph().items():
        for target in targets:
            mine, theirs = module.split(".")[0], target.split(".")[0]
            if PACKAGE_RANK[theirs] > PACKAGE_RANK[mine] or (mine, theirs) in FORBIDDEN_PACKAGES:
                found.append((module, target, f"{mine} is below {theirs}"))
            if mine == theirs == "archive":
                low, high = _layer(module), _layer(target)
                assert low and high, f"no archive layer for {module if not low else target}"
                if high[1] > low[1]:
                    found.append((module, target, f"{low[0]} is below {high[0]}"))
                elif low[0] == "cli" and not target.startswith(CLI_MAY_IMPORT):
                    found.append((module, target, "the CLI goes through the API"))
                elif low[0] == "serve" and not target.startswith(SERVE_MAY_IMPORT):
                    found.append((module, target, "the web server goes through the API"))
    return found


def _without_allowed() -> dict[str, dict[str, int]]:
    return {
        a: {b: line for b, line in targets.items() if (a, b) not in ALLOWED}
        for a, targets in graph().items()
    }


def _edges_in_cycles() -> set[tuple[str, str]]:
    edges = graph()
    return {
        (a, b)
        for component in _cycles(edges)
        for a in component
        for b in edges[a]
        if b in component
    }


def test_the_graph_sees_imports_everywhere() -> None:
    """The graph holds imports inside functions and type-only ones (or the rules see nothing)."""
    edges = graph()
    assert "archive.api" in edges["archive.cli"]
    assert "search.query" in edges["archive.api"]  # imported inside Archive.search
    assert len(edges) > 50


def test_every_archive_module_has_a_layer() -> None:
    missing = [m for m in modules() if m.startswith("archive") and _layer(m) is None]
    missing = [m for m in missing if m != "archive"]  # the package itself holds nothing
    assert not missing, f"give these a layer in ARCHIVE_LAYERS: {missing}"


def test_no_import_cycles() -> None:
    edges = _without_allowed()
    left = []
    for component in _cycles(edges):
        inside = sorted((a, b) for a in component for b in edges[a] if b in component)
        shown = ", ".join(f"{a} → {b} (line {edges[a][b]})" for a, b in inside)
        left.append(f"cycle among {component}: {shown}")
    assert not left, "\n".join(left)


def test_no_layer_imports_a_higher_one() -> None:
    edges = graph()
    bad = [
        f"{a} → {b} (line {edges[a][b]}): {why}"
        for a, b, why in _violations()
        if (a, b) not in ALLOWED
    ]
    assert not bad, "\n".join(bad)


def test_the_allow_list_holds_only_offenders() -> None:
    """An edge fixed leaves the list, so the list says what is left to do."""
    offending = {(a, b) for a, b, _why in _violations()} | _edges_in_cycles()
    stale = sorted(ALLOWED - offending)
    assert not stale, f"fixed, remove from ALLOWED: {stale}"
