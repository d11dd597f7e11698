"""The layering of the front doors: the services know nothing of FastAPI, the two HTTP front
doors (``observatory.api`` and ``observatory.web``) never import each other, and the shared
plumbing (``observatory.http``) imports neither."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import observatory

PACKAGE_DIR = Path(observatory.__file__).parent
WEB_FRAMEWORKS = ("fastapi", "starlette")


def _modules(package: str) -> list[str]:
    found = importlib.import_module(package)
    return [package] + [
        info.name for info in pkgutil.walk_packages(found.__path__, prefix=f"{package}.")
    ]


def _imports(module: str) -> set[str]:
    """Every module ``module``'s source imports, at any depth (also inside functions)."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(f"{p}.") for p in packages)


@pytest.mark.parametrize("module", _modules("observatory.services"))
def test_services_import_no_web_framework_and_no_front_door(module):
    imported = _imports(module)
    forbidden = WEB_FRAMEWORKS + ("observatory.api", "observatory.web", "observatory.http",
                                  "observatory.cli", "observatory.app")
    assert not [name for name in imported if _within(name, forbidden)]


def test_importing_the_services_loads_no_web_framework_and_no_classifier():
    # A fresh interpreter: this test process has long imported FastAPI for other tests. Nor
    # mapclassify (with scikit-learn, and numba's compile where installed: 2 s per CLI
    # process), which only drawing a choropleth needs.
    import subprocess
    import sys

    code = (
        "import sys, pkgutil, importlib, observatory.services as s\n"
        "for m in pkgutil.walk_packages(s.__path__, prefix='observatory.services.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('fastapi', 'starlette',"
        " 'mapclassify', 'sklearn', 'numba')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=PACKAGE_DIR.parent)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("observatory.api", ("observatory.web", "observatory.app", "observatory.cli")),
        ("observatory.web", ("observatory.api", "observatory.app", "observatory.cli")),
        ("observatory.http", ("observatory.api", "observatory.web", "observatory.app",
                              "observatory.cli")),
    ],
)
def test_the_http_front_doors_do_not_import_each_other(package, forbidden):
    offenders = {
        module: sorted(name for name in _imports(module) if _within(name, forbidden))
        for module in _modules(package)
    }
    assert {m: names for m, names in offenders.items() if names} == {}
