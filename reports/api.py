"""REST API of this app; ``register`` adds its viewsets to the project's router.

The Tuesday cycle: ``/api/weekly-reports/`` (submit, sign, receive, return, revise),
``/api/meetings/``, ``/api/action-items/`` (reply, close, send-back, reopen),
``/api/meeting-packs/`` (issue, status, download), scoped exactly as the pages.

``/api/dashboard/`` returns the dashboard's figures as JSON, read from the roll-up's
snapshots, each with its snapshot time and list URL, scoped to the caller: HQ the
district (or ``?unit=street_office-3``), a street office itself (or one of its
communities), a community lead their community. Another unit answers 404."""

from urllib.parse import quote

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from estates.api_base import ScopedModelViewSet, ScopedReadOnlyViewSet, django_errors_to_drf
from estates.models import StreetOffice
from estates.pdf import PDF_MIME
from estates.xlsx import XLSX_MIME
from reports import cycle, dashboard, services
from reports.filtersets import (
    ActionItemFilterSet,
    MeetingFilterSet,
    MeetingPackFilterSet,
    WeeklyReportFilterSet,
)
from reports.models import (
    BRIEF_MAX_CHARS,
    ActionItem,
    ActionItemReply,
    Meeting,
    MeetingPack,
    ReportPhoto,
    WeeklyReport,
)
from reports.units import unit_for


class DashboardViewSet(viewsets.ViewSet):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "unit",
                OpenApiTypes.STR,
                description="统计单位，如 district-1、street_office-3、community-7",
            )
        ],
        responses={
            200: OpenApiTypes.OBJECT,
            # A role without a dashboard (a company's people), or a unit outside the scope.
            404: OpenApiResponse(
                OpenApiTypes.OBJECT, description="没有可看的驾驶舱或统计单位不在管辖范围内"
            ),
        },
        summary="驾驶舱统计（快照）",
    )
    def list(self, request):
        if not request.user.role:
            raise Http404
        unit = unit_for(request.user, request.query_params.get("unit"))
        services.ensure_fresh(actor=request.user)
        board = dashboard.build(unit, timezone.localdate())
        return Response(dashboard.as_json(board))


class ReportPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ReportPhoto
        fields = ["public_id", "width", "height", "uploaded_at", "url"]

    def get_url(self, photo) -> str:
        return reverse("reports:photo", args=[photo.public_id])


def _run(call):
    try:
        return call()
    except DjangoValidationError as exc:
        raise django_errors_to_drf(exc) from None


class _ActionsMixin:
    def _respond(self, call, code=status.HTTP_200_OK):
        _run(call)
        obj = self.get_queryset().get(pk=self.kwargs["pk"])
        return Response(self.get_serializer(obj).data, status=code)


# --- weekly reports -------------------------------------------------------------------
class WeeklyReportSerializer(serializers.ModelSerializer):
    street_office = serializers.PrimaryKeyRelatedField(read_only=True)
    street_office_name = serializers.CharField(source="street_office.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    verdict = serializers.SerializerMethodField()
    late_by_minutes = serializers.SerializerMethodField()
    deadline = serializers.SerializerMethodField()
    photos = ReportPhotoSerializer(many=True, read_only=True)
    submitted_by = serializers.StringRelatedField()
    signed_by = serializers.StringRelatedField()
    received_by = serializers.StringRelatedField()

    class Meta:
        model = WeeklyReport
        fields = [
            "id", "street_office", "street_office_name", "week", "version", "is_current",
            "status", "status_label", "verdict", "late_by_minutes", "deadline",
            "progress", "problems", "next_plan", "coordination",
            "statistics", "statistics_sha256", "compiled_at",
            "submitted_by", "submitted_at", "first_submitted_at", "signed_by", "signed_at",
            "received_by", "received_at", "return_reason", "returned_at", "previous", "photos",
        ]  # fmt: skip
        read_only_fields = fields

    def _verdict(self, report):
        from django.utils import timezone

        return cycle.verdict(report, report.week, timezone.now())

    def get_verdict(self, report) -> str:
        return self._verdict(report).level

    def get_late_by_minutes(self, report) -> int | None:
        late = self._verdict(report).late_by
        return int(late.total_seconds() // 60) if late else None

    def get_deadline(self, report) -> str:
        return cycle.deadline_for(report.week).isoformat()


class WeeklyReportWriteSerializer(serializers.Serializer):
    week = serializers.DateField(label="例会日期（周二）")
    progress = serializers.CharField(max_length=BRIEF_MAX_CHARS, label="本周工作进展")
    problems = serializers.CharField(
        max_length=BRIEF_MAX_CHARS, required=False, allow_blank=True, label="存在问题"
    )
    next_plan = serializers.CharField(
        max_length=BRIEF_MAX_CHARS, required=False, allow_blank=True, label="下周工作计划"
    )
    coordination = serializers.CharField(
        max_length=BRIEF_MAX_CHARS, required=False, allow_blank=True, label="需指挥部协调事项"
    )
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=6, label="照片"
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, label="退回原因")


class WeeklyReportViewSet(_ActionsMixin, ScopedReadOnlyViewSet):
    """Weekly reports. ``POST`` writes the draft of the clerk's own street office for
    ``week`` (created or updated); then ``submit``, ``sign``, ``receive``, ``return``
    (with ``reason``) and ``revise`` (a new version of a returned report)."""

    queryset = WeeklyReport.objects.with_related().prefetch_related("photos")
    serializer_class = WeeklyReportSerializer
    filterset_class = WeeklyReportFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def can_write(self, user, obj=None):
        return True  # each move asks its service, which refuses with a 403

    def create(self, request):
        if not services.can_write_report(request.user):
            raise services.PermissionDenied("只有街道办事处工作人员可以填写周报")
        data = WeeklyReportWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        report = _run(
            lambda: services.save_report_draft(
                actor=request.user,
                street_office=request.user.street_office,
                week=values.pop("week"),
                values=values,
                photos=values.pop("photos", []),
            )
        )
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        report = self.get_object()
        return self._respond(lambda: services.submit_report(report, actor=request.user))

    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        report = self.get_object()
        return self._respond(lambda: services.sign_report(report, actor=request.user))

    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        report = self.get_object()
        return self._respond(lambda: services.receive_report(report, actor=request.user))

    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        report = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            lambda: services.return_report(
                report, actor=request.user, reason=data.validated_data["reason"]
            )
        )

    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        report = self.get_object()
        new = _run(lambda: services.revise_report(report, actor=request.user))
        return Response(self.get_serializer(new).data, status=status.HTTP_201_CREATED)


# --- meetings -------------------------------------------------------------------------
class MeetingSerializer(serializers.ModelSerializer):
    recorded_by = serializers.StringRelatedField(read_only=True)
    period = serializers.CharField(read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "date", "week", "period", "chair", "attendees", "minutes", "recorded_by"]
        read_only_fields = ["week", "recorded_by"]


class MeetingViewSet(ScopedModelViewSet):
    """Weekly meetings; HQ office records and corrects them."""

    queryset = Meeting.objects.select_related("recorded_by")
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def can_write(self, user, obj=None):
        return services.can_manage_cycle(user)

    def perform_create(self, serializer):
        serializer.instance = _run(
            lambda: services.record_meeting(
                actor=self.request.user, values=dict(serializer.validated_data)
            )
        )

    def perform_update(self, serializer):
        serializer.instance = _run(
            lambda: services.record_meeting(
                actor=self.request.user,
                values=dict(serializer.validated_data),
                meeting=serializer.instance,
            )
        )


# --- action items ---------------------------------------------------------------------
class ReplySerializer(serializers.ModelSerializer):
    replied_by = serializers.StringRelatedField()
    photos = ReportPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = ActionItemReply
        fields = ["id", "text", "replied_by", "replied_at", "outcome", "outcome_note", "photos"]


class ActionItemSerializer(serializers.ModelSerializer):
    meeting = serializers.PrimaryKeyRelatedField(queryset=Meeting.objects.all(), label="周例会")
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=StreetOffice.objects.all(), allow_null=True, required=False, label="责任单位"
    )
    assignee_name = serializers.CharField(read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    replies = ReplySerializer(many=True, read_only=True)

    class Meta:
        model = ActionItem
        fields = [
            "id", "meeting", "number", "title", "assignee", "assignee_name", "deadline",
            "status", "overdue", "closed_at", "hq_note", "replies",
        ]  # fmt: skip
        read_only_fields = ["number", "status", "closed_at", "hq_note"]


class ReplyWriteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000, label="办理情况")
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=6, label="照片"
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, label="意见")


class ActionItemViewSet(_ActionsMixin, ScopedModelViewSet):
    """Action items: HQ assigns (POST); the street office ``reply``s (with photos); HQ
    ``close``s, ``send-back``s or ``reopen``s."""

    queryset = ActionItem.objects.with_related().prefetch_related("replies__photos")
    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilterSet
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def can_write(self, user, obj=None):
        if obj is None and self.action == "create":
            return services.can_manage_cycle(user)
        return True  # each move asks its service, which refuses with a 403

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = _run(
            lambda: services.assign_action_item(
                data["meeting"],
                actor=self.request.user,
                title=data["title"],
                assignee=data.get("assignee"),
                deadline=data["deadline"],
            )
        )

    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        item = self.get_object()
        data = ReplyWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            lambda: services.reply_action_item(
                item,
                actor=request.user,
                text=data.validated_data["text"],
                photos=data.validated_data.get("photos", []),
            )
        )

    def _note(self, request):
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data.get("note", "")

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        item = self.get_object()
        note = self._note(request)
        return self._respond(
            lambda: services.close_action_item(item, actor=request.user, note=note)
        )

    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        item = self.get_object()
        note = self._note(request)
        return self._respond(
            lambda: services.send_back_action_item(item, actor=request.user, note=note)
        )

    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        item = self.get_object()
        note = self._note(request)
        return self._respond(
            lambda: services.reopen_action_item(item, actor=request.user, note=note)
        )


# --- meeting packs --------------------------------------------------------------------
class MeetingPackSerializer(serializers.ModelSerializer):
    requested_by = serializers.StringRelatedField()
    pdf_url = serializers.SerializerMethodField()
    xlsx_url = serializers.SerializerMethodField()

    class Meta:
        model = MeetingPack
        fields = [
            "id", "meeting", "version", "status", "progress", "step", "requested_by",
            "requested_at", "finished_at", "compiled_at", "content_sha256", "pdf_sha256",
            "xlsx_sha256", "error", "pdf_url", "xlsx_url",
        ]  # fmt: skip

    def _url(self, pack, fmt):
        if pack.status != MeetingPack.Status.DONE:
            return None
        return reverse("meeting-pack-download", args=[pack.pk]) + f"?file={fmt}"

    def get_pdf_url(self, pack) -> str | None:
        return self._url(pack, "pdf")

    def get_xlsx_url(self, pack) -> str | None:
        return self._url(pack, "xlsx")


class IssueSerializer(serializers.Serializer):
    meeting = serializers.PrimaryKeyRelatedField(queryset=Meeting.objects.all(), label="周例会")
    request_key = serializers.CharField(max_length=64, label="请求标识")


class MeetingPackViewSet(ScopedReadOnlyViewSet):
    """Issued meeting packs (HQ only). ``POST issue`` with ``meeting`` and a
    ``request_key`` (one per click: repeating it returns the same pack); ``status`` to
    watch the job; ``download?file=pdf|xlsx`` for the file exactly as issued."""

    queryset = MeetingPack.objects.select_related("meeting", "requested_by")
    serializer_class = MeetingPackSerializer
    filterset_class = MeetingPackFilterSet

    def can_write(self, user, obj=None):
        return services.can_manage_cycle(user)

    @action(detail=False, methods=["post"])
    def issue(self, request):
        data = IssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        before = MeetingPack.objects.filter(request_key=data.validated_data["request_key"]).exists()
        pack = _run(
            lambda: services.issue_pack(
                data.validated_data["meeting"],
                actor=request.user,
                request_key=data.validated_data["request_key"],
            )
        )
        code = status.HTTP_200_OK if before else status.HTTP_202_ACCEPTED
        return Response(self.get_serializer(pack).data, status=code)

    @action(detail=True, methods=["get"], url_path="status")
    def job_status(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        pack = self.get_object()
        fmt = request.query_params.get("file", "pdf")
        if fmt not in ("pdf", "xlsx"):
            raise serializers.ValidationError({"file": "只能是 pdf 或 xlsx"})
        stored = pack.pdf if fmt == "pdf" else pack.xlsx
        if pack.status != MeetingPack.Status.DONE or not stored:
            raise Http404("例会材料尚未生成")
        response = FileResponse(
            stored.open("rb"), content_type=PDF_MIME if fmt == "pdf" else XLSX_MIME
        )
        response["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{quote(f'{pack.basename}.{fmt}')}"
        )
        response["X-Content-SHA256"] = pack.pdf_sha256 if fmt == "pdf" else pack.xlsx_sha256
        return response


def register(router):
    router.register("dashboard", DashboardViewSet, basename="dashboard")
    router.register("weekly-reports", WeeklyReportViewSet, basename="weekly-report")
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("action-items", ActionItemViewSet, basename="action-item")
    router.register("meeting-packs", MeetingPackViewSet, basename="meeting-pack")
