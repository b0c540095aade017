"""Small parsers for settings read from the environment.

Each parser fails loudly (ImproperlyConfigured) on a value it cannot read, so a typo in a
deployment's environment stops the process at start-up instead of running half-configured.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_clock(name: str, default: str) -> tuple[int, int]:
    """A time of day as ``HH:MM`` (24-hour), e.g. ``12:00``."""
    raw = os.environ.get(name, default).strip()
    try:
        hour, minute = (int(part) for part in raw.split(":"))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a time of day (use HH:MM)") from exc
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a time of day (use HH:MM)")
    return hour, minute


def env_url_map(name: str) -> dict[str, str]:
    """A JSON object of names to http(s) URLs, e.g. ``{"林山寨": "https://robot/..."}``."""
    import json

    raw = os.environ.get(name, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a JSON object: {exc}") from exc
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.startswith(("http://", "https://"))
        for k, v in value.items()
    ):
        raise ImproperlyConfigured(f"{name} must map names to http(s) URLs")
    return value


def env_date(name: str, default: str):
    """An ISO date (``2000-01-01``)."""
    from datetime import date

    raw = os.environ.get(name) or default
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a date (use YYYY-MM-DD)") from exc
