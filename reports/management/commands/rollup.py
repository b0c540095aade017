"""Run the dashboards' roll-up by hand, in this process (no worker needed).

manage.py rollup                                # incremental: what changed since the last run
manage.py rollup --date 2026-11-20              # recompute one day, every unit
manage.py rollup --from 2026-11-01 --to 2026-11-24
manage.py rollup --full                         # rebuild the whole history
"""

import time
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports import services
from reports.models import RollupRun


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from None


class Command(BaseCommand):
    help = "汇总驾驶舱统计快照（默认增量；--date/--from/--to 指定日期；--full 全量重建）"

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", type=_date, help="汇总某一天")
        parser.add_argument("--from", dest="start", type=_date, help="起始日期")
        parser.add_argument("--to", dest="end", type=_date, help="截止日期（含）")
        parser.add_argument("--full", action="store_true", help="重建全部历史快照")

    def handle(self, *args, day=None, start=None, end=None, full=False, **options):
        if full and (day or start or end):
            raise CommandError("--full 不能与 --date/--from/--to 同时使用")
        if day and (start or end):
            raise CommandError("--date 不能与 --from/--to 同时使用")
        if start or end:
            start, end = start or end, end or start
            if start > end:
                raise CommandError("--from 不能晚于 --to")
        elif day:
            start = end = day
        if full:
            kind = RollupRun.Kind.FULL
        elif start:
            kind = RollupRun.Kind.DATES
        else:
            kind = RollupRun.Kind.INCREMENTAL
        began = time.monotonic()
        try:
            run = services.request_rollup(
                kind=kind, date_from=start, date_to=end, trigger="command", enqueue=False
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        run = services.execute_rollup(run.pk)
        if run.status != RollupRun.Status.DONE:
            raise CommandError(f"汇总未完成（{run.get_status_display()}）：{run.error}")
        span = f"{run.date_from:%Y-%m-%d} 至 {run.date_to:%Y-%m-%d}，" if run.date_from else ""
        self.stdout.write(
            f"完成（{run.get_kind_display()}）：{span}{run.units} 个单位，写入 {run.rows} 行，"
            f"用时 {time.monotonic() - began:.2f} 秒"
        )
