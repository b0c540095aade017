"""This app's reminders (see ``estates.notify``): the Tuesday report in the day before its
deadline and once it is missing, and action items due tomorrow or overdue. Each keyed, so
sent once."""

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from estates.models import STREET_ROLES, Message, StreetOffice, Topic, User
from estates.notify import Reminder
from reports.cycle import current_week, deadline_for
from reports.models import ActionItem, WeeklyReport

IN = (WeeklyReport.Status.SUBMITTED, WeeklyReport.Status.SIGNED, WeeklyReport.Status.RECEIVED)


def _staff(office_ids):
    people = {}
    for user in User.objects.filter(
        is_active=True, role__in=STREET_ROLES, street_office_id__in=office_ids
    ):
        people.setdefault(user.street_office_id, []).append(user)
    return people


def weekly_reports(now: datetime):
    """Within 24 hours before this week's deadline, each street office whose report is not
    in yet; after the deadline of the week just gone, each whose report is missing."""
    week = current_week(now)
    due = deadline_for(week)
    last_week = week - timedelta(days=7)
    checks = [(last_week, Message.Kind.OVERDUE, "report-missing")]
    if due - timedelta(hours=24) <= now < due:
        checks.append((week, Message.Kind.REMINDER, "report-due"))
    elif now >= due:  # a Tuesday afternoon: this week's is missing already
        checks.append((week, Message.Kind.OVERDUE, "report-missing"))
    for day, kind, prefix in checks:
        submitted = WeeklyReport.objects.filter(
            street_office=OuterRef("pk"), week=day, is_current=True, status__in=IN
        )
        offices = list(StreetOffice.objects.filter(~Exists(submitted)).order_by("sort_order"))
        staff = _staff([o.pk for o in offices])
        for office in offices:
            yield Reminder(
                recipients=staff.get(office.pk, []),
                topic=Topic.WEEKLY_REPORT,
                kind=kind,
                title=(
                    f"{day:%-m月%-d日} 街道周报未按时报送"
                    if kind == Message.Kind.OVERDUE
                    else f"本周街道周报将于 {deadline_for(day):%-m月%-d日 %H:%M} 截止"
                ),
                body="统计报表由系统生成；请填写信息简报，提交后由街道办事处负责人签发。",
                link=reverse("reports:report-edit", args=[day.isoformat()]),
                key=f"{prefix}:{office.pk}:{day.isoformat()}",
            )


def action_items(now: datetime):
    today = timezone.localtime(now).date()
    items = list(
        ActionItem.objects.filter(
            status=ActionItem.Status.OPEN,
            assignee__isnull=False,
            deadline__lte=today + timedelta(days=1),
        ).order_by("deadline", "pk")
    )
    staff = _staff({item.assignee_id for item in items})
    for item in items:
        overdue = item.deadline < today
        yield Reminder(
            recipients=staff.get(item.assignee_id, []),
            topic=Topic.ACTION_ITEM,
            kind=Message.Kind.OVERDUE if overdue else Message.Kind.REMINDER,
            title=("督办事项已逾期：" if overdue else "督办事项即将到期：") + item.title[:60],
            body=f"办理期限 {item.deadline:%Y年%-m月%-d日}。",
            link=reverse("reports:item-detail", args=[item.pk]),
            key=f"item-{'overdue' if overdue else 'due'}:{item.pk}:{item.deadline.isoformat()}",
        )


def due(now: datetime):
    yield from weekly_reports(now)
    yield from action_items(now)
