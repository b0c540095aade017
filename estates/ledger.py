"""The compound ledger (台账) as an Excel report."""

from types import SimpleNamespace

from django.utils import timezone
from openpyxl import Workbook

from estates.models import Estate
from estates.xlsx import Column, Sheet, add_sheet

LEDGER_COLUMNS = (
    Column("序号", 6, "int"),
    Column("街道办事处", 16),
    Column("社区", 14),
    Column("小区名称", 22),
    Column("地址", 28),
    Column("类型", 9),
    Column("建成年份", 9, "int"),
    Column("楼栋数", 8, "int", total=True),
    Column("户数", 9, "int", total=True),
    Column("建筑面积（㎡）", 13, "decimal", total=True),
    Column("产权单位", 18),
    Column("基础设施状况", 14),
    Column("整治目标", 8),
    Column("整治批次", 10),
    Column("街道责任人", 10),
    Column("电话", 13),
    Column("社区责任人", 10),
    Column("电话", 13),
    Column("备注", 20),
)


#: The fields a ledger row reads, as plain values (no model instance per row: at 50,000
#: compounds the instances cost more than writing the cells).
LEDGER_VALUES = (
    "community__street_office__name",
    "community__name",
    "name",
    "address",
    "kind",
    "build_year",
    "building_count",
    "household_count",
    "floor_area",
    "owning_unit",
    "condition_class",
    "campaign__year",
    "street_contact_name",
    "street_contact_phone",
    "community_contact_name",
    "community_contact_phone",
    "notes",
)


def ledger_rows(queryset):
    """The export's rows, in the queryset's order, read in chunks of plain values."""
    kinds = dict(Estate.Kind.choices)
    classes = dict(Estate.ConditionClass.choices)
    targets = {value: Estate(condition_class=value).target_name for value in classes}
    values = queryset.values_list(*LEDGER_VALUES).iterator(chunk_size=2000)
    for number, row in enumerate(values, start=1):
        (office, community, name, address, kind, *counts, owner, condition, year) = row[:12]
        yield (
            number,
            office,
            community,
            name,
            address,
            kinds.get(kind, kind),
            *counts,
            owner,
            classes.get(condition, condition),
            targets.get(condition, ""),
            year if year is not None else "",
            *row[12:],
        )


def estate_ledger_workbook(queryset, *, unit: str) -> tuple[Workbook, int]:
    sheet = Sheet(
        title="中原区老旧小区物业基础设施整治改造台账",
        unit=unit,
        columns=LEDGER_COLUMNS,
        rows=ledger_rows(queryset),
        sheet_name="小区台账",
    )
    workbook = Workbook(write_only=True)
    rows = add_sheet(workbook, sheet)
    return workbook, rows


def ledger_queryset(user, params):
    """The ledger rows ``user`` sees with the page's filters ``params`` applied."""
    from estates.filtersets import EstateFilterSet

    filterset = EstateFilterSet(
        params,
        queryset=Estate.objects.visible_to(user).with_org(),
        request=SimpleNamespace(user=user),
    )
    return filterset.qs


def build_ledger_export(user, params):
    workbook, rows = estate_ledger_workbook(ledger_queryset(user, params), unit=user.scope_label)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return workbook, f"小区台账_{stamp}.xlsx", rows
