"""Time the pages and endpoints users wait on, against whatever data is loaded.

    manage.py seed_demo --scale 50000 && manage.py benchmark

Each app lists its cases in ``<app>/benchmarks.py`` as ``CASES = [(label, username,
path), ...]``. Speed targets live here, never in timed tests."""

import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import override_settings

from estates.hooks import app_modules
from estates.models import Estate, User


class Command(BaseCommand):
    help = "测量主要页面和接口的响应时间（使用当前数据库中的数据）"

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args, repeat, **options):
        cases = [case for module in app_modules("benchmarks") for case in module.CASES]
        self.stdout.write(f"数据量：{Estate.objects.count()} 个小区；每项 {repeat} 次，取中位数")
        self.stdout.write(
            f"{'case':<44} {'median ms':>10} {'max ms':>9} {'queries':>8} {'bytes':>10}"
        )
        clients = {}
        with override_settings(DEBUG=True, ALLOWED_HOSTS=["*"]):
            for label, username, path in cases:
                if username not in clients:
                    client = Client()
                    user = User.objects.filter(username=username).first()
                    if user is None:
                        self.stdout.write(f"{label:<44} skipped: no user {username}")
                        continue
                    client.force_login(user)
                    clients[username] = client
                client = clients[username]
                timings, queries, size, status = [], 0, 0, None
                for _ in range(repeat):
                    reset_queries()
                    start = time.perf_counter()
                    response = client.get(path)
                    content = b"".join(response) if response.streaming else response.content
                    timings.append((time.perf_counter() - start) * 1000)
                    queries, size, status = (
                        len(connection.queries),
                        len(content),
                        response.status_code,
                    )
                flag = "" if status == 200 else f"  HTTP {status}"
                self.stdout.write(
                    f"{label:<44} {statistics.median(timings):>10.1f} {max(timings):>9.1f} "
                    f"{queries:>8} {size:>10}{flag}"
                )
