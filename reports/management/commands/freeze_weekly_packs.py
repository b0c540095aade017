"""Freeze the last complete week's weekly pack of every unit by hand, as the beat does on
Tuesday (``reports.weekly_pack.freeze_last_week``); a pack frozen already is left.

manage.py freeze_weekly_packs
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from reports.weekly_pack import freeze_last_week


class Command(BaseCommand):
    help = "固化上一完整周各统计单位的周报（已固化的保持不变）"

    def handle(self, *args, **options):
        units = freeze_last_week(timezone.localdate())
        self.stdout.write(f"已固化 {units} 个统计单位的上周周报")
