"""One plug-in mechanism: contributions are modules of fixed names in the installed apps."""

import pytest
from django.conf import settings

from estates import exports
from estates.hooks import app_modules

#: Each kind of contribution and what its module must define.
KINDS = {
    "nav": "items_for",
    "home": "panels",
    "estate_page": "sections",
    "estate_list": "annotations",
    "exports": "EXPORTS",
    "weekly": "sections",
    "api": "register",
    "demo": "seed",
    "benchmarks": "CASES",
    "reminders": "due",
    "company_scope": "estate_ids",
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_contribution_module_defines_its_hook(kind):
    modules = app_modules(kind)
    assert modules, kind
    assert [m.__name__ for m in modules if not hasattr(m, KINDS[kind])] == []


def test_contributions_come_in_installed_apps_order():
    names = [module.__name__.split(".")[0] for module in app_modules("nav")]
    assert names == [app for app in settings.INSTALLED_APPS if app in names]
    assert names[0] == "estates" and names[-1] == "reports"


def test_a_third_party_app_is_not_asked():
    # drf_spectacular has a module named "hooks"; it is not one of ours.
    assert [module.__name__ for module in app_modules("hooks")] == ["estates.hooks"]


def test_the_export_kinds_are_gathered_from_the_apps():
    assert exports.label("estate_ledger") == "小区台账"
    assert exports.label("works_sheet") == "工程量及预算表"
    with pytest.raises(KeyError):
        exports.spec("no_such_kind")
