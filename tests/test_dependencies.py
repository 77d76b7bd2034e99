"""The runtime dependencies in pyproject.toml are exactly what the installed program imports."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from tests.support import ROOT

PACKAGES = ("ingest", "metadata", "search", "archive")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported_modules() -> set[str]:
    """Top-level names of every module the program's packages import (anywhere in a file)."""
    found: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - set(PACKAGES)


def test_runtime_dependencies_are_what_the_program_imports():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {
        _canonical(re.split(r"[\[<>=!~ ;]", d, maxsplit=1)[0]) for d in project["dependencies"]
    }
    distributions = packages_distributions()
    imported = set()
    for module in _imported_modules():
        assert module in distributions, f"{module} is imported but not installed"
        imported |= {_canonical(d) for d in distributions[module]}
    assert declared - imported == set(), "declared but never imported: move to an extra"
    assert imported - declared == set(), "imported but not declared in dependencies"


def test_every_package_is_installed():
    """``pip install .`` ships only the packages pyproject.toml lists: new ones go there."""
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    listed = set(tool["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for package in PACKAGES
        for init in (ROOT / package).rglob("__init__.py")
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages"
