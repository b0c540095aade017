"""Existing data before completion acceptance forms: a compound whose every applicable
works item was already accepted (by the former "验收" button) gets a passed acceptance
record marked ``migrated``, so "accepted" keeps meaning "HQ passed its form". Items
accepted one by one in a compound not yet wholly accepted go back to completed: the
compound now closes through a form. Both are audited (actor: none, the migration)."""

from django.db import migrations
from django.db.models import Count, Q
from django.utils import timezone

NOTE = "启用竣工验收单前已验收（数据迁移补记）"


def forwards(apps, schema_editor):
    Estate = apps.get_model("estates", "Estate")
    AuditEvent = apps.get_model("estates", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Item = apps.get_model("works", "EstateWorksItem")
    TenderPackageItem = apps.get_model("works", "TenderPackageItem")
    Form = apps.get_model("works", "AcceptanceForm")
    Round = apps.get_model("works", "AcceptanceRound")
    Row = apps.get_model("works", "AcceptanceItem")
    Change = apps.get_model("works", "AcceptanceStatusChange")
    form_type, _ = ContentType.objects.get_or_create(app_label="works", model="acceptanceform")
    item_type, _ = ContentType.objects.get_or_create(app_label="works", model="estateworksitem")
    now = timezone.now()
    applicable = Q(works_items__applicable=True)
    estates = Estate.objects.annotate(
        n=Count("works_items", filter=applicable),
        accepted=Count("works_items", filter=applicable & Q(works_items__status="accepted")),
    ).filter(accepted__gt=0)
    for estate in estates.iterator():
        items = list(
            Item.objects.filter(estate=estate, applicable=True)
            .select_related("works_item")
            .order_by("works_item__number")
        )
        if estate.accepted < estate.n:
            for item in items:
                if item.status != "accepted":
                    continue
                item.status = "completed"
                item.save(update_fields=["status"])
                AuditEvent.objects.create(
                    content_type=item_type,
                    object_id=item.pk,
                    action="transition",
                    at=now,
                    summary="验收改由竣工验收单办理：该小区尚未整体验收，恢复为已完工",
                    changes={"status": {"label": "状态", "old": "已验收", "new": "已完工"}},
                )
            continue
        if Form.objects.filter(estate=estate).exists():
            continue
        form = Form.objects.create(
            estate=estate,
            status="passed",
            round_number=1,
            opened_at=now,
            status_changed_at=now,
            passed_at=now,
            migrated=True,
        )
        round_ = Round.objects.create(
            form=form,
            number=1,
            created_at=now,
            submitted_at=now,
            outcome="passed",
            decided_at=now,
            hq_conclusion=NOTE,
            takeover_opinion=NOTE,
        )
        companies = {
            pi.works_item_id: pi
            for pi in TenderPackageItem.objects.filter(
                works_item__estate=estate, is_active=True, package__contract__isnull=False
            ).select_related("package__contract__contractor", "package__contract__supervisor")
        }
        Row.objects.bulk_create(
            Row(
                round=round_,
                works_item=item,
                number=item.works_item.number,
                name=item.works_item.name,
                planned_quantity=item.quantity,
                done_quantity=item.quantity,
                unit=item.unit,
                contractor_name=(
                    companies[item.pk].package.contract.contractor.name
                    if item.pk in companies
                    else ""
                ),
                supervisor_name=(
                    companies[item.pk].package.contract.supervisor.name
                    if item.pk in companies
                    else ""
                ),
                result="pass",
                note=NOTE,
            )
            for item in items
        )
        Change.objects.create(form=form, round_number=1, status="passed", at=now)
        AuditEvent.objects.create(
            content_type=form_type,
            object_id=form.pk,
            action="create",
            at=now,
            summary=f"数据迁移：{estate.name}已验收，补记验收通过记录",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("estates", "0002_works_items_and_district"),
        ("works", "0004_acceptance_forms"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
