"""The API's patrol filing: the request a phone sends and the answer it gets back.

Filing is the one write every clerk makes every day, so its serializers do only what
the filing needs: the request's fields are parsed (types, lengths, choices) and the
compound is read once, scoped, with what the service checks (``services.for_filing``);
the model's own rules run once, in the service's ``full_clean``. The answer is built
from what was just written, without reading the record, its photos or hazards back."""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from estates.api_base import ScopedPrimaryKeyRelatedField
from estates.models import Estate
from inspections import services
from inspections.models import CHECKLIST_FIELDS, CheckResult, Hazard, PatrolRecord


class FilingEstateField(ScopedPrimaryKeyRelatedField):
    """The compound filed for, read in the caller's scope as the filing reads it (one
    query: ``services.for_filing``); outside the scope it "does not exist"."""

    def get_queryset(self):
        self.queryset = services.for_filing(timezone.localdate())
        return super().get_queryset()  # scoped


class NestedHazardSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Hazard.Category.choices, label="类别")
    severity = serializers.ChoiceField(
        choices=Hazard.Severity.choices, default=Hazard.Severity.GENERAL, label="等级"
    )
    description = serializers.CharField(label="隐患描述", max_length=1000)
    location = serializers.CharField(max_length=100, label="具体位置")
    deadline = serializers.DateField(required=False, allow_null=True, label="整改期限")


def _label(name):
    return str(PatrolRecord._meta.get_field(name).verbose_name)


#: The checklist's items as request fields, each defaulting to the model's 合格 when left
#: out (declared once, like any field, rather than built again for every request).
ChecklistFields = type(
    "ChecklistFields",
    (serializers.Serializer,),
    {
        name: serializers.ChoiceField(
            choices=CheckResult.choices, required=False, label=_label(name)
        )
        for name in CHECKLIST_FIELDS
    },
)


class PatrolFilingSerializer(ChecklistFields):
    """What a phone sends to file today's patrol (``POST /api/patrols/``): the record's
    values and checklist, the hazards found and photos."""

    estate = FilingEstateField(queryset=Estate.objects.all(), label="小区")  # see get_queryset
    time = serializers.TimeField(required=False, label="巡查时间")
    patrollers = serializers.CharField(max_length=100, label=_label("patrollers"))
    contractor_staff = serializers.CharField(
        max_length=100, required=False, allow_blank=True, label=_label("contractor_staff")
    )
    findings = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, label=_label("findings")
    )
    hazards = NestedHazardSerializer(many=True, required=False)
    photo_files = serializers.ListField(
        child=serializers.FileField(), required=False, label="现场照片（multipart 上传）"
    )

    def create(self, validated_data):
        values = dict(validated_data)
        estate = values.pop("estate")
        hazards = values.pop("hazards", [])
        photos = values.pop("photo_files", [])
        return services.file_patrol(
            actor=self.context["request"].user,
            estate=estate,
            values=values,
            photos=photos,
            hazards=hazards,
        )


class PatrolFiledSerializer(serializers.Serializer):
    """The answer to a filing: the record's id, when it was filed, where to read it (the
    page and the API), and the photos and hazards stored with it, from what the filing
    wrote (``file_patrol``'s ``new_photos`` and ``new_hazards``)."""

    id = serializers.IntegerField(read_only=True)
    estate = serializers.IntegerField(source="estate_id", read_only=True)
    date = serializers.DateField(read_only=True)
    time = serializers.TimeField(read_only=True)
    filed_at = serializers.DateTimeField(read_only=True)
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    hazard_ids = serializers.SerializerMethodField()

    def get_url(self, record) -> str:
        return services.patrol_url(record.pk)

    def get_api_url(self, record) -> str:
        return reverse("patrol-detail", args=[record.pk])

    @extend_schema_field(
        inline_serializer(
            "FiledPhoto",
            {"public_id": serializers.UUIDField(), "url": serializers.CharField()},
            many=True,
        )
    )
    def get_photos(self, record):
        # Plain values, not a nested serializer: one is built for every answer.
        return [
            {
                "public_id": str(photo.public_id),
                "url": reverse("inspections:photo", args=[photo.public_id]),
            }
            for photo in record.new_photos
        ]

    def get_hazard_ids(self, record) -> list[int]:
        return [hazard.pk for hazard in record.new_hazards]
