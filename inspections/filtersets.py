"""One FilterSet per model, shared by the HTML lists and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from estates.filtersets import IdFilter, _communities, _street_offices
from inspections.models import Hazard, MissedPatrol, PatrolRecord, QualityInspection

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class YesNoWidget(django_filters.widgets.BooleanWidget):
    """The boolean filter as 全部 / 是 / 否 (django-filter's default reads 未知)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", "全部"), ("true", "是"), ("false", "否")]


class _OrgFilters(django_filters.FilterSet):
    street_office = django_filters.ModelChoiceFilter(
        label="街道办事处", queryset=_street_offices, empty_label="全部街道"
    )
    community = django_filters.ModelChoiceFilter(
        label="社区", field_name="estate__community", queryset=_communities, empty_label="全部社区"
    )
    estate_name = django_filters.CharFilter(
        label="小区", field_name="estate__name", lookup_expr="icontains"
    )


class PatrolRecordFilterSet(_OrgFilters):
    date = django_filters.DateFilter(label="巡查日期", widget=DATE)
    date_from = django_filters.DateFilter(
        label="起始日期", field_name="date", lookup_expr="gte", widget=DATE
    )
    date_to = django_filters.DateFilter(
        label="截止日期", field_name="date", lookup_expr="lte", widget=DATE
    )
    estate = IdFilter(label="小区编号", field_name="estate")

    class Meta:
        model = PatrolRecord
        fields = ["date", "date_from", "date_to", "street_office", "community", "estate"]


class HazardFilterSet(_OrgFilters):
    status = django_filters.ChoiceFilter(
        label="状态", choices=Hazard.Status.choices, empty_label="全部状态"
    )
    severity = django_filters.ChoiceFilter(
        label="等级", choices=Hazard.Severity.choices, empty_label="全部等级"
    )
    category = django_filters.ChoiceFilter(
        label="类别", choices=Hazard.Category.choices, empty_label="全部类别"
    )
    open = django_filters.BooleanFilter(label="未销号", method="filter_open", widget=YesNoWidget)
    overdue = django_filters.BooleanFilter(
        label="已逾期", method="filter_overdue", widget=YesNoWidget
    )
    estate = IdFilter(label="小区编号", field_name="estate")

    class Meta:
        model = Hazard
        fields = ["status", "severity", "category", "street_office", "community", "estate"]

    def filter_open(self, queryset, name, value):
        done = (Hazard.Status.VERIFIED, Hazard.Status.CLOSED)
        return queryset.exclude(status__in=done) if value else queryset.filter(status__in=done)

    def filter_overdue(self, queryset, name, value):
        overdue = Q(status__in=Hazard.OPEN_STATES, deadline__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class QualityInspectionFilterSet(_OrgFilters):
    status = django_filters.ChoiceFilter(
        label="状态", choices=QualityInspection.Status.choices, empty_label="全部状态"
    )
    rating = django_filters.ChoiceFilter(
        label="评定", choices=QualityInspection.Rating.choices, empty_label="全部评定"
    )
    overdue = django_filters.BooleanFilter(
        label="已逾期", method="filter_overdue", widget=YesNoWidget
    )
    estate = IdFilter(label="小区编号", field_name="estate")

    class Meta:
        model = QualityInspection
        fields = ["status", "rating", "street_office", "community", "estate"]

    def filter_overdue(self, queryset, name, value):
        overdue = Q(status=QualityInspection.Status.SENT, deadline__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class MissedPatrolFilterSet(_OrgFilters):
    date = django_filters.DateFilter(label="日期", widget=DATE)
    date_from = django_filters.DateFilter(
        label="起始日期", field_name="date", lookup_expr="gte", widget=DATE
    )
    date_to = django_filters.DateFilter(
        label="截止日期", field_name="date", lookup_expr="lte", widget=DATE
    )

    class Meta:
        model = MissedPatrol
        fields = ["date", "date_from", "date_to", "street_office", "community"]
