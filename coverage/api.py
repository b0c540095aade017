"""REST API of long-term management, scoped exactly as the pages are. Writes go through
``coverage.services``; nothing is updated in place or deleted through the API."""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from coverage import services
from coverage.filtersets import ArrangementFilterSet, AssessmentFilterSet, ReinspectionFilterSet
from coverage.models import (
    TARGET_ITEM_CHOICES,
    ManagementArrangement,
    Reinspection,
    ServiceAssessment,
)
from estates.api_base import ScopedPrimaryKeyRelatedField, ScopedReadOnlyViewSet
from estates.models import Estate
from works.models import Company


class ArrangementSerializer(serializers.ModelSerializer):
    estate = ScopedPrimaryKeyRelatedField(queryset=Estate.objects.all(), label="小区")
    street_office = serializers.IntegerField(
        source="estate.community.street_office_id", read_only=True, label="街道办事处"
    )
    company = serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.filter(role=Company.Role.PROPERTY_MANAGER),
        allow_null=True,
        required=False,
        label="物业服务企业",
    )
    provider = serializers.CharField(source="provider_label", read_only=True, label="管理单位")
    in_force = serializers.SerializerMethodField(label="今日有效")

    class Meta:
        model = ManagementArrangement
        fields = [
            "id",
            "estate",
            "street_office",
            *services.ARRANGEMENT_FIELDS,
            "provider",
            "expires_on",
            "ended_on",
            "end_reason",
            "in_force",
            "created_at",
        ]
        read_only_fields = ["expires_on", "ended_on", "end_reason", "created_at"]
        # Checked by the model's full_clean in the service, once for pages and API.
        validators = []

    def get_in_force(self, obj) -> bool:
        return obj.in_force_on(timezone.localdate())

    def create(self, validated_data):
        estate = validated_data.pop("estate")
        return services.record_arrangement(
            estate, actor=self.context["request"].user, values=validated_data
        )


class EndArrangementSerializer(serializers.Serializer):
    ended_on = serializers.DateField(label="终止日期")
    reason = serializers.CharField(max_length=200, label="终止原因")


class ArrangementViewSet(ScopedReadOnlyViewSet):
    """Management arrangements. POST records a new one (the open one ends the day
    before); POST ``{id}/end/`` ends one without a successor."""

    queryset = ManagementArrangement.objects.with_related()
    serializer_class = ArrangementSerializer
    filterset_class = ArrangementFilterSet
    ordering_fields = ["start_date", "expires_on"]

    def get_serializer_class(self):
        return EndArrangementSerializer if self.action == "end" else ArrangementSerializer

    def can_write(self, user, obj=None):
        return services.can_record_arrangement(user, obj.estate if obj else None)

    def create(self, request, *args, **kwargs):
        serializer = ArrangementSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EndArrangementSerializer, responses=ArrangementSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        arrangement = self.get_object()
        serializer = EndArrangementSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        arrangement = services.end_arrangement(
            arrangement,
            actor=request.user,
            ended_on=serializer.validated_data["ended_on"],
            reason=serializer.validated_data["reason"],
        )
        return Response(ArrangementSerializer(arrangement, context={"request": request}).data)


class AssessmentSerializer(serializers.ModelSerializer):
    estate = ScopedPrimaryKeyRelatedField(queryset=Estate.objects.all(), label="小区")
    street_office = serializers.IntegerField(
        source="estate.community.street_office_id", read_only=True, label="街道办事处"
    )
    item = serializers.ChoiceField(choices=TARGET_ITEM_CHOICES, label="目标项")
    photo = serializers.FileField(write_only=True, required=False, label="照片")
    photo_url = serializers.SerializerMethodField(label="照片地址")
    assessed_by = serializers.StringRelatedField(read_only=True)
    verified_by = serializers.StringRelatedField(read_only=True)
    counts = serializers.SerializerMethodField(label="计入当前目标")

    class Meta:
        model = ServiceAssessment
        fields = [
            "id",
            "estate",
            "street_office",
            "item",
            "met",
            "note",
            "photo",
            "photo_url",
            "assessed_by",
            "assessed_at",
            "verification",
            "verified_by",
            "verified_at",
            "verification_note",
            "counts",
        ]
        read_only_fields = [
            "assessed_at",
            "verification",
            "verified_at",
            "verification_note",
        ]
        validators = []

    def get_photo_url(self, obj) -> str | None:
        return reverse("coverage:photo", args=[obj.pk]) if obj.photo else None

    def get_counts(self, obj) -> bool:
        return obj.item in obj.estate.target_items

    def create(self, validated_data):
        return services.assess_item(
            validated_data["estate"],
            actor=self.context["request"].user,
            item=validated_data["item"],
            met=validated_data["met"],
            note=validated_data.get("note", ""),
            photo=validated_data.get("photo"),
        )


class VerifySerializer(serializers.Serializer):
    verified = serializers.BooleanField(label="核验通过")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, label="核验意见")


class AssessmentViewSet(ScopedReadOnlyViewSet):
    """Service-target assessments. POST assesses an item (creates or re-assesses it,
    back to pending); POST ``{id}/verify/`` is HQ's verification."""

    queryset = ServiceAssessment.objects.with_related()
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilterSet

    def get_serializer_class(self):
        return VerifySerializer if self.action == "verify" else AssessmentSerializer

    def can_write(self, user, obj=None):
        if self.action == "verify":
            return services.can_verify(user)
        return services.can_assess(user, obj.estate if obj else None)

    def create(self, request, *args, **kwargs):
        serializer = AssessmentSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VerifySerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        assessment = self.get_object()
        serializer = VerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = services.verify_assessment(
            assessment,
            actor=request.user,
            verified=serializer.validated_data["verified"],
            note=serializer.validated_data.get("note", ""),
        )
        return Response(AssessmentSerializer(assessment, context={"request": request}).data)


class ReinspectionSerializer(serializers.ModelSerializer):
    estate = ScopedPrimaryKeyRelatedField(queryset=Estate.objects.all(), label="小区")
    street_office = serializers.IntegerField(
        source="estate.community.street_office_id", read_only=True, label="街道办事处"
    )
    inspected_on = serializers.DateField(label="检查日期")
    # Checked against the compound's own target by the service (with a clearer message
    # than a generic choice error).
    relapsed_items = serializers.ListField(
        child=serializers.CharField(max_length=10),
        required=False,
        label="不再达到的目标项",
    )
    next_due_on = serializers.DateField(write_only=True, required=False, label="下次回头看日期")
    inspected_by = serializers.StringRelatedField(read_only=True)
    follow_up_by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = Reinspection
        fields = [
            "id",
            "estate",
            "street_office",
            "due_on",
            "status",
            "inspected_on",
            "inspected_by",
            "findings",
            "relapsed_items",
            "next_due_on",
            "follow_up_note",
            "follow_up_on",
            "follow_up_by",
        ]
        read_only_fields = ["due_on", "status", "follow_up_note", "follow_up_on"]
        validators = []

    def create(self, validated_data):
        return services.record_reinspection(
            validated_data["estate"],
            actor=self.context["request"].user,
            inspected_on=validated_data["inspected_on"],
            findings=validated_data.get("findings", ""),
            relapsed_items=validated_data.get("relapsed_items", []),
            next_due_on=validated_data.get("next_due_on"),
        )


class FollowUpSerializer(serializers.Serializer):
    done_on = serializers.DateField(label="整改完成日期")
    note = serializers.CharField(label="整改情况", max_length=1000)


class ReinspectionViewSet(ScopedReadOnlyViewSet):
    """Re-inspections (回头看). POST records one (HQ staff, inspectors) on the compound's
    due one and schedules the next; POST ``{id}/follow-up/`` is the street office's
    follow-up of a relapse."""

    queryset = Reinspection.objects.with_related()
    serializer_class = ReinspectionSerializer
    filterset_class = ReinspectionFilterSet
    ordering_fields = ["due_on", "inspected_on"]

    def get_serializer_class(self):
        return FollowUpSerializer if self.action == "follow_up" else ReinspectionSerializer

    def can_write(self, user, obj=None):
        if self.action == "follow_up":
            return services.can_follow_up(user, obj)
        return services.can_record_reinspection(user)

    def create(self, request, *args, **kwargs):
        serializer = ReinspectionSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FollowUpSerializer, responses=ReinspectionSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        reinspection = self.get_object()
        serializer = FollowUpSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reinspection = services.record_follow_up(
            reinspection,
            actor=request.user,
            note=serializer.validated_data["note"],
            done_on=serializer.validated_data["done_on"],
        )
        return Response(ReinspectionSerializer(reinspection, context={"request": request}).data)


def register(router):
    router.register(
        "management-arrangements", ArrangementViewSet, basename="management-arrangement"
    )
    router.register("service-assessments", AssessmentViewSet, basename="service-assessment")
    router.register("reinspections", ReinspectionViewSet, basename="reinspection")
