"""Settings come from the environment and fail loudly on a bad value."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


def test_bool_parser_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG", True)


def test_int_parser_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "half an hour")
    with pytest.raises(ImproperlyConfigured, match="SESSION_IDLE_MINUTES"):
        env_int("SESSION_IDLE_MINUTES", 30)


def test_list_parser_splits_and_trims(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " a.example , b.example ,")
    assert env_list("ALLOWED_HOSTS", []) == ["a.example", "b.example"]


def run_manage(*args, **env):
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a "deployment".
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="x" * 20 + "a-real-production-secret-key-1234567890",
        ALLOWED_HOSTS="renovation.zhongyuan.gov.cn",
        REDIS_URL="redis://127.0.0.1:6379/1",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "a-real-production-secret-key-1234567890",
    "ALLOWED_HOSTS": "renovation.zhongyuan.gov.cn",
}


def test_production_without_redis_refuses_to_start():
    result = run_manage("check", **PRODUCTION, REDIS_URL="")
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr and "TASKS_IN_PROCESS" in result.stderr


def read_settings(expression, **env):
    """``expression`` over the settings (``s``) as a deployment with ``env`` loads them:
    the settings alone, without starting the apps (what they refuse or set is decided
    there)."""
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    code = f"from django.conf import settings as s; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_runs_tasks_in_process_only_when_asked():
    result = read_settings(
        "s.CELERY_TASK_ALWAYS_EAGER",
        **PRODUCTION,
        REDIS_URL="",
        TASKS_IN_PROCESS="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "True"


def test_production_without_secret_key_refuses_to_start():
    env = {"DEBUG": "false", "ALLOWED_HOSTS": "x"}
    result = run_manage("check", **env, SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_unreadable_database_url_refuses_to_start():
    result = run_manage("check", DATABASE_URL="nosuchdb://what")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_local_production_serve_keeps_plain_http():
    """`make run`: DEBUG off but served over plain HTTP on this machine."""
    result = read_settings(
        "s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS",
        DEBUG="false",
        SECRET_KEY="x" * 20 + "a-real-production-secret-key-1234567890",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SERVE_HTTPS="false",
        TASKS_IN_PROCESS="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-4:] == ["False", "False", "False", "0"]
