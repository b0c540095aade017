"""The one plug-in mechanism: each app contributes through a module of a fixed name.

The foundation (and ``reports``, the top floor) asks for contributions here, in the order
of ``INSTALLED_APPS``; no app names another. A kind of contribution is one module name,
and a module exists only where an app has something to contribute:

============== ====================================== ====================================
module         what it defines                        who reads it
============== ====================================== ====================================
``nav``        ``items_for(user)`` → [NavItem]        the navigation bar
               (``estates.navigation``)               (``estates.context_processors``)
``home``       ``panels(user)`` → [{"template": ...}]  the home page (``HomeView``)
``estate_page`` ``sections(user, estate)`` → [{...}]   a compound's detail page
``ledger``     ``annotations(day)`` → {name: expr}     the ledger list (e.g. ``is_overdue``)
``exports``    ``EXPORTS`` = {kind: ExportKind}        ``estates.exports`` (background jobs)
``weekly``     ``sections(scope, period)`` → Sections the weekly pack (``reports``)
``api``        ``register(router)``                    the project's API router
``demo``       ``seed(*, rng, today, stdout)``         ``manage.py seed_demo``
``benchmarks`` ``CASES`` = [(label, login, path)];     ``manage.py bench``
               optional ``load(data)``, ``jobs(data)``
               → [Figure], ``write_load(...)``
``reminders``  ``due(now)`` → [Reminder]              ``estates.notify.send_due``
``company_scope`` ``estate_ids(company_id)`` → subquery ``estates.scoping`` (company users)
``todo``       ``sources(user, today)`` → [Source]   我的待办 (``estates.tasklist``)
``outbox``     ``stale(now)`` → [(task, [ids])]       ``estates.outbox`` (the sweep)
``snapshots``  ``street_offices(metrics, on)``,      pages of a lower floor showing
               ``unit_figures(user, today, metrics)`` unit-wide figures (the works list,
               → the roll-up's figures, or None       the coverage overview)
============== ====================================== ====================================
"""

from functools import cache
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings


def project_apps() -> list:
    """The app configs of this project's own (top-level) apps, in ``INSTALLED_APPS``
    order; Django's and third-party apps are not among them."""
    base = Path(settings.BASE_DIR).resolve()
    return [c for c in apps.get_app_configs() if Path(c.path).resolve().parent == base]


@cache
def app_modules(name: str) -> tuple:
    """``<app>.<name>`` for each of the project's apps that has it, in ``INSTALLED_APPS``
    order. An import error inside an existing module is raised, not hidden."""
    modules = []
    for config in project_apps():
        try:
            modules.append(import_module(f"{config.name}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{name}":
                raise
    return tuple(modules)
