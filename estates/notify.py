"""Messages that find their people: in-app messages, and the outside channels behind them.

``notify`` is called by services inside their transaction (an assignment, a change of
state) and by the reminder jobs. It writes the in-app messages, and for each recipient who
asked for it an outbox row per outside channel; those are sent after commit by
``estates.tasks.send_delivery`` and retried by the periodic sweep, so a dead mail server or
a hung robot never delays or undoes the action that caused the message.

The group robots of 企业微信 and 钉钉 both take ``{"msgtype": "text", "text": {"content":
...}}`` posted as JSON to the robot's URL; one URL per street office is configured in
``NOTIFY_WEBHOOKS``.
"""

import json
import logging
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from estates.hooks import app_modules
from estates.models import Delivery, Message, NotificationPreference, User

logger = logging.getLogger(__name__)

# Minutes to wait after the n-th failed attempt (then the delivery is given up).
BACKOFF_MINUTES = (1, 5, 15, 60, 240)


def notify(
    recipients: Iterable[User],
    *,
    topic: str,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    key: str = "",
) -> list[Message]:
    """Write one message per recipient (each once per ``key`` when a key is given) and
    queue its outside deliveries. Returns the messages created now."""
    recipients = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not recipients:
        return []
    if key:
        already = set(
            Message.objects.filter(recipient_id__in=recipients, key=key).values_list(
                "recipient_id", flat=True
            )
        )
        recipients = {pk: user for pk, user in recipients.items() if pk not in already}
    created = []
    for user in recipients.values():
        message = Message(
            recipient=user,
            kind=kind,
            topic=topic,
            title=title[:100],
            body=body[:500],
            link=link[:300],
            key=key[:150],
        )
        try:
            # A concurrent run of the same reminder job may have written it a moment ago:
            # the constraint keeps one, and this run skips it.
            with transaction.atomic():
                message.save()
        except IntegrityError:
            if not key:
                raise
            continue
        created.append(message)
    _queue_deliveries(created, topic)
    return created


def notify_role_holders(users_qs, **kwargs) -> list[Message]:
    """``notify`` for a queryset of users (active ones only)."""
    return notify(users_qs.filter(is_active=True), **kwargs)


def _queue_deliveries(messages: list[Message], topic: str) -> None:
    if not messages or not (settings.NOTIFY_EMAIL or settings.NOTIFY_WEBHOOKS):
        return
    wanted = {
        pref.user_id: pref
        for pref in NotificationPreference.objects.filter(
            user_id__in=[m.recipient_id for m in messages], topic=topic
        )
    }
    deliveries = []
    for message in messages:
        pref = wanted.get(message.recipient_id)
        if pref is None:
            continue
        user = message.recipient
        if pref.by_email and settings.NOTIFY_EMAIL and user.email:
            deliveries.append(Delivery(message=message, channel="email", target=user.email))
        office = webhook_office(user)
        if pref.by_webhook and office:
            deliveries.append(Delivery(message=message, channel="webhook", target=office))
    if not deliveries:
        return
    Delivery.objects.bulk_create(deliveries)
    ids = [d.pk for d in deliveries]

    def enqueue():
        from estates.outbox import publish
        from estates.tasks import send_delivery

        for pk in ids:
            publish(send_delivery, pk)  # the broker is sick: the delivery sweep sends it

    transaction.on_commit(enqueue)


def webhook_office(user: User) -> str:
    """The short name of the street office whose group robot reaches ``user``, or ""."""
    office = user.street_office or (user.community.street_office if user.community_id else None)
    if office is not None and office.short_name in settings.NOTIFY_WEBHOOKS:
        return office.short_name
    return ""


def deliver(delivery_id: int) -> str:
    """Send one due delivery, at most once: the row is locked and its state checked, so a
    retried task or a sweep racing the task sends it a single time. Returns its status."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("message__recipient")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != Delivery.Status.PENDING:
            return delivery.status if delivery else ""
        if delivery.next_attempt_at > timezone.now():
            return delivery.status
        # Claim it for the time of one attempt, so a parallel sweep leaves it alone.
        delivery.attempts += 1
        delivery.next_attempt_at = timezone.now() + timedelta(
            minutes=BACKOFF_MINUTES[min(delivery.attempts, len(BACKOFF_MINUTES)) - 1]
        )
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    try:
        _send(delivery)
    except Exception as exc:
        failed = delivery.attempts >= Delivery.MAX_ATTEMPTS
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED if failed else Delivery.Status.PENDING,
            last_error=f"{type(exc).__name__}: {exc}"[:300],
        )
        logger.warning("外部提醒 %s 发送失败（第 %s 次）：%s", delivery.pk, delivery.attempts, exc)
        return Delivery.Status.FAILED if failed else Delivery.Status.PENDING
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return Delivery.Status.SENT


def due_delivery_ids(limit: int = 500) -> list[int]:
    return list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def _text(message: Message) -> str:
    recipient = message.recipient
    lines = [f"【{message.get_kind_display()}】{message.title}", f"接收人：{recipient}"]
    if message.body:
        lines.append(message.body)
    return "\n".join(lines)


def _send(delivery: Delivery) -> None:
    message = delivery.message
    if delivery.channel == Delivery.Channel.EMAIL:
        send_mail(
            subject=f"[整治改造平台] {message.title}",
            message=_text(message),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[delivery.target],
        )
        return
    url = settings.NOTIFY_WEBHOOKS.get(delivery.target)
    if not url:
        raise RuntimeError(f"{delivery.target} 未配置工作群机器人地址")
    payload = json.dumps({"msgtype": "text", "text": {"content": _text(message)}}).encode()
    request = urllib.request.Request(
        url, data=payload, headers={"Content-Type": "application/json"}, method="POST"
    )
    # A bounded timeout: a robot that hangs costs one worker this long, never a request.
    with urllib.request.urlopen(request, timeout=settings.NOTIFY_WEBHOOK_TIMEOUT) as response:
        if response.status >= 300:
            raise RuntimeError(f"机器人返回 HTTP {response.status}")


# --- reminders ------------------------------------------------------------------------------
# Reminders before and after deadlines come from the apps' ``reminders`` modules: each has
# ``due(now)`` yielding ``Reminder`` values for what is due at ``now`` (a patrol not filed by
# the set hour, a hazard's rectification deadline, the Tuesday report, an action item). The
# run writes them as keyed messages, so running it twice, or a retry after a crash, sends
# each reminder once.
@dataclass(frozen=True)
class Reminder:
    recipients: list = field(hash=False)
    topic: str
    kind: str
    title: str
    key: str
    body: str = ""
    link: str = ""


def send_due(now: datetime) -> int:
    sent = 0
    for module in app_modules("reminders"):
        for reminder in module.due(now):
            with transaction.atomic():
                sent += len(
                    notify(
                        reminder.recipients,
                        topic=reminder.topic,
                        kind=reminder.kind,
                        title=reminder.title,
                        body=reminder.body,
                        link=reminder.link,
                        key=reminder.key,
                    )
                )
    return sent
