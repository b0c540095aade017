"""Figures take their date from the caller: no figure module reads the clock itself.

A figure that calls ``timezone.now()`` or ``date.today()`` gives today's answer under a
label that says another day; the caller (a view, a home panel, the roll-up, a service
freezing a report) passes its date instead."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: The modules that hold figures or assemble them from figures.
FIGURE_MODULES = sorted(
    [
        *ROOT.glob("*/queries.py"),
        ROOT / "works" / "acceptance_queries.py",
        ROOT / "works" / "sheets.py",
        ROOT / "coverage" / "selectors.py",
        ROOT / "reports" / "cycle.py",
        ROOT / "reports" / "figures.py",
        ROOT / "reports" / "rollup.py",
        ROOT / "estates" / "sections.py",
    ]
)

#: ``module.attribute`` calls that read the clock.
CLOCK_CALLS = {
    ("timezone", "now"),
    ("timezone", "localdate"),
    ("date", "today"),
    ("datetime", "now"),
    ("datetime", "today"),
    ("datetime", "utcnow"),
    ("time", "time"),
}


def clock_reads(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner = node.func.value
        name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", None)
        # ``timezone.localdate(moment)`` converts the moment it is given: no clock read.
        converts = node.func.attr == "localdate" and (node.args or node.keywords)
        if (name, node.func.attr) in CLOCK_CALLS and not converts:
            found.append(f"{path.relative_to(root)}:{node.lineno} {name}.{node.func.attr}()")
    return found


def test_the_list_of_figure_modules_is_real():
    # A renamed module would silently drop out of the check below.
    assert all(path.exists() for path in FIGURE_MODULES)
    assert {p.parent.name for p in FIGURE_MODULES} >= {
        "estates",
        "works",
        "inspections",
        "coverage",
        "reports",
    }


@pytest.mark.parametrize("path", FIGURE_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_figure_module_reads_the_clock(path):
    assert clock_reads(path) == []


def test_the_check_finds_a_clock_read(tmp_path):
    sample = tmp_path / "queries.py"
    sample.write_text(
        "from django.utils import timezone\n"
        "def open_hazards(scope, on=None):\n"
        "    on = on or timezone.localdate()\n",
        encoding="utf-8",
    )
    assert clock_reads(sample, root=tmp_path) == ["queries.py:3 timezone.localdate()"]
