"""Load the demo district: organisation, logins, ledger, then each app's demo data.

Idempotent: run it as often as you like. ``--scale N`` grows the ledger to N compounds
with bulk inserts (about 3,000 or 50,000 for the benchmarks)."""

import random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from estates.demo import DEMO_PASSWORD, DEMO_USERS
from estates.hooks import app_modules


class Command(BaseCommand):
    help = "载入中原区演示数据（可重复执行）"

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=300, help="小区数量（默认 300）")
        parser.add_argument("--seed", type=int, default=2013, help="随机数种子")
        parser.add_argument("--quiet", action="store_true", help="不打印演示账号")

    def handle(self, *args, scale, seed, quiet, **options):
        if scale < 1:
            self.stderr.write("--scale 须为正整数")
            return
        today = timezone.localdate()
        for module in app_modules("demo"):
            app = module.__name__.split(".")[0]
            rng = random.Random(f"{seed}-{app}")
            with transaction.atomic():
                if app == "estates":
                    module.seed(rng=rng, today=today, stdout=self.stdout, scale=scale)
                else:
                    module.seed(rng=rng, today=today, stdout=self.stdout)
        # Today's reminders, as the hourly job would send them (each once: keyed).
        from estates.notify import send_due

        with transaction.atomic():
            sent = send_due(timezone.now())
        self.stdout.write(f"  站内提醒：本次新发 {sent} 条")
        if not quiet:
            self.stdout.write("")
            self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
            logins = [(username, name) for username, name, *_ in DEMO_USERS]
            for module in app_modules("demo"):
                logins += getattr(module, "DEMO_LOGINS", [])
            for username, display_name in logins:
                self.stdout.write(f"  {username:<11} {display_name}")
