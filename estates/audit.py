"""Writing and reading the audit trail. Services call ``record``; detail pages call
``history_for``. Values are stored as the user saw them (choice labels, names), so the
trail stays readable after reference data changes."""

from datetime import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils import formats, timezone

from estates.asof import HistoryRow, record_history
from estates.models import AuditEvent


def display_value(instance, field: models.Field):
    """What a user would read for ``field`` on ``instance``."""
    if field.choices:
        return getattr(instance, f"get_{field.name}_display")()
    if isinstance(field, models.ForeignKey):
        related = getattr(instance, field.name)
        return str(related) if related is not None else ""
    value = getattr(instance, field.attname)
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        # The site's one time format, in Asia/Shanghai: 2026年12月2日 21:26.
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(local, "DATETIME_FORMAT")
    return str(value)


def snapshot(instance, field_names) -> dict:
    meta = instance._meta
    return {name: display_value(instance, meta.get_field(name)) for name in field_names}


def diff(instance, before: dict) -> dict:
    """Fields of ``before`` whose display value differs on ``instance`` now."""
    meta = instance._meta
    after = snapshot(instance, before.keys())
    return {
        name: {"label": str(meta.get_field(name).verbose_name), "old": before[name], "new": new}
        for name, new in after.items()
        if new != before[name]
    }


def history_model(model):
    """The ``HistoryRow`` model keeping ``model``'s states (its ``history`` relation),
    or None for a model without one."""
    related = getattr(getattr(model, "history", None), "rel", None)
    candidate = getattr(related, "related_model", None)
    is_history = isinstance(candidate, type) and issubclass(candidate, HistoryRow)
    return candidate if is_history else None


def record(instance, *, actor, action, changes=None, summary="") -> AuditEvent:
    """Write the audit event of a change to ``instance`` (saved already). A model with a
    history (``estates.asof``) gets its new state recorded at the same moment, so every
    audited change is also in the history the figures read."""
    event = AuditEvent.objects.create(
        content_type=ContentType.objects.get_for_model(instance),
        object_id=instance.pk,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        summary=summary[:200],
        changes=changes or {},
    )
    tracked = history_model(type(instance))
    if tracked is not None:
        created = action == AuditEvent.Action.CREATE
        record_history(tracked, [instance], at=event.at, created=created)
    return event


def transition(
    obj,
    *,
    actor,
    allowed_from,
    to,
    summary,
    increment=(),
    validate_constraints=True,
    **values,
):
    """The one state move of every service: lock ``obj``'s row, refuse unless its status
    is one of ``allowed_from`` (a ``ValidationError`` on ``status``), set ``values`` and
    ``status = to``, add one to each counter named in ``increment``, save and audit.

    The caller holds the transaction (services are ``@transaction.atomic``). Counters are
    incremented by ``F()`` in the UPDATE of the locked row, never from a value read
    earlier, so two concurrent moves can neither lose nor double a count. Returns the
    locked, saved instance (counters read back)."""
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    if obj.status not in allowed_from:
        raise ValidationError(
            {"status": f"当前状态为「{obj.get_status_display()}」，不能执行此操作（{summary}）"}
        )
    before = snapshot(obj, ("status", *values.keys(), *increment))
    for name, value in values.items():
        setattr(obj, name, value)
    obj.status = to
    obj.full_clean(validate_constraints=validate_constraints)
    for name in increment:
        setattr(obj, name, F(name) + 1)
    obj.save()
    if increment:
        obj.refresh_from_db(fields=list(increment))
    record(
        obj,
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        changes=diff(obj, before),
        summary=summary,
    )
    return obj


def history_for(instance):
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(instance), object_id=instance.pk
    ).select_related("actor")
