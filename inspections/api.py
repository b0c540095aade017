"""REST API of patrols, hazards, quality inspections and the missed-patrol register.

Scoped exactly as the pages: outside scope → 404, a forbidden write → 403, a refused
move → 400 with the service's message. Hazard and quality moves are explicit actions."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from estates.api_base import (
    ScopedModelViewSet,
    ScopedPrimaryKeyRelatedField,
    ScopedReadOnlyViewSet,
    django_errors_to_drf,
)
from estates.models import Estate
from estates.pagination import UncountedPageNumberPagination
from inspections import services
from inspections.filtersets import (
    HazardFilterSet,
    MissedPatrolFilterSet,
    PatrolRecordFilterSet,
    QualityInspectionFilterSet,
)
from inspections.models import (
    CHECKLIST_FIELDS,
    Hazard,
    MissedPatrol,
    PatrolAmendment,
    PatrolRecord,
    Photo,
    QualityInspection,
    QualityRequirement,
)
from inspections.serializers import PatrolFiledSerializer, PatrolFilingSerializer
from works.models import Company, EstateWorksItem


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["public_id", "kind", "width", "height", "uploaded_at", "url"]

    def get_url(self, photo) -> str:
        return reverse("inspections:photo", args=[photo.public_id])


class PatrolAmendmentSerializer(serializers.ModelSerializer):
    amended_by = serializers.StringRelatedField()

    class Meta:
        model = PatrolAmendment
        fields = ["id", "reason", "changes", "amended_by", "amended_at"]


class PatrolRecordSerializer(serializers.ModelSerializer):
    estate = ScopedPrimaryKeyRelatedField(queryset=Estate.objects.all(), label="小区")
    filed_by = serializers.StringRelatedField()
    photos = PhotoSerializer(many=True, read_only=True)
    amendments = PatrolAmendmentSerializer(many=True, read_only=True)
    hazard_ids = serializers.PrimaryKeyRelatedField(source="hazards", many=True, read_only=True)
    time = serializers.TimeField(required=False, label="巡查时间")

    class Meta:
        model = PatrolRecord
        fields = [
            "id",
            "estate",
            "street_office",
            "date",
            "time",
            "patrollers",
            "contractor_staff",
            *CHECKLIST_FIELDS,
            "findings",
            "filed_by",
            "filed_at",
            "photos",
            "amendments",
            "hazard_ids",
        ]
        read_only_fields = ["street_office", "date", "filed_at"]
        validators = []  # the one-per-day rule is the service's (and the database's)


class AmendSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, label="更正原因")
    time = serializers.TimeField(required=False)
    patrollers = serializers.CharField(max_length=100, required=False)
    contractor_staff = serializers.CharField(max_length=100, required=False, allow_blank=True)
    findings = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def get_fields(self):
        fields = super().get_fields()
        for name in CHECKLIST_FIELDS:
            fields[name] = serializers.ChoiceField(
                choices=PatrolRecord._meta.get_field(name).choices, required=False
            )
        return fields


class PatrolRecordViewSet(ScopedModelViewSet):
    """Patrol records: list, read, file (POST), and correct by ``amend``; never edited."""

    queryset = (
        PatrolRecord.objects.with_related()
        .prefetch_related("photos", "amendments__amended_by", "hazards")
        .order_by("-date", "id")
    )
    serializer_class = PatrolRecordSerializer
    filterset_class = PatrolRecordFilterSet
    # Millions of records at a province: COUNT(*) cost more than the page (0.18 s of
    # 0.29 s for HQ at 4.4 million); pages link next/previous without a total.
    pagination_class = UncountedPageNumberPagination
    http_method_names = ["get", "post", "head", "options"]
    ordering_fields = ["date", "filed_at"]

    def can_write(self, user, obj=None):
        if obj is None:
            return services.can_file_patrol(user)
        return services.can_amend_patrol(user, obj)

    @extend_schema(
        request=PatrolFilingSerializer,
        responses={
            201: PatrolFiledSerializer,
            409: inline_serializer(
                "DuplicatePatrol",
                {
                    "estate": serializers.ListField(child=serializers.CharField()),
                    "existing": serializers.IntegerField(),
                    "existing_url": serializers.CharField(),
                },
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        """File today's patrol: the request parsed by ``PatrolFilingSerializer`` (which
        reads the compound, once), ``services.file_patrol``, and the lean answer built
        from what was written (``PatrolFiledSerializer``)."""
        filing = PatrolFilingSerializer(data=request.data, context={"request": request})
        filing.is_valid(raise_exception=True)
        try:
            record = filing.save()
        except services.DuplicatePatrol as exc:
            return Response(
                {
                    "estate": exc.message_dict["estate"],
                    "existing": exc.existing.pk,
                    "existing_url": services.patrol_url(exc.existing.pk),
                },
                status=status.HTTP_409_CONFLICT,
            )
        answer = PatrolFiledSerializer(record).data
        return Response(
            answer, status=status.HTTP_201_CREATED, headers={"Location": answer["api_url"]}
        )

    @extend_schema(request=AmendSerializer, responses={201: PatrolAmendmentSerializer})
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        record = self.get_object()
        serializer = AmendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        amendment = services.amend_patrol(
            record, actor=request.user, reason=data.pop("reason"), values=data
        )
        return Response(PatrolAmendmentSerializer(amendment).data, status=status.HTTP_201_CREATED)


class HazardSerializer(serializers.ModelSerializer):
    patrol = ScopedPrimaryKeyRelatedField(queryset=PatrolRecord.objects.all(), label="巡查记录")
    estate = serializers.PrimaryKeyRelatedField(read_only=True)
    contractor = serializers.PrimaryKeyRelatedField(read_only=True)
    reported_by = serializers.StringRelatedField()
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Hazard
        fields = [
            "id",
            "estate",
            "street_office",
            "patrol",
            "category",
            "severity",
            "description",
            "location",
            "status",
            "deadline",
            "overdue",
            "reported_by",
            "reported_at",
            "contractor",
            "notified_person",
            "notified_via",
            "notified_at",
            "rectification_note",
            "rectified_at",
            "reinspection_note",
            "reinspection_failures",
            "verified_at",
            "closed_at",
            "photos",
        ]
        read_only_fields = [
            f
            for f in fields
            if f not in ("patrol", "category", "severity", "description", "location", "deadline")
        ]

    def create(self, validated_data):
        patrol = validated_data.pop("patrol")
        return services.report_hazard(
            actor=self.context["request"].user, patrol=patrol, values=validated_data
        )


class NotifySerializer(serializers.Serializer):
    contractor = serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.filter(role=Company.Role.CONTRACTOR, is_active=True),
        label="告知施工单位",
    )
    notified_person = serializers.CharField(max_length=30, label="被告知人")
    notified_via = serializers.ChoiceField(choices=Hazard.NotifiedVia.choices, label="告知方式")
    notified_at = serializers.DateTimeField(required=False, allow_null=True, label="告知时间")
    deadline = serializers.DateField(label="整改期限")


class RectifySerializer(serializers.Serializer):
    rectification_note = serializers.CharField(label="整改情况", max_length=1000)
    photos = serializers.ListField(child=serializers.FileField(), label="整改后照片")


class RecheckSerializer(serializers.Serializer):
    passed = serializers.BooleanField(label="复查合格")
    note = serializers.CharField(label="复查意见", max_length=1000)
    new_deadline = serializers.DateField(required=False, allow_null=True, label="新的整改期限")


class _ActionsMixin:
    def _run(self, call):
        try:
            call()
        except DjangoValidationError as exc:
            raise django_errors_to_drf(exc) from None
        obj = self.get_queryset().get(pk=self.kwargs["pk"])
        return Response(self.get_serializer(obj).data)


class ConfirmSerializer(serializers.Serializer):
    note = serializers.CharField(label="监理确认意见", max_length=1000)


class HazardViewSet(_ActionsMixin, ScopedModelViewSet):
    """Hazards: report on a patrol (POST), then move by ``notify``, ``rectify``,
    ``reinspect`` and ``close``; each refused with a 400 when not legal now."""

    queryset = (
        Hazard.objects.with_related().prefetch_related("photos").select_related("reported_by")
    )
    serializer_class = HazardSerializer
    filterset_class = HazardFilterSet
    http_method_names = ["get", "post", "head", "options"]
    ordering_fields = ["reported_at", "deadline"]

    def can_write(self, user, obj=None):
        if obj is None:
            return services.can_report_hazard(user)
        return services.can_move_hazard(user, obj, self.action)

    def _action(self, request, serializer_class, call):
        hazard = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._run(lambda: call(hazard, dict(serializer.validated_data)))

    @extend_schema(request=NotifySerializer, responses=HazardSerializer)
    @action(detail=True, methods=["post"])
    def notify(self, request, pk=None):
        return self._action(
            request,
            NotifySerializer,
            lambda h, d: services.notify_hazard(h, actor=request.user, **d),
        )

    @extend_schema(request=RectifySerializer, responses=HazardSerializer)
    @action(detail=True, methods=["post"])
    def rectify(self, request, pk=None):
        return self._action(
            request,
            RectifySerializer,
            lambda h, d: services.record_rectification(
                h, actor=request.user, note=d["rectification_note"], photos=d["photos"]
            ),
        )

    @extend_schema(request=RecheckSerializer, responses=HazardSerializer)
    @action(detail=True, methods=["post"])
    def reinspect(self, request, pk=None):
        return self._action(
            request,
            RecheckSerializer,
            lambda h, d: services.reinspect_hazard(h, actor=request.user, **d),
        )

    @extend_schema(request=ConfirmSerializer, responses=HazardSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """A supervision engineer confirms the rectification before the re-inspection."""
        return self._action(
            request,
            ConfirmSerializer,
            lambda h, d: services.confirm_rectification(h, actor=request.user, note=d["note"]),
        )

    @extend_schema(request=None, responses=HazardSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        hazard = self.get_object()
        return self._run(lambda: services.close_hazard(hazard, actor=request.user))


class QualityRequirementSerializer(serializers.ModelSerializer):
    class Meta:
        model = QualityRequirement
        fields = ["description", "deadline"]


class QualityInspectionSerializer(serializers.ModelSerializer):
    estate = ScopedPrimaryKeyRelatedField(queryset=Estate.objects.all(), label="小区")
    works_item = ScopedPrimaryKeyRelatedField(
        queryset=EstateWorksItem.objects.all(), required=False, allow_null=True, label="工程项目"
    )
    contractor = serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.filter(role=Company.Role.CONTRACTOR),
        required=False,
        allow_null=True,
        label="施工单位",
    )
    inspector = serializers.StringRelatedField()
    requirements = QualityRequirementSerializer(many=True, required=False)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = QualityInspection
        fields = [
            "id",
            "estate",
            "street_office",
            "works_item",
            "inspected_on",
            "inspector",
            "contractor",
            "findings",
            "rating",
            "status",
            "deadline",
            "overdue",
            "requirements",
            "response_note",
            "responded_at",
            "recheck_note",
            "recheck_failures",
            "closed_at",
            "photos",
        ]
        read_only_fields = [
            "street_office",
            "status",
            "deadline",
            "response_note",
            "responded_at",
            "recheck_note",
            "recheck_failures",
            "closed_at",
        ]
        extra_kwargs = {"inspected_on": {"required": False}}

    def create(self, validated_data):
        estate = validated_data.pop("estate")
        requirements = [
            (r["description"], r["deadline"]) for r in validated_data.pop("requirements", [])
        ]
        return services.record_quality_inspection(
            actor=self.context["request"].user,
            estate=estate,
            values=validated_data,
            requirements=requirements,
        )


class RespondSerializer(serializers.Serializer):
    response_note = serializers.CharField(label="整改回复", max_length=1000)


class QualityInspectionViewSet(_ActionsMixin, ScopedModelViewSet):
    """HQ quality inspections: record (POST), ``respond`` (street office), ``recheck`` (HQ)."""

    queryset = QualityInspection.objects.with_related().prefetch_related("requirements", "photos")
    serializer_class = QualityInspectionSerializer
    filterset_class = QualityInspectionFilterSet
    http_method_names = ["get", "post", "head", "options"]
    ordering_fields = ["inspected_on", "deadline"]

    def can_write(self, user, obj=None):
        if obj is None:
            return services.can_inspect_quality(user)
        if self.action == "respond":
            return services.can_respond_quality(user, obj)
        return services.can_recheck_quality(user, obj)

    @extend_schema(request=RespondSerializer, responses=QualityInspectionSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        inspection = self.get_object()
        serializer = RespondSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = serializer.validated_data["response_note"]
        return self._run(
            lambda: services.respond_quality(inspection, actor=request.user, note=note)
        )

    @extend_schema(request=RecheckSerializer, responses=QualityInspectionSerializer)
    @action(detail=True, methods=["post"])
    def recheck(self, request, pk=None):
        inspection = self.get_object()
        serializer = RecheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        return self._run(lambda: services.recheck_quality(inspection, actor=request.user, **data))


class MissedPatrolSerializer(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    street_office_name = serializers.CharField(source="street_office.short_name", read_only=True)

    class Meta:
        model = MissedPatrol
        fields = [
            "id",
            "date",
            "estate",
            "estate_name",
            "street_office",
            "street_office_name",
            "recorded_at",
        ]


class MissedPatrolViewSet(ScopedReadOnlyViewSet):
    queryset = MissedPatrol.objects.select_related("estate", "street_office")
    serializer_class = MissedPatrolSerializer
    pagination_class = UncountedPageNumberPagination  # 800,000 entries at a province
    filterset_class = MissedPatrolFilterSet
    ordering_fields = ["date"]


def register(router):
    router.register("patrols", PatrolRecordViewSet, basename="patrol")
    router.register("hazards", HazardViewSet, basename="hazard")
    router.register("quality-inspections", QualityInspectionViewSet, basename="quality-inspection")
    router.register("missed-patrols", MissedPatrolViewSet, basename="missed-patrol")
