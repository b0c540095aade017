"""REST API of works, scoped exactly as the pages are. Status moves are explicit actions
(``POST .../start/`` and so on), never a free write of ``status``; every write goes
through ``works.services``."""

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from estates.api_base import ScopedModelViewSet, ScopedPrimaryKeyRelatedField, ScopedReadOnlyViewSet
from estates.guards import require
from estates.models import Campaign, Estate
from estates.pagination import UncountedPageNumberPagination
from works import acceptance, services
from works.filtersets import (
    AcceptanceFormFilterSet,
    CompanyFilterSet,
    ContractFilterSet,
    EstateWorksItemFilterSet,
    TenderPackageFilterSet,
)
from works.models import (
    AcceptanceForm,
    AcceptanceItem,
    AcceptanceRectification,
    AcceptanceRound,
    AcceptanceSignature,
    Bid,
    Company,
    Contract,
    EstateWorksItem,
    TenderPackage,
    TenderPackageItem,
)
from works.queries import overdue_flag, overdue_q


class AmountsHiddenMixin:
    """Drops ``amount_fields`` for users who may not see money (community leads)."""

    amount_fields: tuple = ()

    @property
    def optional_in_response(self) -> tuple:
        """Documented as optional in the schema (``estates.schema``): absent for some."""
        return self.amount_fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not services.can_see_amounts(request.user):
            for name in self.amount_fields:
                data.pop(name, None)
        return data


# --- compound-items ----------------------------------------------------------------------
class EstateWorksItemSerializer(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True, label="小区名称")
    street_office = serializers.IntegerField(
        source="estate.community.street_office_id", read_only=True, label="街道办事处"
    )
    works_item_number = serializers.IntegerField(
        source="works_item.number", read_only=True, label="序号"
    )
    works_item_name = serializers.CharField(
        source="works_item.name", read_only=True, label="工作内容"
    )
    estate_overdue = serializers.BooleanField(read_only=True, label="小区逾期")

    class Meta:
        model = EstateWorksItem
        fields = [
            "id",
            "estate",
            "estate_name",
            "street_office",
            "works_item",
            "works_item_number",
            "works_item_name",
            "estate_overdue",
            *services.SCOPE_FIELDS,
            "status",
            "percent_complete",
            "actual_start",
            "actual_finish",
        ]
        read_only_fields = [
            "estate",
            "works_item",
            "status",
            "percent_complete",
            "actual_start",
            "actual_finish",
        ]

    def update(self, instance, validated_data):
        services.update_works_item(
            instance, actor=self.context["request"].user, values=validated_data
        )
        return self.context["view"].get_queryset().get(pk=instance.pk)


class TransitionSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, label="日期（默认今天）")
    percent = serializers.IntegerField(required=False, label="完成比例（%）")


class EstateWorksItemViewSet(ScopedModelViewSet):
    """Compound-items. PATCH changes scope fields (applicable, quantity, unit, budget,
    notes) under the scope-approval rules; progress moves are the actions below."""

    queryset = EstateWorksItem.objects.select_related("estate__community", "works_item")
    serializer_class = EstateWorksItemSerializer
    filterset_class = EstateWorksItemFilterSet
    # Twelve rows a compound, 600,000 at nation scale: COUNT(*) of the overdue ones cost
    # 0.3 s where the page costs 5 ms; pages link next/previous without a total.
    pagination_class = UncountedPageNumberPagination
    http_method_names = ["get", "patch", "post", "head", "options"]
    ordering_fields = ["id", "budget", "percent_complete", "actual_start"]

    def get_queryset(self):
        queryset = super().get_queryset().order_by("estate_id", "works_item__number")
        if self.action == "list":
            # The page's compounds are judged after paging (``list``): annotated here,
            # PostgreSQL evaluated the overdue conditions as hashed subplans reading the
            # whole items table, and the count joined every compound.
            return queryset
        day = timezone.localdate()
        return queryset.annotate(estate_overdue=overdue_flag(day, "estate", "estate__"))

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        overdue = set(
            Estate.objects.filter(overdue_q(timezone.localdate()))
            .filter(pk__in={row.estate_id for row in rows})
            .values_list("pk", flat=True)
        )
        for row in rows:
            row.estate_overdue = row.estate_id in overdue
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def can_write(self, user, obj=None):
        if obj is None:
            return False  # rows come with the scope; there is no free create
        return services.can_edit_scope(user, obj.estate, services.scope_status(obj.estate))

    def create(self, request, *args, **kwargs):
        raise PermissionDenied("工程项目随工程范围生成，不能单独新增")

    def _transition(self, request, name):
        item = self.get_object_for_transition()
        require(
            services.can_report_progress(request.user, item.estate),
            "您没有权限填报该小区的工程进度",
        )
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kwargs = {}
        if name in ("start", "finish"):
            kwargs["on"] = data.validated_data.get("on") or timezone.localdate()
        if name == "progress":
            kwargs["percent"] = data.validated_data.get("percent")
        item = services.TRANSITIONS[name](item, actor=request.user, **kwargs)
        # Re-read through the scoped, annotated queryset: the answer has every field.
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)

    def get_object_for_transition(self):
        # Scope (404) only: the transition's own rule answers 403.
        queryset = self.filter_queryset(self.get_queryset())
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    @extend_schema(request=TransitionSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """已招标 → 施工中（实际开工日期 ``on``）。"""
        return self._transition(request, "start")

    @extend_schema(request=TransitionSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        """施工中：填报完成比例 ``percent``（0–99）。"""
        return self._transition(request, "progress")

    @extend_schema(request=TransitionSerializer)
    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        """施工中 → 已完工（实际完工日期 ``on``）。"""
        return self._transition(request, "finish")


# --- companies ---------------------------------------------------------------------------
class CompanySerializer(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = ["id", *services.COMPANY_FIELDS, "is_active"]
        validators = []
        extra_kwargs = {"name": {"validators": []}, "credit_code": {"validators": []}}

    def create(self, validated_data):
        return services.create_company(actor=self.context["request"].user, values=validated_data)

    def update(self, instance, validated_data):
        services.update_company(instance, actor=self.context["request"].user, values=validated_data)
        return Company.objects.get(pk=instance.pk)


class CompanyViewSet(ScopedModelViewSet):
    """The directory; HQ office keeps it. Companies are deactivated, never deleted."""

    queryset = Company.objects.all()
    serializer_class = CompanySerializer
    filterset_class = CompanyFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def can_write(self, user, obj=None):
        return services.can_manage_tenders(user)


# --- tenders -----------------------------------------------------------------------------
class BidSerializer(AmountsHiddenMixin, serializers.ModelSerializer):
    contractor_name = serializers.CharField(source="contractor.name", read_only=True)
    amount_fields = ("amount",)

    class Meta:
        model = Bid
        fields = ["id", "contractor", "contractor_name", "amount", "created_at"]


class TenderPackageSerializer(AmountsHiddenMixin, serializers.ModelSerializer):
    works_items = ScopedPrimaryKeyRelatedField(
        many=True, queryset=EstateWorksItem.objects.all(), write_only=True, label="小区工程项目"
    )
    items = serializers.SerializerMethodField(label="标段内的小区工程项目")
    bids = BidSerializer(many=True, read_only=True)
    contract = serializers.PrimaryKeyRelatedField(read_only=True)
    amount_fields = ("control_price",)

    class Meta:
        model = TenderPackage
        fields = [
            "id",
            "campaign",
            "number",
            "name",
            "control_price",
            "bid_opening_date",
            "status",
            "works_items",
            "items",
            "bids",
            "contract",
        ]
        read_only_fields = ["status"]
        validators = []
        extra_kwargs = {"number": {"validators": []}}

    def get_items(self, package) -> list[int]:
        return [pi.works_item_id for pi in package.package_items.all()]

    def create(self, validated_data):
        items = validated_data.pop("works_items")
        return services.create_package(
            actor=self.context["request"].user, works_items=items, **validated_data
        )


class BidInputSerializer(serializers.Serializer):
    contractor = serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.all(), label="投标单位"
    )
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, label="投标报价（元）")


class AwardInputSerializer(serializers.Serializer):
    bid = serializers.PrimaryKeyRelatedField(queryset=Bid.objects.all(), label="中标报价")
    number = serializers.CharField(max_length=40, label="合同编号")
    supervisor = serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.all(), label="监理单位"
    )
    signed_on = serializers.DateField(label="签订日期")
    planned_start = serializers.DateField(label="计划开工")
    planned_finish = serializers.DateField(label="计划完工")


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, label="撤销原因")


def package_items_in_order():
    """A package's items in their model order (by compound name, then works item number),
    each item's keys read by an index probe on its row: ordered by the join instead,
    PostgreSQL hashed the whole compound-items table (600,000 rows at nation scale) to
    sort one page's packages."""
    item = EstateWorksItem.objects.filter(pk=OuterRef("works_item_id")).order_by()
    return TenderPackageItem.objects.annotate(
        estate_name=Subquery(item.values("estate__name")[:1]),
        item_number=Subquery(item.values("works_item__number")[:1]),
    ).order_by("package_id", "estate_name", "item_number", "pk")


class TenderPackageViewSet(ScopedModelViewSet):
    """Tender packages (标段). HQ office creates them, records bids, awards or cancels;
    a street office reads those with its compounds."""

    queryset = TenderPackage.objects.select_related("campaign", "contract").prefetch_related(
        "bids__contractor", Prefetch("package_items", queryset=package_items_in_order())
    )
    serializer_class = TenderPackageSerializer
    filterset_class = TenderPackageFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def can_write(self, user, obj=None):
        return services.can_manage_tenders(user)

    def _input(self, serializer_class):
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data

    @extend_schema(request=BidInputSerializer, responses=BidSerializer)
    @action(detail=True, methods=["post"])
    def bid(self, request, pk=None):
        package = self.get_object()
        bid = services.record_bid(package, actor=request.user, **self._input(BidInputSerializer))
        return Response(BidSerializer(bid, context={"request": request}).data, status=201)

    @extend_schema(request=AwardInputSerializer)
    @action(detail=True, methods=["post"])
    def award(self, request, pk=None):
        package = self.get_object()
        contract = services.award_package(
            package, actor=request.user, **self._input(AwardInputSerializer)
        )
        return Response(ContractSerializer(contract, context={"request": request}).data, status=201)

    @extend_schema(request=CancelInputSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        package = services.cancel_package(
            self.get_object(), actor=request.user, **self._input(CancelInputSerializer)
        )
        return Response(self.get_serializer(package).data)


# --- contracts ---------------------------------------------------------------------------
class ContractSerializer(AmountsHiddenMixin, serializers.ModelSerializer):
    contractor_name = serializers.CharField(source="contractor.name", read_only=True)
    supervisor_name = serializers.CharField(source="supervisor.name", read_only=True)
    works_items = serializers.SerializerMethodField(label="覆盖的小区工程项目")
    amount_fields = ("amount",)

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "package",
            "contractor",
            "contractor_name",
            "supervisor",
            "supervisor_name",
            "amount",
            "signed_on",
            "planned_start",
            "planned_finish",
            "works_items",
        ]

    def get_works_items(self, contract) -> list[int]:
        return [pi.works_item_id for pi in contract.package.package_items.all() if pi.is_active]


class ContractViewSet(ScopedReadOnlyViewSet):
    """Contracts are signed by awarding a tender package (``POST /api/tenders/{id}/award/``)."""

    queryset = Contract.objects.select_related(
        "contractor", "supervisor", "package"
    ).prefetch_related(Prefetch("package__package_items", queryset=package_items_in_order()))
    serializer_class = ContractSerializer
    filterset_class = ContractFilterSet


# --- campaigns ---------------------------------------------------------------------------
class CampaignSerializer(serializers.ModelSerializer):
    overdue_estates = serializers.SerializerMethodField(label="今日逾期小区数")

    class Meta:
        model = Campaign
        fields = ["id", "year", *services.CAMPAIGN_FIELDS, "overdue_estates"]
        read_only_fields = ["year"]

    def get_overdue_estates(self, campaign) -> int:
        return getattr(campaign, "overdue_count", 0)

    def update(self, instance, validated_data):
        services.update_campaign(
            instance, actor=self.context["request"].user, values=validated_data
        )
        return Campaign.objects.get(pk=instance.pk)


class CampaignViewSet(ScopedModelViewSet):
    """A year's batch and its milestones; HQ office sets the dates."""

    serializer_class = CampaignSerializer
    queryset = Campaign.objects.all()
    reference_data = True  # every user reads the campaigns and their milestones
    http_method_names = ["get", "put", "patch", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        if not user.role:
            return Campaign.objects.none()
        visible = Estate.objects.visible_to(user).active().filter(overdue_q(timezone.localdate()))
        return Campaign.objects.annotate(
            overdue_count=Count("estates", filter=Q(estates__in=visible.values("pk")))
        ).order_by("-year")

    def can_write(self, user, obj=None):
        return obj is not None and services.can_manage_tenders(user)


# --- completion acceptance ---------------------------------------------------------------
class AcceptanceItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AcceptanceItem
        fields = [
            "number",
            "works_item",
            "name",
            "planned_quantity",
            "done_quantity",
            "unit",
            "contractor_name",
            "supervisor_name",
            "result",
            "note",
        ]


class AcceptanceSignatureSerializer(serializers.ModelSerializer):
    class Meta:
        model = AcceptanceSignature
        fields = [
            "slot",
            "signer",
            "signer_name",
            "signer_role",
            "signer_unit",
            "signed_at",
            "fingerprint",
            "voided_at",
            "void_reason",
        ]


class AcceptanceRectificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = AcceptanceRectification
        fields = ["id", "works_item", "description", "deadline", "fix_note", "fixed_at", "fixed_by"]


class AcceptanceRoundSerializer(serializers.ModelSerializer):
    items = AcceptanceItemSerializer(many=True, read_only=True)
    signatures = AcceptanceSignatureSerializer(many=True, read_only=True)
    rectifications = AcceptanceRectificationSerializer(many=True, read_only=True)

    class Meta:
        model = AcceptanceRound
        fields = [
            "number",
            *acceptance.ROUND_FIELDS,
            "submitted_at",
            "fingerprint",
            "outcome",
            "hq_conclusion",
            "decided_at",
            "decided_by_name",
            "items",
            "signatures",
            "rectifications",
        ]


class AcceptanceFormSerializer(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True, label="小区名称")
    street_office = serializers.IntegerField(
        source="estate.community.street_office_id", read_only=True, label="街道办事处"
    )
    community = serializers.IntegerField(source="estate.community_id", read_only=True, label="社区")
    rounds = serializers.SerializerMethodField(label="各轮（新的在前）")

    class Meta:
        model = AcceptanceForm
        fields = [
            "id",
            "estate",
            "estate_name",
            "street_office",
            "community",
            "status",
            "round_number",
            "opened_at",
            "status_changed_at",
            "passed_at",
            "migrated",
            "rounds",
        ]

    # The list leaves the rounds out (null); one form's page carries them.
    @extend_schema_field(AcceptanceRoundSerializer(many=True, allow_null=True))
    def get_rounds(self, form):
        if not self.context.get("with_rounds"):
            return None
        return AcceptanceRoundSerializer(acceptance.rounds_of(form), many=True).data


class AcceptanceOpenSerializer(serializers.Serializer):
    estate = ScopedPrimaryKeyRelatedField(queryset=Estate.objects.all(), label="小区")


class AcceptanceItemInputSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=12, label="序号")
    done_quantity = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, label="完成工程量"
    )
    result = serializers.ChoiceField(
        choices=AcceptanceItem.Result.choices, required=False, label="验收结果"
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, label="说明")


class AcceptanceFillSerializer(serializers.Serializer):
    acceptance_date = serializers.DateField(required=False, allow_null=True, label="验收日期")
    takeover_opinion = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, label="社区接管意见"
    )
    street_participants = serializers.CharField(max_length=200, required=False, allow_blank=True)
    community_participants = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contractor_participants = serializers.CharField(
        max_length=200, required=False, allow_blank=True
    )
    supervisor_participants = serializers.CharField(
        max_length=200, required=False, allow_blank=True
    )
    items = AcceptanceItemInputSerializer(many=True, required=False, max_length=12)


class AcceptanceSignSerializer(serializers.Serializer):
    password = serializers.CharField(
        max_length=128, label="登录密码", style={"input_type": "password"}
    )


class AcceptanceDecisionSerializer(serializers.Serializer):
    conclusion = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, label="验收意见"
    )


class AcceptanceRectificationInputSerializer(serializers.Serializer):
    works_item = serializers.IntegerField(min_value=1, max_value=2**62, label="小区工程项目")
    description = serializers.CharField(max_length=200, label="整改要求")
    deadline = serializers.DateField(label="整改期限")


class AcceptanceFailSerializer(serializers.Serializer):
    conclusion = serializers.CharField(max_length=1000, label="验收意见")
    rectifications = AcceptanceRectificationInputSerializer(many=True, max_length=50)


class AcceptanceFixSerializer(serializers.Serializer):
    rectification = serializers.IntegerField(min_value=1, max_value=2**62, label="整改要求")
    note = serializers.CharField(max_length=500, label="整改情况")


class AcceptanceFormViewSet(ScopedReadOnlyViewSet):
    """工程竣工验收单. Every move is an explicit action; who may take it is decided by
    ``works.acceptance`` (a refused actor answers 403, a form outside scope 404)."""

    queryset = AcceptanceForm.objects.select_related("estate__community")
    serializer_class = AcceptanceFormSerializer
    filterset_class = AcceptanceFormFilterSet

    def get_queryset(self):
        return super().get_queryset().order_by("status_changed_at", "id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "with_rounds": self.action != "list"}

    def can_write(self, user, obj=None):
        return True  # the service decides, with PermissionDenied

    def _input(self, serializer_class):
        data = serializer_class(data=self.request.data, context={"request": self.request})
        data.is_valid(raise_exception=True)
        return data.validated_data

    def _answer(self, form, status=200):
        form = self.get_queryset().get(pk=form.pk)
        return Response(self.get_serializer(form).data, status=status)

    @extend_schema(request=AcceptanceOpenSerializer, responses=AcceptanceFormSerializer)
    @action(detail=False, methods=["post"])
    def open(self, request):
        """发起竣工验收（小区全部实施项目已完工）。"""
        estate = self._input(AcceptanceOpenSerializer)["estate"]
        return self._answer(acceptance.open_form(estate, actor=request.user), status=201)

    @extend_schema(request=AcceptanceFillSerializer, responses=AcceptanceFormSerializer)
    @action(detail=True, methods=["post"])
    def fill(self, request, pk=None):
        """填写当前轮次（已有签字作废）。"""
        data = dict(self._input(AcceptanceFillSerializer))
        items = {row.pop("number"): row for row in data.pop("items", [])}
        form = self.get_object()
        acceptance.update_round(form, actor=request.user, values=data, items=items)
        return self._answer(form)

    @extend_schema(request=None, responses=AcceptanceFormSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """草稿 → 待签字。"""
        return self._answer(acceptance.send_for_signatures(self.get_object(), actor=request.user))

    @extend_schema(request=AcceptanceSignSerializer, responses=AcceptanceFormSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """本人账号、重新输入密码签字。"""
        form = self.get_object()
        acceptance.sign(form, actor=request.user, **self._input(AcceptanceSignSerializer))
        return self._answer(form)

    @extend_schema(request=None, responses=AcceptanceFormSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """待签字 → 已报送指挥部（须两方签字）。"""
        return self._answer(acceptance.submit(self.get_object(), actor=request.user))

    @extend_schema(request=AcceptanceDecisionSerializer, responses=AcceptanceFormSerializer)
    @action(detail=True, methods=["post"], url_path="pass")
    def pass_(self, request, pk=None):
        """已报送 → 验收通过：小区各项目已验收。"""
        data = self._input(AcceptanceDecisionSerializer)
        return self._answer(
            acceptance.pass_form(
                self.get_object(), actor=request.user, conclusion=data.get("conclusion", "")
            )
        )

    @extend_schema(request=AcceptanceFailSerializer, responses=AcceptanceFormSerializer)
    @action(detail=True, methods=["post"])
    def fail(self, request, pk=None):
        """已报送 → 验收未通过，附整改要求。"""
        return self._answer(
            acceptance.fail_form(
                self.get_object(), actor=request.user, **self._input(AcceptanceFailSerializer)
            )
        )

    @extend_schema(request=AcceptanceFixSerializer, responses=AcceptanceFormSerializer)
    @action(detail=True, methods=["post"], url_path="record-fix")
    def record_fix(self, request, pk=None):
        """登记一项整改的整改情况。"""
        form = self.get_object()
        data = self._input(AcceptanceFixSerializer)
        rectification = get_object_or_404(
            AcceptanceRectification.objects.filter(round__form=form), pk=data["rectification"]
        )
        acceptance.record_fix(rectification, actor=request.user, note=data["note"])
        return self._answer(form)

    @extend_schema(request=None, responses=AcceptanceFormSerializer)
    @action(detail=True, methods=["post"], url_path="next-round")
    def next_round(self, request, pk=None):
        """整改全部登记后发起下一轮。"""
        form = self.get_object()
        acceptance.open_next_round(form, actor=request.user)
        return self._answer(form)


def register(router):
    router.register("estate-works", EstateWorksItemViewSet, basename="estate-works")
    router.register("companies", CompanyViewSet, basename="company")
    router.register("tenders", TenderPackageViewSet, basename="tender")
    router.register("contracts", ContractViewSet, basename="contract")
    router.register("campaigns", CampaignViewSet, basename="campaign")
    router.register("acceptances", AcceptanceFormViewSet, basename="acceptance")
