"""This app's part of 我的待办: this week's report to write (a clerk, ``can_write_report``),
reports to sign off (the street office's lead, ``can_sign_report``) and to receive (HQ,
``can_manage_cycle``); action items to answer (the assignee street office,
``can_reply_item``) and to close (HQ)."""

from django.db.models import DateTimeField, Exists, OuterRef, Value
from django.urls import reverse

from estates.models import Role, StreetOffice
from estates.tasklist import Source
from reports import services
from reports.cycle import current_week, deadline_for
from reports.models import ActionItem, WeeklyReport


def _office(obj):
    return (
        f"{obj.todo_week:%-m月%-d日} 街道周报待填报",
        obj.name,
        reverse("reports:report-edit", args=[obj.todo_week.isoformat()]),
    )


def _report(obj):
    return (
        f"{obj.street_office.short_name} · {obj.week:%-m月%-d日} 街道周报",
        obj.get_status_display(),
        reverse("reports:report-detail", args=[obj.pk]),
    )


def _item(obj):
    assignee = obj.assignee.short_name if obj.assignee_id else "指挥部"
    return (obj.title[:60], assignee, reverse("reports:item-detail", args=[obj.pk]))


def sources(user, today):
    week = current_week(today)
    due = deadline_for(week)
    reports = WeeklyReport.objects.visible_to(user).filter(is_current=True)
    if services.can_write_report(user):
        done = WeeklyReport.objects.filter(
            street_office=OuterRef("pk"),
            week=week,
            is_current=True,
            status__in=(
                WeeklyReport.Status.SUBMITTED,
                WeeklyReport.Status.SIGNED,
                WeeklyReport.Status.RECEIVED,
            ),
        )
        yield Source(
            "report-write",
            "本周街道周报待填报",
            StreetOffice.objects.filter(pk=user.street_office_id)
            .filter(~Exists(done))
            .annotate(
                todo_due=Value(due, output_field=DateTimeField()),
                todo_week=Value(week),
            ),
            "todo_due",
            _office,
        )
    if user.role == Role.STREET_LEAD:
        # can_sign_report(user, report): the lead of the report's own street office, which is
        # what visible_to leaves a street lead.
        yield Source(
            "report-sign",
            "街道周报待签发",
            reports.filter(status=WeeklyReport.Status.SUBMITTED)
            .select_related("street_office")
            .annotate(todo_since=Value(due, output_field=DateTimeField())),
            "todo_since",
            _report,
            reverse("reports:report-list"),
        )
    items = ActionItem.objects.visible_to(user).select_related("assignee")
    if services.can_manage_cycle(user):
        yield Source(
            "report-receive",
            "街道周报待接收",
            reports.filter(status=WeeklyReport.Status.SIGNED).select_related("street_office"),
            "week",
            _report,
            reverse("reports:report-list"),
        )
        yield Source(
            "item-close",
            "督办事项待确认办结",
            items.filter(status=ActionItem.Status.REPLIED),
            "deadline",
            _item,
            reverse("reports:item-list"),
        )
    if user.is_street_staff:
        # can_reply_item(user, item): items assigned to the user's own street office.
        yield Source(
            "item-reply",
            "督办事项待办理",
            items.filter(status=ActionItem.Status.OPEN, assignee_id=user.street_office_id),
            "deadline",
            _item,
            reverse("reports:item-list"),
        )
