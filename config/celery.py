"""The Celery application, bootstrapped the canonical way.

Without REDIS_URL the settings make every task run in-process (eager), so a fresh clone and
the test suite need no broker. In production a Redis broker carries the tasks to workers.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("zhongyuan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
