"""One FilterSet per model of the Tuesday cycle, shared by the pages and the API."""

import django_filters
from django import forms
from django.utils import timezone

from estates.filtersets import IdFilter, _street_offices
from inspections.filtersets import YesNoWidget
from reports.models import ActionItem, Meeting, MeetingPack, WeeklyReport

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WeeklyReportFilterSet(django_filters.FilterSet):
    street_office = django_filters.ModelChoiceFilter(
        label="街道办事处", queryset=_street_offices, empty_label="全部街道"
    )
    week = django_filters.DateFilter(label="例会日期", widget=DATE)
    status = django_filters.ChoiceFilter(
        label="状态", choices=WeeklyReport.Status.choices, empty_label="全部状态"
    )
    current = django_filters.BooleanFilter(
        label="当前版本", field_name="is_current", widget=YesNoWidget
    )

    class Meta:
        model = WeeklyReport
        fields = ["street_office", "week", "status", "current"]


class MeetingFilterSet(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        label="起始日期", field_name="date", lookup_expr="gte", widget=DATE
    )
    date_to = django_filters.DateFilter(
        label="截止日期", field_name="date", lookup_expr="lte", widget=DATE
    )

    class Meta:
        model = Meeting
        fields = ["date_from", "date_to"]


class ActionItemFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label="状态", choices=ActionItem.Status.choices, empty_label="全部状态"
    )
    assignee = django_filters.ModelChoiceFilter(
        label="责任单位", queryset=_street_offices, empty_label="全部单位"
    )
    meeting = IdFilter(label="例会编号", field_name="meeting")
    overdue = django_filters.BooleanFilter(
        label="逾期", method="filter_overdue", widget=YesNoWidget
    )

    class Meta:
        model = ActionItem
        fields = ["status", "assignee", "meeting", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.overdue_on(timezone.localdate())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class MeetingPackFilterSet(django_filters.FilterSet):
    meeting = IdFilter(label="例会编号", field_name="meeting")

    class Meta:
        model = MeetingPack
        fields = ["meeting"]
