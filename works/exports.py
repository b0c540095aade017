"""The works sheet (工程量及预算表) and the progress schedule (工程进度计划安排表) as
Excel workbooks in the government layout of ``estates.xlsx``. Contract amounts are not
in these sheets: they go to the street offices and communities as well."""

from django.db.models import OuterRef, Subquery

from estates.exports import ExportKind
from estates.xlsx import Column, Sheet, build_workbook
from works.models import EstateWorksItem, Phase, TenderPackageItem
from works.queries import OVERDUE_LABELS
from works.sheets import plain_estates

SHEET_COLUMNS = (
    Column("序号", 6, "int"),
    Column("街道办事处", 14),
    Column("社区", 12),
    Column("小区名称", 18),
    Column("工作内容", 30),
    Column("计划工程量", 11, "decimal"),
    Column("单位", 7),
    Column("工程预算（元）", 15, "money", total=True),
    Column("状态", 9),
    Column("完成比例（%）", 10, "int"),
    Column("施工单位", 22),
    Column("合同编号", 16),
    Column("备注", 18),
)


def works_sheet_rows(items):
    status_labels = dict(EstateWorksItem.Status.choices)
    for number, row in enumerate(items.iterator(chunk_size=5000), start=1):
        yield (
            number,
            row["estate__community__street_office__name"],
            row["estate__community__name"],
            row["estate__name"],
            f"{row['works_item__number']}. {row['works_item__name']}",
            row["quantity"],
            row["unit"],
            row["budget"],
            status_labels[row["status"]],
            row["percent_complete"],
            row["contractor_name"] or "",
            row["contract_number"] or "",
            row["notes"],
        )


def works_sheet_workbook(estates, *, unit: str):
    """One row per applicable compound-item of ``estates``; plain values (no model
    instances) so a district-wide export stays quick."""
    active = TenderPackageItem.objects.filter(
        works_item=OuterRef("pk"), is_active=True, package__contract__isnull=False
    )
    items = (
        EstateWorksItem.objects.filter(estate__in=estates.values("pk"), applicable=True)
        .annotate(
            contractor_name=Subquery(active.values("package__contract__contractor__name")[:1]),
            contract_number=Subquery(active.values("package__contract__number")[:1]),
        )
        .order_by(
            "estate__community__street_office__sort_order",
            "estate__community__name",
            "estate__name",
            "works_item__number",
        )
        .values(
            "estate__community__street_office__name",
            "estate__community__name",
            "estate__name",
            "works_item__number",
            "works_item__name",
            "quantity",
            "unit",
            "budget",
            "status",
            "percent_complete",
            "contractor_name",
            "contract_number",
            "notes",
        )
    )
    return build_workbook(
        Sheet(
            title="中原区老旧小区物业基础设施整治改造工程量及预算表",
            unit=unit,
            columns=SHEET_COLUMNS,
            rows=works_sheet_rows(items),
            sheet_name="工程量及预算表",
            notes=["注：工程预算单位为元；仅列需要实施的工作内容。"],
        )
    )


SCHEDULE_COLUMNS = (
    Column("序号", 6, "int"),
    Column("街道办事处", 14),
    Column("社区", 12),
    Column("小区名称", 18),
    Column("实施项数", 8, "int", total=True),
    Column("工程预算（万元）", 13, "decimal", total=True),
    Column("计划开工", 11),
    Column("计划完工", 11),
    Column("实际开工", 11),
    Column("实际完工", 11),
    Column("完成比例（%）", 10, "int"),
    Column("所处阶段", 9),
    Column("逾期情况", 18),
)


def _day(value):
    return value.strftime("%Y-%m-%d") if value else ""


def schedule_rows(estates):
    for number, estate in enumerate(estates, start=1):
        schedule = getattr(estate, "works_schedule", None)
        finished = estate.phase in (Phase.COMPLETED, Phase.ACCEPTED)
        yield (
            number,
            estate.community.street_office.name,
            estate.community.name,
            estate.name,
            estate.item_count,
            round(estate.budget_total / 10000, 2),
            _day(schedule.planned_start if schedule else None),
            _day(schedule.planned_finish if schedule else None),
            _day(estate.first_start),
            _day(estate.last_finish if finished else None),
            round(estate.percent),
            Phase(estate.phase).label,
            "、".join(
                label for k, label in OVERDUE_LABELS.items() if getattr(estate, f"overdue_{k}")
            ),
        )


def schedule_workbook(estates, *, unit: str, campaign=None):
    """``estates`` annotated by ``works.queries.with_progress``."""
    estates = estates.order_by(
        "community__street_office__sort_order", "community__name", "name"
    ).select_related("community__street_office", "works_schedule")
    title = f"{campaign.year}年度" if campaign else ""
    return build_workbook(
        Sheet(
            title=f"中原区{title}老旧小区整治改造工程进度计划安排表",
            unit=unit,
            columns=SCHEDULE_COLUMNS,
            rows=schedule_rows(estates.iterator(chunk_size=2000)),
            sheet_name="工程进度计划安排表",
        )
    )


def build_works_sheet_export(user, params):
    """The works sheet export as a background job: the page's filters, the user's scope."""
    from types import SimpleNamespace

    from django.utils import timezone

    from works.filtersets import EstateProgressFilterSet

    estates = EstateProgressFilterSet(
        params, queryset=plain_estates(user), request=SimpleNamespace(user=user)
    ).qs
    workbook = works_sheet_workbook(estates, unit=user.scope_label)
    return workbook, f"工程量及预算表_{timezone.localdate():%Y%m%d}.xlsx", estates.count()


EXPORTS = {"works_sheet": ExportKind("工程量及预算表", build_works_sheet_export)}
