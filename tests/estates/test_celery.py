"""Celery: in-process without REDIS_URL; through a real Redis broker when one answers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def test_without_redis_url_tasks_run_in_process():
    from config.celery import app

    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    assert app.conf.task_always_eager is True


@pytest.mark.redis
def test_with_redis_url_the_broker_is_redis_and_reachable():
    code = (
        "import django; django.setup();"
        "from config.celery import app;"
        "conn = app.connection_for_write(); conn.ensure_connection(max_retries=1);"
        "print(app.conf.broker_url, app.conf.task_always_eager)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "REDIS_URL": "redis://127.0.0.1:6379/15",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["redis://127.0.0.1:6379/15", "False"]
