"""The apps' hook modules, found by name: ``nav``, ``home``, ``demo``, ``benchmarks``.

Each app contributes to the navigation, the home page, a compound's detail page, the
demo data and the benchmark through a module of that name; the foundation asks for
them here, in a fixed order, so no app needs to know the others."""

from importlib import import_module

APPS = ("estates", "works", "inspections", "coverage", "reports")


def app_modules(name: str):
    """Yield ``<app>.<name>`` for each app that has it (an import error inside an
    existing module is raised, not hidden)."""
    for app in APPS:
        try:
            yield import_module(f"{app}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.{name}":
                raise
