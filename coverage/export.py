"""The coverage ledger (物业管理覆盖台账) as an Excel report, through ``estates.xlsx``."""

from coverage.models import ManagementArrangement, Reinspection
from estates.xlsx import Column, Sheet, build_workbook

MODE_LABELS = dict(ManagementArrangement.Mode.choices)
STATUS_LABELS = dict(Reinspection.Status.choices)

COLUMNS = (
    Column("序号", 6, "int"),
    Column("街道办事处", 16),
    Column("社区", 14),
    Column("小区名称", 22),
    Column("户数", 8, "int", total=True),
    Column("整治目标", 8),
    Column("整治完成", 8),
    Column("管理模式", 16),
    Column("管理单位", 24),
    Column("责任人", 10),
    Column("起始日期", 11),
    Column("到期日期", 11),
    Column("60天内到期", 9),
    Column("目标项达成", 10),
    Column("目标达成", 8),
    Column("最近回头看", 11),
    Column("回头看结果", 11),
    Column("下次应检", 11),
    Column("回头看逾期", 9),
)


def _date(value):
    return value.strftime("%Y-%m-%d") if value else ""


def ledger_rows(queryset):
    for number, e in enumerate(queryset.iterator(chunk_size=2000), start=1):
        yield (
            number,
            e.community.street_office.name,
            e.community.name,
            e.name,
            e.household_count,
            e.target_name,
            "是" if e.is_renovated else "否",
            MODE_LABELS.get(e.current_mode, "无管理安排"),
            e.provider or "",
            e.responsible or "",
            _date(e.arrangement_start),
            _date(e.arrangement_expires) or ("长期" if e.current_mode else ""),
            "是" if e.expiring else "",
            f"{e.met_items or 0}/{e.target_size}",
            "是" if (e.met_items or 0) >= e.target_size else "否",
            _date(e.last_inspected_on),
            STATUS_LABELS.get(e.last_inspection_status, ""),
            _date(e.next_due_on),
            "逾期" if e.overdue else "",
        )


def coverage_ledger_workbook(queryset, *, on, unit: str):
    """``queryset`` comes from ``selectors.ledger_queryset`` (filtered as the page is)."""
    sheet = Sheet(
        title="中原区老旧小区物业管理覆盖台账",
        unit=unit,
        columns=COLUMNS,
        rows=ledger_rows(queryset),
        sheet_name="物业管理覆盖台账",
        notes=[f"统计日期：{on:%Y年%m月%d日}；目标达成指当前整治目标的每一项均经指挥部核验达到。"],
    )
    return build_workbook(sheet)


FIGURES_COLUMNS = (
    Column("序号", 6, "int"),
    Column("单位", 18),
    Column("小区数", 8, "int", total=True),
    Column("有管理安排", 10, "int", total=True),
    Column("覆盖率（%）", 10, "percent"),
    Column("专业化物业公司进驻", 12, "int", total=True),
    Column("后勤式管理", 10, "int", total=True),
    Column("社区介入", 9, "int", total=True),
    Column("已完成整治", 10, "int", total=True),
    Column("已整治小区覆盖率（%）", 12, "percent"),
    Column("目标达成", 9, "int", total=True),
    Column("目标达成率（%，占小区数）", 12, "percent"),
    Column("60天内到期（小区）", 11, "int", total=True),
    Column("回头看逾期", 10, "int", total=True),
    Column("反弹待整改", 10, "int", total=True),
)


def figures_rows(figures: dict):
    """The rows of ``coverage.queries.coverage_figures`` as plain tuples (FIGURES_COLUMNS order)."""
    for number, r in enumerate(figures["rows"], start=1):
        yield (
            number,
            r["name"],
            r["estates"],
            r["covered"],
            r["covered_pct"],
            r["mode_professional"],
            r["mode_logistics"],
            r["mode_community"],
            r["renovated"],
            r["renovated_covered_pct"],
            r["target_met"],
            r["target_met_pct"],
            r["expiring"],
            r["overdue"],
            r["relapsed"],
        )


def figures_sheet(figures: dict, *, unit: str) -> Sheet:
    """The coverage figures as one sheet of a workbook (the weekly pack adds it with
    ``estates.xlsx.build_workbook(..., figures_sheet(f, unit=...))``)."""
    t = figures["totals"]
    return Sheet(
        title="物业管理覆盖情况统计表",
        unit=unit,
        columns=FIGURES_COLUMNS,
        rows=figures_rows(figures),
        sheet_name="物业管理覆盖",
        notes=[
            f"统计日期：{figures['on']:%Y年%m月%d日}。覆盖率 {t['covered_pct']}%，"
            f"已整治小区覆盖率 {t['renovated_covered_pct']}%，目标达成率 {t['target_met_pct']}%。"
        ],
    )
