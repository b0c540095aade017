"""One FilterSet per model, shared by the pages and the API."""

from datetime import timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone

from coverage.models import (
    EXPIRY_WARNING_DAYS,
    TARGET_ITEM_CHOICES,
    ManagementArrangement,
    Reinspection,
    ServiceAssessment,
)
from coverage.queries import target_met
from estates.filtersets import IdFilter, _communities, _street_offices
from estates.models import Estate
from works.models import Company

Mode = ManagementArrangement.Mode
NO_ARRANGEMENT = "none"


class YesNoWidget(django_filters.widgets.BooleanWidget):
    """The stock widget offers 未知/是/否; an empty filter here means 全部."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", "全部"), ("true", "是"), ("false", "否"))


def _property_managers(request):
    return Company.objects.filter(role=Company.Role.PROPERTY_MANAGER)


class ArrangementFilterSet(django_filters.FilterSet):
    street_office = django_filters.ModelChoiceFilter(
        label="街道办事处",
        field_name="estate__community__street_office",
        queryset=_street_offices,
        empty_label="全部街道",
    )
    community = django_filters.ModelChoiceFilter(
        label="社区", field_name="estate__community", queryset=_communities
    )
    estate = IdFilter(label="小区编号", field_name="estate")
    mode = django_filters.ChoiceFilter(label="管理模式", choices=Mode.choices)
    company = django_filters.ModelChoiceFilter(label="物业服务企业", queryset=_property_managers)
    open = django_filters.BooleanFilter(
        label="现行（未终止）", field_name="ended_on", lookup_expr="isnull", widget=YesNoWidget
    )
    expiring = django_filters.BooleanFilter(
        label="60 天内到期", method="filter_expiring", widget=YesNoWidget
    )

    class Meta:
        model = ManagementArrangement
        fields = ["street_office", "community", "estate", "mode", "company", "open"]

    def filter_expiring(self, queryset, name, value):
        today = timezone.localdate()
        soon = today + timedelta(days=EXPIRY_WARNING_DAYS)
        expiring = queryset.in_force_on(today).filter(expires_on__lte=soon)
        return expiring if value else queryset.exclude(pk__in=expiring.values("pk"))


class AssessmentFilterSet(django_filters.FilterSet):
    street_office = django_filters.ModelChoiceFilter(
        label="街道办事处",
        field_name="estate__community__street_office",
        queryset=_street_offices,
        empty_label="全部街道",
    )
    estate = IdFilter(label="小区编号", field_name="estate")
    item = django_filters.ChoiceFilter(label="目标项", choices=TARGET_ITEM_CHOICES)
    met = django_filters.BooleanFilter(label="是否达到", widget=YesNoWidget)
    verification = django_filters.ChoiceFilter(
        label="核验状态", choices=ServiceAssessment.Verification.choices
    )

    class Meta:
        model = ServiceAssessment
        fields = ["street_office", "estate", "item", "met", "verification"]


class ReinspectionFilterSet(django_filters.FilterSet):
    street_office = django_filters.ModelChoiceFilter(
        label="街道办事处",
        field_name="estate__community__street_office",
        queryset=_street_offices,
        empty_label="全部街道",
    )
    estate = IdFilter(label="小区编号", field_name="estate")
    status = django_filters.ChoiceFilter(
        label="状态", choices=Reinspection.Status.choices, empty_label="全部状态"
    )
    overdue = django_filters.BooleanFilter(
        label="逾期未检", method="filter_overdue", widget=YesNoWidget
    )

    class Meta:
        model = Reinspection
        fields = ["street_office", "estate", "status"]

    def filter_overdue(self, queryset, name, value):
        overdue = Q(status=Reinspection.Status.DUE, due_on__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class CoverageLedgerFilterSet(django_filters.FilterSet):
    """The coverage ledger: compounds annotated by ``figures.annotated_estates``."""

    q = django_filters.CharFilter(label="关键词", method="filter_q")
    street_office = django_filters.ModelChoiceFilter(
        label="街道办事处",
        field_name="community__street_office",
        queryset=_street_offices,
        empty_label="全部街道",
    )
    community = django_filters.ModelChoiceFilter(
        label="社区", queryset=_communities, empty_label="全部社区"
    )
    mode = django_filters.ChoiceFilter(
        label="管理模式",
        choices=[*Mode.choices, (NO_ARRANGEMENT, "无管理安排")],
        method="filter_mode",
        empty_label="全部",
    )
    target = django_filters.BooleanFilter(
        label="目标达成", method="filter_target", widget=YesNoWidget
    )
    expiring = django_filters.BooleanFilter(
        label="60 天内到期", field_name="expiring", widget=YesNoWidget
    )
    overdue = django_filters.BooleanFilter(
        label="回头看逾期", field_name="overdue", widget=YesNoWidget
    )
    relapsed = django_filters.BooleanFilter(
        label="反弹待整改", field_name="relapsed", widget=YesNoWidget
    )

    class Meta:
        model = Estate
        fields = ["q", "street_office", "community"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value))

    def filter_mode(self, queryset, name, value):
        if value == NO_ARRANGEMENT:
            return queryset.filter(current_mode__isnull=True)
        return queryset.filter(current_mode=value)

    def filter_target(self, queryset, name, value):
        return queryset.filter(target_met()) if value else queryset.exclude(target_met())
