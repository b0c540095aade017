"""One FilterSet per model, shared by the HTML pages and the API."""

from datetime import timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from estates.filtersets import MAX_ID, _communities, _street_offices
from estates.models import Campaign, Estate, WorksItem
from works.models import (
    AcceptanceForm,
    Company,
    Contract,
    EstateScope,
    EstateWorksItem,
    Phase,
    TenderPackage,
)
from works.queries import overdue_q, phase_case


def _estates(request):
    return Estate.objects.visible_to(request.user if request else None)


class YesNoWidget(django_filters.widgets.BooleanWidget):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", "全部"), ("true", "是"), ("false", "否"))


class OverdueFilterMixin(django_filters.FilterSet):
    overdue = django_filters.BooleanFilter(
        label="逾期", method="filter_overdue", widget=YesNoWidget
    )
    #: lookups from the filtered model to its compound, for ``overdue_q``
    overdue_estate_ref = "pk"
    overdue_prefix = ""

    def filter_overdue(self, queryset, name, value):
        condition = overdue_q(timezone.localdate(), self.overdue_estate_ref, self.overdue_prefix)
        return queryset.filter(condition) if value else queryset.exclude(condition)


class EstateWorksItemFilterSet(OverdueFilterMixin):
    estate = django_filters.ModelChoiceFilter(label="小区", queryset=_estates)
    street_office = django_filters.ModelChoiceFilter(
        label="街道办事处",
        field_name="estate__community__street_office",
        queryset=_street_offices,
        empty_label="全部街道",
    )
    works_item = django_filters.ModelChoiceFilter(
        label="工作内容", queryset=WorksItem.objects.all(), empty_label="全部工作内容"
    )
    status = django_filters.ChoiceFilter(
        label="状态", choices=EstateWorksItem.Status.choices, empty_label="全部状态"
    )
    campaign = django_filters.ModelChoiceFilter(
        label="整治批次", field_name="estate__campaign", queryset=Campaign.objects.all()
    )
    applicable = django_filters.BooleanFilter(label="需要实施", widget=YesNoWidget)
    overdue_estate_ref = "estate"
    overdue_prefix = "estate__"

    def filter_overdue(self, queryset, name, value):
        """The items of overdue compounds: the compounds are judged once each (a
        semi-join), not once per item of theirs (600,000 at nation scale)."""
        overdue = Estate.objects.filter(overdue_q(timezone.localdate())).values("pk")
        if value:
            return queryset.filter(estate__in=overdue)
        return queryset.exclude(estate__in=overdue)

    class Meta:
        model = EstateWorksItem
        fields = ["estate", "street_office", "works_item", "status", "campaign", "applicable"]


class EstateProgressFilterSet(OverdueFilterMixin):
    """Compounds on the works sheet list, its export and the schedule. Filters a plain
    compound queryset; pages annotate only the rows they show (``with_progress``)."""

    q = django_filters.CharFilter(label="小区名称", field_name="name", lookup_expr="icontains")
    street_office = django_filters.ModelChoiceFilter(
        label="街道办事处",
        field_name="community__street_office",
        queryset=_street_offices,
        empty_label="全部街道",
    )
    community = django_filters.ModelChoiceFilter(
        label="社区", queryset=_communities, empty_label="全部社区"
    )
    campaign = django_filters.ModelChoiceFilter(
        label="整治批次", queryset=Campaign.objects.all(), empty_label="全部批次"
    )
    phase = django_filters.ChoiceFilter(
        label="阶段", choices=Phase.choices, empty_label="全部阶段", method="filter_phase"
    )

    scope_status = django_filters.ChoiceFilter(
        label="工程范围",
        choices=EstateScope.Status.choices,
        empty_label="全部",
        method="filter_scope_status",
    )

    class Meta:
        model = Estate
        fields = ["q", "street_office", "community", "campaign", "phase", "scope_status"]

    def filter_scope_status(self, queryset, name, value):
        condition = Q(works_scope__status=value)
        if value == EstateScope.Status.DRAFT:
            condition |= Q(works_scope__isnull=True)
        return queryset.filter(condition)

    def filter_phase(self, queryset, name, value):
        return queryset.annotate(phase_now=phase_case()).filter(phase_now=value)


class CompanyFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="名称或信用代码", method="filter_q")
    role = django_filters.ChoiceFilter(
        label="类别", choices=Company.Role.choices, empty_label="全部类别"
    )
    is_active = django_filters.BooleanFilter(label="有效", widget=YesNoWidget)

    class Meta:
        model = Company
        fields = ["q", "role", "is_active"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(credit_code__icontains=value))


@extend_schema_field(OpenApiTypes.INT)
class StreetOfficeMethodFilter(django_filters.ModelChoiceFilter):
    """A street office chosen by id, applied by a filter method (typed for the schema)."""


class TenderPackageFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="标段编号或名称", method="filter_q")
    campaign = django_filters.ModelChoiceFilter(
        label="整治批次", queryset=Campaign.objects.all(), empty_label="全部批次"
    )
    status = django_filters.ChoiceFilter(
        label="状态", choices=TenderPackage.Status.choices, empty_label="全部状态"
    )
    street_office = StreetOfficeMethodFilter(
        label="街道办事处", queryset=_street_offices, method="filter_street", empty_label="全部街道"
    )

    class Meta:
        model = TenderPackage
        fields = ["q", "campaign", "status", "street_office"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(number__icontains=value) | Q(name__icontains=value))

    def filter_street(self, queryset, name, value):
        inside = TenderPackage.objects.filter(
            package_items__works_item__estate__community__street_office=value
        )
        return queryset.filter(pk__in=inside.values("pk"))


class ContractFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="合同编号", field_name="number", lookup_expr="icontains")
    campaign = django_filters.ModelChoiceFilter(
        label="整治批次",
        field_name="package__campaign",
        queryset=Campaign.objects.all(),
        empty_label="全部批次",
    )
    contractor = django_filters.ModelChoiceFilter(
        label="施工单位",
        queryset=Company.objects.filter(role=Company.Role.CONTRACTOR),
        empty_label="全部施工单位",
    )
    street_office = StreetOfficeMethodFilter(
        label="街道办事处", queryset=_street_offices, method="filter_street", empty_label="全部街道"
    )

    class Meta:
        model = Contract
        fields = ["q", "campaign", "contractor", "street_office"]

    def filter_street(self, queryset, name, value):
        inside = Contract.objects.filter(
            package__package_items__works_item__estate__community__street_office=value
        )
        return queryset.filter(pk__in=inside.values("pk"))


class AcceptanceFormFilterSet(django_filters.FilterSet):
    """Acceptance forms on the acceptance list and ``/api/acceptances/``."""

    q = django_filters.CharFilter(
        label="小区名称", field_name="estate__name", lookup_expr="icontains"
    )
    street_office = django_filters.ModelChoiceFilter(
        label="街道办事处",
        field_name="estate__community__street_office",
        queryset=_street_offices,
        empty_label="全部街道",
    )
    community = django_filters.ModelChoiceFilter(
        label="社区", field_name="estate__community", queryset=_communities, empty_label="全部社区"
    )
    campaign = django_filters.ModelChoiceFilter(
        label="整治批次",
        field_name="estate__campaign",
        queryset=Campaign.objects.all(),
        empty_label="全部批次",
    )
    status = django_filters.ChoiceFilter(
        label="状态", choices=AcceptanceForm.Status.choices, empty_label="全部状态"
    )
    waiting_days = django_filters.NumberFilter(
        label="报送指挥部超过（天）", method="filter_waiting", min_value=0, max_value=365
    )

    class Meta:
        model = AcceptanceForm
        fields = ["q", "street_office", "community", "campaign", "status", "waiting_days"]

    def filter_waiting(self, queryset, name, value):
        since = timezone.now() - timedelta(days=int(value))
        return queryset.filter(status=AcceptanceForm.Status.SUBMITTED, status_changed_at__lt=since)


class IdChoiceField(forms.ModelChoiceField):
    """A choice of a row by id that refuses anything but a whole number from 1 to 2⁶³−1
    before it reaches the database (SQLite overflows beyond), with the field's message."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not text.isdigit() or not 1 <= int(text) <= MAX_ID:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(text)


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = IdChoiceField


class ScheduleFilterSet(django_filters.FilterSet):
    """The schedule's query parameters (工程进度计划安排表):

    - ``campaign``: a campaign's id; absent means the current campaign, empty means every
      campaign (全部批次).
    - ``street_office``: one street office in the user's scope (its compounds as rows);
      empty means the district (one row per street office). A street office's staff and a
      community lead always see their own street office.
    - ``overdue=true``: only overdue compounds (at street-office level).

    A bad value is a form error naming its parameter; the page says it and shows the
    defaults instead."""

    campaign = IdChoiceFilter(
        label="整治批次",
        queryset=Campaign.objects.all(),
        empty_label="全部批次",
        method="keep",
    )
    street_office = IdChoiceFilter(
        label="街道办事处",
        queryset=_street_offices,
        empty_label="全区（按街道）",
        method="keep",
    )
    overdue = django_filters.BooleanFilter(label="逾期", method="keep", widget=YesNoWidget)

    class Meta:
        model = Estate
        fields = []

    def __init__(self, data=None, *args, request=None, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        user = getattr(request, "user", None)
        if "campaign" not in data:
            current = Campaign.objects.current(timezone.localdate())
            data["campaign"] = str(current.pk) if current else ""
        own = _own_street_office_id(user)
        if own is not None:
            data["street_office"] = str(own)
        super().__init__(data, *args, request=request, **kwargs)

    def keep(self, queryset, name, value):
        """The parameters choose the level and window; ``works.gantt.schedule`` filters."""
        return queryset

    def selection(self) -> dict:
        """``{"campaign", "street_office", "overdue_only"}`` for ``works.gantt.schedule``,
        from the valid values; a parameter with an error counts as empty."""
        self.is_valid()
        cleaned = self.form.cleaned_data
        return {
            "campaign": cleaned.get("campaign"),
            "street_office": cleaned.get("street_office"),
            "overdue_only": bool(cleaned.get("overdue")),
        }


def _own_street_office_id(user):
    if user is None or not user.is_authenticated:
        return None
    if user.is_community_lead:
        return user.community.street_office_id
    if user.is_street_staff:
        return user.street_office_id
    return None
