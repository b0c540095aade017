"""The coverage part of ``manage.py bench``: its pages; its data is the demo's (it reads
the finished works the bench loaded and streams compounds in chunks)."""

import random

from coverage import demo

CASES = [
    ("coverage overview (HQ)", "hq", "/coverage/"),
    ("coverage overview (clerk)", "clerk1", "/coverage/"),
    ("api management arrangements (HQ)", "hq", "/api/management-arrangements/"),
]


def load(data):
    demo.seed(rng=random.Random(f"{data.seed}-coverage"), today=data.today, stdout=data.stdout)


def history(data):
    """This app's history tables, rebuilt from the loaded rows (``manage.py bench`` calls
    it after loading, and on a reused data set loaded before the tables existed)."""
    from coverage.models import ArrangementHistory
    from estates.bench import reconstruct_history

    return reconstruct_history(ArrangementHistory, "coverage.migrations.0004_coverage_history")
