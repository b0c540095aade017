"""This app's part of 我的待办: works scopes to approve (HQ) and to finish and submit (the
street office), by the rules ``can_approve_scope`` and ``can_submit_scope``."""

from django.db.models import F
from django.urls import reverse

from estates.tasklist import Source
from works import services
from works.models import EstateScope


def _scope(obj):
    return (
        f"{obj.estate.name} · 工程量及预算",
        obj.estate.community.name,
        reverse("works:sheet", args=[obj.estate_id]),
    )


def sources(user, today):
    scopes = EstateScope.objects.visible_to(user).select_related("estate__community")
    if services.can_approve_scope(user):
        yield Source(
            "scope-approve",
            "工程量待审定",
            scopes.filter(status=EstateScope.Status.SUBMITTED).annotate(
                todo_since=F("submitted_at")
            ),
            "todo_since",
            _scope,
        )
    if user.is_street_staff:
        # can_submit_scope(user, estate) holds for every compound of the user's own street
        # office, which is exactly what visible_to leaves.
        yield Source(
            "scope-submit",
            "工程量待报送",
            scopes.filter(status=EstateScope.Status.DRAFT).annotate(
                todo_since=F("estate__created_at")
            ),
            "todo_since",
            _scope,
        )
