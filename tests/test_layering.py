"""The house reads downward: ``estates`` is the ground floor, ``reports`` the top one.

An app may import only the apps below it (the order of ``INSTALLED_APPS``); the
foundation imports none. Read from the source, so an import inside a function counts."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

#: Bottom to top. estates: organisation, ledger, audit, Excel/PDF, export jobs, hooks.
FLOORS = ("estates", "works", "inspections", "coverage", "reports")
ROOT = Path(settings.BASE_DIR)


def imported_apps(path: Path):
    """(line, app) for each import of one of ``FLOORS`` in the file at ``path``."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in FLOORS:
                yield node.lineno, top


def upward_imports(app: str):
    allowed = set(FLOORS[: FLOORS.index(app) + 1])
    return [
        f"{path.relative_to(ROOT)}:{line} imports {other}"
        for path in sorted((ROOT / app).rglob("*.py"))
        for line, other in imported_apps(path)
        if other not in allowed
    ]


def test_the_floors_are_the_installed_apps_in_order():
    installed = [app for app in settings.INSTALLED_APPS if app in FLOORS]
    assert installed == list(FLOORS)


@pytest.mark.parametrize("app", FLOORS)
def test_an_app_imports_no_app_above_it(app):
    assert upward_imports(app) == []


def test_the_check_sees_an_upward_import(tmp_path):
    source = tmp_path / "views.py"
    source.write_text("def f():\n    from reports.views import x\n\nimport works.models\n")
    assert sorted(imported_apps(source)) == [(2, "reports"), (4, "works")]
