"""Figures over a range of days, for the roll-up's full and incremental runs.

Each as-of figure ``f(scope, on)`` (``<app>/queries.py``) counts the records in a
certain state at the end of ``on``. A record's state holds over an interval of days: a
history row is in force at the end of every day from the day of its ``valid_from`` up to
the day before its ``valid_to`` (``estates.asof.valid_at``); a compound is in the ledger
from the day it was entered up to the day before it was archived; a deadline has passed
from the day after it. So the range variant beside each figure (``f_range(scope, days)``)
reads the same rows once, turns each into the interval of days on which the as-of
figure counts it, and adds the intervals up (``Timeline``): one query for every day
instead of one per day, and the same numbers (tests compare the two on generated data).

Intervals are ``(first, end)`` with ``end`` exclusive; ``None`` is open on that side."""

import threading
from collections.abc import Mapping
from contextlib import contextmanager
from datetime import date, timedelta
from itertools import accumulate

from django.utils import timezone

ONE_DAY = timedelta(days=1)

#: What ``shared`` has built while ``sharing()`` is in force (None: not in force).
_shared: dict | None = None
_shared_lock = threading.Lock()


@contextmanager
def sharing():
    """While in force, ``shared(key, build)`` builds each key once, for every thread: a
    roll-up over every unit computes its sources' range variants on two connections
    (``reports.rollup._prepare_in_parallel``), and four of them read the same history
    of the works items. Outside it every call builds its own."""
    global _shared
    with _shared_lock:
        _shared = {}
    try:
        yield
    finally:
        with _shared_lock:
            _shared = None


def shared(key, build):
    """``build()``, or what it returned for ``key`` earlier within ``sharing()`` (a thread
    asking while another builds the same key waits for it)."""
    with _shared_lock:
        found = None if _shared is None else _shared.setdefault(key, _Once())
    return build() if found is None else found.get(build)


class _Once:
    def __init__(self):
        self._lock = threading.Lock()
        self._done = False

    def get(self, build):
        with self._lock:
            if not self._done:
                self._value, self._done = build(), True
        return self._value


def is_sharing() -> bool:
    return _shared is not None


def local_day(moment) -> date | None:
    """The local day of ``moment`` (None stays None): a record stamped at ``moment`` is
    recorded by the end of that day and of every later one."""
    return None if moment is None else timezone.localdate(moment)


def local_days():
    """``local_day`` with the current time zone read once, for a loop over many rows:
    reading it (a context-local lookup) cost more than the conversion, about a second per
    100,000 compounds' ledger dates at nation scale."""
    zone = timezone.get_current_timezone()

    def day(moment) -> date | None:
        return None if moment is None else moment.astimezone(zone).date()

    return day


def day_after(day: date | None) -> date | None:
    return None if day is None else day + ONE_DAY


def later(*days):
    """The latest of the interval starts (None: open)."""
    found = [d for d in days if d is not None]
    return max(found) if found else None


def earlier(*days):
    """The earliest of the interval ends (None: open)."""
    found = [d for d in days if d is not None]
    return min(found) if found else None


def _before(a, b) -> bool:
    """``a`` < ``b`` for interval bounds where a None start is −∞ and a None end +∞."""
    return a is None or b is None or a < b


def union(intervals) -> list[tuple]:
    """The days covered by any of ``intervals``, as disjoint intervals in order."""
    items = sorted(
        ((lo, end) for lo, end in intervals if _before(lo, end)),
        key=lambda i: (i[0] is not None, i[0] or date.min),
    )
    out = []
    for lo, end in items:
        if out and (out[-1][1] is None or (lo is not None and lo <= out[-1][1])):
            last_lo, last_end = out[-1]
            out[-1] = (last_lo, None if end is None or last_end is None else max(last_end, end))
        else:
            out.append((lo, end))
    return out


def intersect(a, b) -> list[tuple]:
    """The days in both ``a`` and ``b`` (each disjoint intervals, as ``union`` returns)."""
    out = []
    for lo1, end1 in a:
        for lo2, end2 in b:
            lo, end = later(lo1, lo2), earlier(end1, end2)
            if _before(lo, end):
                out.append((lo, end))
    return union(out)


class Timeline:
    """Numbers per key over the days ``first``..``last``, each record adding its amount
    on the days of its interval (a difference array: O(records + days))."""

    def __init__(self, first: date, last: date):
        self.first = first
        self.size = (last - first).days + 1
        self._diff: dict = {}

    def add(self, key, lo: date | None, end: date | None, amount=1) -> None:
        i = 0 if lo is None else max((lo - self.first).days, 0)
        j = self.size if end is None else min((end - self.first).days, self.size)
        if i >= j or not amount:
            return
        diff = self._diff.get(key)
        if diff is None:
            diff = self._diff[key] = [0] * (self.size + 1)
        diff[i] += amount
        diff[j] -= amount

    def add_all(self, key, intervals, amount=1) -> None:
        for lo, end in intervals:
            self.add(key, lo, end, amount)

    def series(self) -> dict:
        """{key: [value on each day from ``first``]}."""
        return {key: list(accumulate(diff[:-1])) for key, diff in self._diff.items()}

    def index(self, day: date) -> int:
        return (day - self.first).days


class ByDay(Mapping):
    """``{day: the as-of figure's result on that day}``, each day's result built when it
    is read (``build(day)``), so a long range holds only the series."""

    def __init__(self, days, build):
        self._days = sorted(set(days))
        self._build = build

    def __getitem__(self, day):
        if day not in self._keys():
            raise KeyError(day)
        return self._build(day)

    def _keys(self):
        if not hasattr(self, "_set"):
            self._set = set(self._days)
        return self._set

    def __iter__(self):
        return iter(self._days)

    def __len__(self):
        return len(self._days)


def span(days) -> tuple[date, date]:
    days = sorted(days)
    if not days:
        raise ValueError("no days")
    return days[0], days[-1]
