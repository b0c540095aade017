"""This app's part of 我的待办: works scopes to approve (HQ) and to finish and submit (the
street office), by the rules ``can_approve_scope`` and ``can_submit_scope``; acceptance
forms to sign (``acceptance.signature_slot``: the street office's and the community's
leads), to inspect (``acceptance.can_decide``) and to rectify (``acceptance.can_prepare``)."""

from django.db.models import Exists, F, OuterRef
from django.urls import reverse

from estates.tasklist import Source
from works import acceptance, services
from works.models import AcceptanceForm, AcceptanceSignature, EstateScope


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
    yield from _acceptance_sources(user)


def _form(obj):
    return (
        f"{obj.estate.name} · 竣工验收单（第 {obj.round_number} 轮）",
        obj.get_status_display(),
        reverse("works:acceptance", args=[obj.pk]),
    )


def _acceptance_sources(user):
    forms = (
        AcceptanceForm.objects.visible_to(user)
        .select_related("estate__community")
        .annotate(todo_since=F("status_changed_at"))
    )
    Status = AcceptanceForm.Status
    # signature_slot(user, estate) holds exactly for a street lead on their street office's
    # compounds and a community lead on their community's: what visible_to leaves them.
    slot = {
        AcceptanceSignature.Slot.STREET: user.is_street_staff,
        AcceptanceSignature.Slot.COMMUNITY: user.is_community_lead,
    }
    if slot.get(user.role):
        signed = AcceptanceSignature.objects.filter(
            round__form=OuterRef("pk"),
            round__number=OuterRef("round_number"),
            slot=user.role,
            voided_at__isnull=True,
        )
        yield Source(
            "acceptance-sign",
            "竣工验收单待签字",
            forms.filter(status=Status.AWAITING_SIGNATURES).filter(~Exists(signed)),
            "todo_since",
            _form,
            reverse("works:acceptances"),
        )
    if acceptance.can_decide(user):
        yield Source(
            "acceptance-decide",
            "竣工验收单待检查验收",
            forms.filter(status=Status.SUBMITTED),
            "todo_since",
            _form,
            reverse("works:acceptances") + f"?status={Status.SUBMITTED}",
        )
    if user.is_street_staff:
        # can_prepare(user, estate) is the compound's own street office: visible_to again.
        yield Source(
            "acceptance-rectify",
            "验收整改待完成",
            forms.filter(status__in=(Status.FAILED, Status.RECTIFYING)),
            "todo_since",
            _form,
            reverse("works:acceptances"),
        )
