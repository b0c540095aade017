"""The units the roll-up keeps figures for: the district, its street offices and their
communities (a city or a province is the sum of its districts' rows, see ``Snapshot``).

A ``Unit`` is also the *scope* the figure functions are called with: it knows its
compounds (``estates()``) and how to narrow any scoped model to itself (``narrow``),
through the same ``street_office_lookup`` / ``community_lookup`` the scoping uses."""

from dataclasses import dataclass

from django.http import Http404

from estates.models import Community, District, Estate, StreetOffice
from reports.models import Snapshot

Kind = Snapshot.UnitKind


@dataclass(frozen=True)
class Unit:
    kind: str
    id: int
    name: str
    #: (kind, id) of the unit above, None for the top
    parent: tuple | None = None
    street_office_id: int | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.id)

    @property
    def slug(self) -> str:
        """``street_office-3``: the unit in a URL (``?unit=``)."""
        return f"{self.kind}-{self.id}"

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label

    def narrow(self, queryset):
        """``queryset`` (of a model with a ``ScopedQuerySet``) limited to this unit."""
        qs_class = type(queryset)
        if self.kind == Kind.DISTRICT:
            lookup = getattr(qs_class, "street_office_lookup", "")
            return queryset.filter(**{f"{lookup}__district": self.id}) if lookup else queryset
        if self.kind == Kind.STREET_OFFICE:
            return queryset.filter(**{qs_class.street_office_lookup: self.id})
        if self.kind == Kind.COMMUNITY:
            return queryset.filter(**{qs_class.community_lookup: self.id})
        raise ValueError(f"unknown unit kind {self.kind}")

    def estates(self):
        """The unit's compounds on the ledger (archived ones left out)."""
        return self.narrow(Estate.objects.active())

    def list_params(self) -> dict[str, int]:
        """The filter a list page needs to show this unit's rows (the lists filter by
        street office and community; the district is every row)."""
        if self.kind == Kind.STREET_OFFICE:
            return {"street_office": self.id}
        if self.kind == Kind.COMMUNITY:
            return {"street_office": self.street_office_id, "community": self.id}
        return {}


def all_units() -> list[Unit]:
    """Every unit, parents before children: three queries."""
    units = [Unit(Kind.DISTRICT, d.pk, d.name) for d in District.objects.order_by("pk")]
    offices = list(StreetOffice.objects.order_by("sort_order", "pk"))
    units += [
        Unit(Kind.STREET_OFFICE, o.pk, o.name, (Kind.DISTRICT, o.district_id), o.pk)
        for o in offices
    ]
    units += [
        Unit(
            Kind.COMMUNITY,
            c.pk,
            c.name,
            (Kind.STREET_OFFICE, c.street_office_id),
            c.street_office_id,
        )
        for c in Community.objects.order_by("street_office__sort_order", "name", "pk")
    ]
    return units


def district_unit(district: District) -> Unit:
    return Unit(Kind.DISTRICT, district.pk, district.name)


def street_unit(office: StreetOffice) -> Unit:
    return Unit(
        Kind.STREET_OFFICE, office.pk, office.name, (Kind.DISTRICT, office.district_id), office.pk
    )


def community_unit(community: Community) -> Unit:
    return Unit(
        Kind.COMMUNITY,
        community.pk,
        community.name,
        (Kind.STREET_OFFICE, community.street_office_id),
        community.street_office_id,
    )


def home_unit(user) -> Unit | None:
    """The unit a user's dashboard opens on: the district for HQ, the street office for
    its staff, the community for its lead; None for a user without a role."""
    if not user.is_authenticated or not user.is_active or not user.role:
        return None
    if user.is_hq:
        district = District.objects.order_by("pk").first()
        return district_unit(district) if district else None
    if user.is_street_staff and user.street_office_id:
        return street_unit(user.street_office)
    if user.is_community_lead and user.community_id:
        return community_unit(user.community)
    return None


def unit_for(user, slug: str | None) -> Unit:
    """The unit named by ``slug`` if the user may see it (else 404), or their home unit.
    HQ sees every unit; a street office itself and its communities; a community lead
    only their community."""
    home = home_unit(user)
    if home is None:
        raise Http404("没有可查看的统计单位")
    if not slug:
        return home
    kind, _, raw_id = slug.partition("-")
    if kind not in Kind.values or not raw_id.isdigit() or len(raw_id) > 12:
        raise Http404("统计单位不存在")
    pk = int(raw_id)
    if kind == Kind.DISTRICT:
        district = District.objects.filter(pk=pk).first()
        if district is None or not user.is_hq:
            raise Http404("统计单位不存在")
        return district_unit(district)
    if kind == Kind.STREET_OFFICE:
        office = StreetOffice.objects.visible_to(user).filter(pk=pk).first()
        if office is None or user.is_community_lead:
            raise Http404("统计单位不存在")
        return street_unit(office)
    if kind == Kind.COMMUNITY:
        community = Community.objects.visible_to(user).filter(pk=pk).first()
        if community is None:
            raise Http404("统计单位不存在")
        return community_unit(community)
    raise Http404("统计单位不存在")


def children_of(unit: Unit) -> list[Unit]:
    """The rows of a unit's dashboard: a district's street offices, a street office's
    communities; a community has none."""
    if unit.kind == Kind.DISTRICT:
        return [
            street_unit(o)
            for o in StreetOffice.objects.filter(district=unit.id).order_by("sort_order", "pk")
        ]
    if unit.kind == Kind.STREET_OFFICE:
        return [
            community_unit(c)
            for c in Community.objects.filter(street_office=unit.id).order_by("name", "pk")
        ]
    return []
