"""我的待办 (the to-do list): what waits on the user, gathered from the apps' ``todo``
modules; the page is ``reports``'.

Each app's ``todo.sources(user, today)`` yields ``Source`` values: a queryset of the rows
the user may act on *now*, built from the same rule functions that the app's services
check before acting (so the list and the permission never disagree), the field holding
each row's deadline, and how to show a row. Each source costs one query whatever its size:
the rows are fetched with a window count of the whole set, so a group shows its first rows
and says how many more there are."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import F, Func, IntegerField, Subquery
from django.utils import timezone

from estates.hooks import app_modules

#: How many rows of each group the page and the home panel show.
ROWS_PER_GROUP = 5


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    queryset: object
    #: the field (or an annotation of ``queryset``) with the row's deadline; rows
    #: without one sort last
    deadline: str
    #: obj → (title, detail, link)
    describe: object
    #: the full filtered list behind the group, where one exists
    more_url: str = ""


@dataclass
class Task:
    title: str
    detail: str
    link: str
    deadline: date | None
    overdue: bool


@dataclass
class Group:
    key: str
    label: str
    total: int
    tasks: list = field(default_factory=list)
    more_url: str = ""

    @property
    def more(self) -> int:
        return max(self.total - len(self.tasks), 0)


def sources(user, today: date):
    for module in app_modules("todo"):
        yield from module.sources(user, today)


def _as_date(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).date()
    return value


def _total(queryset):
    """The number of the source's rows, as an uncorrelated scalar subquery that the row
    query carries (no query of its own): counted once on the bare table, where a window
    ``COUNT(*) OVER ()`` joined every row to its ``select_related`` tables before
    counting (0.4 s for HQ's 12,000 hazards to verify at nation scale, ``manage.py
    bench``). ``COUNT`` as a plain function, so the subquery has no ``GROUP BY``."""
    counted = queryset.order_by().annotate(
        todo_n=Func(F("pk"), function="COUNT", output_field=IntegerField())
    )
    return Subquery(counted.values("todo_n"), output_field=IntegerField())


def todo_for(user, today: date | None = None, limit: int = ROWS_PER_GROUP) -> list[Group]:
    """The user's groups with at least one task, most urgent group first; in a group the
    earliest deadline first (overdue ones at the top)."""
    today = today or timezone.localdate()
    groups = []
    for source in sources(user, today):
        rows = list(
            source.queryset.annotate(todo_total=_total(source.queryset)).order_by(
                F(source.deadline).asc(nulls_last=True), "pk"
            )[:limit]
        )
        if not rows:
            continue
        group = Group(source.key, source.label, rows[0].todo_total, more_url=source.more_url)
        for obj in rows:
            title, detail, link = source.describe(obj)
            deadline = _as_date(getattr(obj, source.deadline))
            group.tasks.append(
                Task(title, detail, link, deadline, deadline is not None and deadline < today)
            )
        groups.append(group)
    groups.sort(
        key=lambda g: (not any(t.overdue for t in g.tasks), g.tasks[0].deadline or date.max)
    )
    return groups


#: The navigation shows the count remembered in the session when the to-do page or the
#: home page last computed it, so an ordinary page costs no query for it.
SESSION_KEY = "todo_count"


def remember_todo_count(request, groups) -> int:
    total = sum(group.total for group in groups)
    if request.session.get(SESSION_KEY) != total:
        request.session[SESSION_KEY] = total
    return total
