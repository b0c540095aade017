"""Register missed patrols by hand: one day (default yesterday) or a range of days.

manage.py record_missed_patrols                     # yesterday
manage.py record_missed_patrols --date 2026-11-20
manage.py record_missed_patrols --from 2026-11-01 --to 2026-11-24
"""

import time
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from inspections import services


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from None


class Command(BaseCommand):
    help = "登记未巡查的小区（默认昨天；可重复执行）"

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", type=_date, help="登记某一天")
        parser.add_argument("--from", dest="start", type=_date, help="起始日期")
        parser.add_argument("--to", dest="end", type=_date, help="截止日期（含）")

    def handle(self, *args, day=None, start=None, end=None, **options):
        yesterday = timezone.localdate() - timedelta(days=1)
        if day and (start or end):
            raise CommandError("--date 不能与 --from/--to 同时使用")
        if start or end:
            start, end = start or end, end or yesterday
            if start > end:
                raise CommandError("--from 不能晚于 --to")
        else:
            start = end = day or yesterday
        days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        total = 0
        began = time.monotonic()
        for one in days:
            try:
                run = services.record_missed_patrols(one)
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from None
            total += run.created
            self.stdout.write(f"{one:%Y-%m-%d}：应巡查 {run.due} 个，新登记未巡查 {run.created} 个")
        self.stdout.write(
            f"完成：{len(days)} 天，新登记 {total} 条，用时 {time.monotonic() - began:.2f} 秒"
        )
