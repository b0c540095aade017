"""One FilterSet per model, shared by the HTML list and the API."""

import django_filters
from django import forms
from django.db.models import Q

from estates.models import Campaign, Community, Estate, StreetOffice

#: The largest id a database row can have (a signed 64-bit integer).
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A filter on a row's id, e.g. ``?estate=12``. Only whole numbers from 1 to 2⁶³−1 are
    accepted (anything else is a 400 naming the parameter), so a lookup never overflows
    the database's integer type."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def _street_offices(request):
    return StreetOffice.objects.visible_to(request.user if request else None)


def _communities(request):
    return Community.objects.visible_to(request.user if request else None).select_related(
        "street_office"
    )


class EstateFilterSet(django_filters.FilterSet):
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
    kind = django_filters.ChoiceFilter(
        label="类型", choices=Estate.Kind.choices, empty_label="全部类型"
    )
    condition_class = django_filters.ChoiceFilter(
        label="基础设施状况", choices=Estate.ConditionClass.choices, empty_label="全部"
    )
    campaign = django_filters.ModelChoiceFilter(
        label="整治批次", queryset=Campaign.objects.all(), empty_label="全部批次"
    )
    archived = django_filters.ChoiceFilter(
        label="在册/归档",
        choices=[("true", "仅已归档"), ("false", "在册")],
        empty_label="在册",
        method="filter_archived",
    )

    class Meta:
        model = Estate
        fields = ["q", "street_office", "community", "kind", "condition_class", "campaign"]

    @property
    def qs(self):
        queryset = super().qs
        # Archived compounds are hidden unless asked for explicitly.
        if not getattr(self.form, "cleaned_data", {}).get("archived"):
            queryset = queryset.filter(archived_at__isnull=True)
        return queryset

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(address__icontains=value) | Q(owning_unit__icontains=value)
        )

    def filter_archived(self, queryset, name, value):
        return queryset.filter(archived_at__isnull=value != "true")


class CommunityFilterSet(django_filters.FilterSet):
    street_office = django_filters.ModelChoiceFilter(label="街道办事处", queryset=_street_offices)
    name = django_filters.CharFilter(label="名称", lookup_expr="icontains")

    class Meta:
        model = Community
        fields = ["street_office", "name"]
