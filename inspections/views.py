"""Pages of the daily patrols, hazards, the missed-patrol register and quality inspections.

Declarative: a scoped queryset, a FilterSet or a form, and a call into a service."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Func, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from estates import audit, exports
from estates.guards import require
from estates.mixins import FilteredListMixin, ScopedMixin
from estates.models import Estate
from estates.pagination import UncountedPaginator
from estates.views import apply_service
from inspections import forms, queries, services
from inspections.exports import patrol_pdf_subject
from inspections.filtersets import (
    HazardFilterSet,
    MissedPatrolFilterSet,
    PatrolRecordFilterSet,
    QualityInspectionFilterSet,
)
from inspections.models import (
    CHECKLIST,
    Hazard,
    MissedPatrol,
    PatrolAmendment,
    PatrolRecord,
    Photo,
    QualityInspection,
)


class ListPage(FilteredListMixin, TemplateView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.get_filterset()
        context["filter"] = filterset
        context["page_obj"] = self.paginate(filterset.qs)
        return context


# --- patrols --------------------------------------------------------------------------
class TodayView(LoginRequiredMixin, TemplateView):
    """A street office's list for today: compounds still to patrol first, each with a big
    button to file; those done link to their record."""

    template_name = "inspections/today.html"
    #: A large street office patrols thousands of compounds: the board shows a page.
    paginate_by = 50

    def get_context_data(self, **kwargs):
        user, today = self.request.user, timezone.localdate()
        totals = queries.filing_totals(user, today)
        paginator = Paginator(queries.todays_patrol_list(user, today), self.paginate_by)
        paginator.count = totals["due"]  # known from the totals: no second COUNT
        page = paginator.get_page(self.request.GET.get("page"))
        return super().get_context_data(
            rows=page,
            page_obj=page,
            due=totals["due"],
            pending=totals["due"] - totals["filed"],
            today=today,
            can_file=services.can_file_patrol(user),
            **kwargs,
        )


class PatrolListView(ListPage):
    """Every filed record, newest day first. Millions of rows at a province: the counts
    are subqueries evaluated for the page's rows only (not a join grouped over every
    record), and the list is paged without counting it."""

    queryset = PatrolRecord.objects.with_related()
    filterset_class = PatrolRecordFilterSet
    template_name = "inspections/patrol_list.html"
    paginator_class = UncountedPaginator

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(
                hazard_count=_count_of(Hazard.objects.filter(patrol=OuterRef("pk"))),
                amendment_count=_count_of(PatrolAmendment.objects.filter(record=OuterRef("pk"))),
            )
            .order_by("-date", "street_office__sort_order", "estate__name", "pk")
        )


def _count_of(queryset):
    """``(SELECT COUNT(id) FROM ... WHERE ...)`` for each row of the outer query."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted[:1]), 0)


class PatrolCreateView(ScopedMixin, FormView):
    """Today's patrol of one compound, made for a phone: the checklist as big toggles, the
    draft kept in the browser if the connection drops (static/inspections/draft.js)."""

    form_class = forms.PatrolForm
    template_name = "inspections/patrol_form.html"

    def setup(self, request, *args, **kwargs):
        # The compound as the filing reads it (narrowed by ScopedMixin), so a POST reads
        # it only here, once.
        self.today = timezone.localdate()
        self.queryset = services.for_filing(self.today)
        super().setup(request, *args, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.estate = get_object_or_404(self.get_queryset(), pk=kwargs["estate_pk"])
        require(
            services.can_file_patrol(request.user, self.estate),
            "只有本街道办事处的工作人员可以填报巡查记录",
        )
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def existing(self):
        """Today's record of the compound, if filed: read for the page and for a refused
        POST only (a successful filing never needs it; a duplicate brings its own)."""
        return (
            PatrolRecord.objects.select_related("filed_by")
            .filter(estate=self.estate, date=self.today)
            .first()
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            estate=self.estate,
            existing=self.existing,
            today=self.today,
            under_construction=self.estate.due,
            **kwargs,
        )

    def form_valid(self, form):
        def file():
            try:
                return services.file_patrol(
                    actor=self.request.user,
                    estate=self.estate,
                    values=form.patrol_values(),
                    photos=form.cleaned_data["photos"],
                    hazards=form.hazards(),
                )
            except services.DuplicatePatrol as exc:
                self.existing = exc.existing
                raise ValidationError("该小区今天的巡查记录已经提交，不能重复填报。") from None
            except ValidationError as exc:
                # The hazard's fields are prefixed on this form.
                if hasattr(exc, "error_dict") and form.cleaned_data.get("hazard_found"):
                    raise ValidationError(
                        {
                            (f"hazard_{k}" if k in services.HAZARD_FIELDS else k): v
                            for k, v in exc.error_dict.items()
                        }
                    ) from None
                raise

        record = apply_service(form, file)
        if record is None:
            return self.form_invalid(form)
        messages.success(self.request, f"已提交 {self.estate.name} 今天的巡查记录")
        response = redirect("inspections:patrol-detail", pk=record.pk)
        response["X-Patrol-Filed"] = "1"
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 409 if self.existing else 400
        return response


class PatrolDetailView(ScopedMixin, DetailView):
    queryset = PatrolRecord.objects.with_related().prefetch_related(
        "amendments__amended_by", "photos", "hazards__photos"
    )
    template_name = "inspections/patrol_detail.html"
    context_object_name = "record"

    def get_context_data(self, **kwargs):
        user = self.request.user
        record = self.object
        current = services.corrected_values(record)
        return super().get_context_data(
            current=current,
            checklist=[
                (
                    label,
                    getattr(record, f"get_{name}_display")(),
                    getattr(record, name),
                    current[name],
                )
                for name, label in CHECKLIST
            ],
            history=audit.history_for(record)[:50],
            can_amend=services.can_amend_patrol(user, record),
            can_report=services.can_report_hazard(user, record.estate),
            **kwargs,
        )


class PatrolAmendView(ScopedMixin, FormView):
    queryset = PatrolRecord.objects.with_related().prefetch_related("amendments")
    form_class = forms.AmendForm
    template_name = "inspections/patrol_amend.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.record = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        require(
            services.can_amend_patrol(request.user, self.record),
            "只有本街道办事处的工作人员可以更正巡查记录",
        )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return services.corrected_values(self.record)

    def get_context_data(self, **kwargs):
        return super().get_context_data(record=self.record, **kwargs)

    def form_valid(self, form):
        amendment = apply_service(
            form,
            lambda: services.amend_patrol(
                self.record,
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
                values=form.values(),
            ),
        )
        if amendment is None:
            return self.form_invalid(form)
        messages.success(self.request, f"已提交更正（{len(amendment.changes)} 项），原记录保留")
        return redirect("inspections:patrol-detail", pk=self.record.pk)


class HazardCreateView(ScopedMixin, FormView):
    """Another hazard found on a filed patrol."""

    queryset = PatrolRecord.objects.with_related()
    form_class = forms.HazardForm
    template_name = "inspections/form_page.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.record = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        require(
            services.can_report_hazard(request.user, self.record.estate),
            "只有本街道办事处的工作人员可以报告隐患",
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=f"报告隐患：{self.record.estate.name}",
            back=services.patrol_url(self.record.pk),
            multipart=True,
            **kwargs,
        )

    def form_valid(self, form):
        values = {k: v for k, v in form.cleaned_data.items() if k != "photos"}
        hazard = apply_service(
            form,
            lambda: services.report_hazard(
                actor=self.request.user,
                patrol=self.record,
                values=values,
                photos=form.cleaned_data["photos"],
            ),
        )
        if hazard is None:
            return self.form_invalid(form)
        messages.success(self.request, "已登记隐患，请尽快告知施工单位")
        return redirect("inspections:hazard-detail", pk=hazard.pk)


class PatrolPdfView(LoginRequiredMixin, View):
    """The written daily record (书面巡查记录) of one street office for one day, with photos:
    several seconds of layout, so a job the user watches (``inspections.exports``). The
    street office is checked here, so one outside the user's scope is a 404 at once."""

    def get(self, request):
        patrol_pdf_subject(request.user, request.GET)
        return exports.enqueue_pdf(request, "patrol_daily_pdf")


class PhotoView(ScopedMixin, View):
    """Serves a photo only to a user who can see its compound; otherwise a 404."""

    queryset = Photo.objects.all()

    def get(self, request, public_id):
        photo = get_object_or_404(self.get_queryset(), public_id=public_id)
        try:
            handle = photo.file.open("rb")
        except FileNotFoundError:
            raise Http404("照片文件不存在") from None
        response = FileResponse(handle, content_type=photo.content_type)
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- hazards --------------------------------------------------------------------------
class OverdueFirst:
    """The hazard list's order, overdue first (what HQ escalates), then the newest report
    first, as two queries each read in an index's order (``hazard_status_deadline``
    narrows the overdue few, ``hazard_reported_id`` walks the rest newest first) instead
    of one ``ORDER BY CASE ...`` that sorts every hazard (66,000 at nation scale: 0.5 s).
    A sequence for the paginator: ``count()`` and slices, the same rows in the same order
    as ``queryset.order_by(overdue_first, "-reported_at", "-pk")``."""

    ORDER = ("-reported_at", "-pk")

    def __init__(self, queryset, today):
        overdue = Q(status__in=Hazard.OPEN_STATES, deadline__lt=today)
        self.queryset = queryset
        self.overdue = queryset.filter(overdue).order_by(*self.ORDER)
        self.others = queryset.exclude(overdue).order_by(*self.ORDER)
        self._overdue_count = None

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self):
        return self.count()

    @property
    def overdue_count(self) -> int:
        if self._overdue_count is None:
            self._overdue_count = self.overdue.count()
        return self._overdue_count

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("OverdueFirst takes slices only")
        start, stop = index.start or 0, index.stop
        split = self.overdue_count
        rows = []
        if start < split:
            rows += list(self.overdue[start : min(stop, split)])
        if stop > split:
            rows += list(self.others[max(start - split, 0) : stop - split])
        return rows


class HazardListView(ListPage):
    queryset = Hazard.objects.with_related()
    filterset_class = HazardFilterSet
    template_name = "inspections/hazard_list.html"

    def paginate(self, queryset):
        return super().paginate(OverdueFirst(queryset, timezone.localdate()))

    def get_context_data(self, **kwargs):
        totals = queries.hazard_totals(self.request.user, timezone.localdate())
        return super().get_context_data(totals=totals, **kwargs)


HAZARD_ACTIONS = {
    "notify": (forms.NotifyForm, "告知施工单位整改"),
    "rectify": (forms.RectifyForm, "登记整改情况"),
    "confirm": (forms.ConfirmForm, "监理确认整改"),
    "reinspect": (forms.ReinspectForm, "复查"),
    "close": (None, "销号"),
}


class HazardDetailView(ScopedMixin, DetailView):
    queryset = Hazard.objects.with_related().select_related(
        "patrol", "reported_by", "supervisor_confirmed_by"
    )
    template_name = "inspections/hazard_detail.html"
    context_object_name = "hazard"

    def get_context_data(self, **kwargs):
        hazard = self.object
        action = services.next_hazard_move(hazard, self.request.user)
        can_move = services.can_move_hazard(self.request.user, hazard, action)
        form_class, label = HAZARD_ACTIONS.get(action, (None, ""))
        return super().get_context_data(
            photos=list(hazard.photos.all()),
            history=audit.history_for(hazard)[:50],
            can_move=can_move,
            action=action if can_move else None,
            action_label=label,
            action_form=kwargs.pop("action_form", None) or (form_class() if form_class else None),
            **kwargs,
        )


class HazardActionView(ScopedMixin, View):
    """One move of a hazard; the service decides whether it is legal now."""

    queryset = Hazard.objects.with_related()

    def post(self, request, pk, action):
        hazard = get_object_or_404(self.get_queryset(), pk=pk)
        if action not in HAZARD_ACTIONS:
            raise Http404
        require(
            services.can_move_hazard(request.user, hazard, action), "您不能对该隐患进行这一步操作"
        )
        form_class, label = HAZARD_ACTIONS[action]
        form = form_class(request.POST, request.FILES) if form_class else None
        if form is not None and not form.is_valid():
            return self._again(request, hazard, form)
        user = request.user
        data = form.cleaned_data if form else {}
        calls = {
            "notify": lambda: services.notify_hazard(hazard, actor=user, **data),
            "rectify": lambda: services.record_rectification(
                hazard, actor=user, note=data["rectification_note"], photos=data["photos"]
            ),
            "reinspect": lambda: services.reinspect_hazard(
                hazard,
                actor=user,
                passed=data["passed"],
                note=data["note"],
                new_deadline=data.get("new_deadline"),
            ),
            "confirm": lambda: services.confirm_rectification(
                hazard, actor=user, note=data["note"]
            ),
            "close": lambda: services.close_hazard(hazard, actor=user),
        }
        if form is None:
            try:
                calls[action]()
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
                return redirect("inspections:hazard-detail", pk=pk)
        elif apply_service(form, calls[action]) is None:
            return self._again(request, hazard, form)
        messages.success(request, f"已完成：{label}")
        return redirect("inspections:hazard-detail", pk=pk)

    def _again(self, request, hazard, form):
        view = HazardDetailView(request=request, kwargs={"pk": hazard.pk}, object=hazard)
        view.object = hazard
        context = view.get_context_data(action_form=form)
        response = view.render_to_response(context)
        response.status_code = 400
        return response


# --- the register and the board -------------------------------------------------------
class ComplianceView(LoginRequiredMixin, TemplateView):
    """HQ: street office × day. A street office sees its own row and today's list."""

    template_name = "inspections/compliance.html"

    def get_context_data(self, **kwargs):
        try:
            end = date.fromisoformat(self.request.GET.get("end", ""))
        except ValueError:
            end = None
        board = queries.compliance_board(self.request.user, today=timezone.localdate(), end=end)
        return super().get_context_data(board=board, **kwargs)


class MissedPatrolListView(ListPage):
    queryset = MissedPatrol.objects.select_related("estate__community", "street_office")
    filterset_class = MissedPatrolFilterSet
    template_name = "inspections/missed_list.html"


# --- quality inspections --------------------------------------------------------------
class QualityListView(ListPage):
    queryset = QualityInspection.objects.with_related()
    filterset_class = QualityInspectionFilterSet
    template_name = "inspections/quality_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            can_inspect=services.can_inspect_quality(user),
            estates=Estate.objects.visible_to(user).active().order_by("name").only("pk", "name")
            if services.can_inspect_quality(user)
            else [],
            **kwargs,
        )


class QualityCreateView(ScopedMixin, FormView):
    queryset = Estate.objects.with_org()
    form_class = forms.QualityInspectionForm
    template_name = "inspections/quality_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        estate_pk = kwargs.get("estate_pk") or request.GET.get("estate")
        self.estate = get_object_or_404(self.get_queryset(), pk=estate_pk or 0)
        require(
            services.can_inspect_quality(request.user),
            "只有指挥部质量检查员或指挥部办公室可以录入质量检查",
        )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "estate": self.estate}

    def get_context_data(self, **kwargs):
        return super().get_context_data(estate=self.estate, **kwargs)

    def form_valid(self, form):
        inspection = apply_service(
            form,
            lambda: services.record_quality_inspection(
                actor=self.request.user,
                estate=self.estate,
                values=form.values(),
                requirements=form.requirements(),
                photos=form.cleaned_data["photos"],
            ),
        )
        if inspection is None:
            return self.form_invalid(form)
        messages.success(self.request, "已录入质量检查，并反馈街道办事处和施工单位")
        return redirect("inspections:quality-detail", pk=inspection.pk)


class QualityDetailView(ScopedMixin, DetailView):
    queryset = QualityInspection.objects.with_related().prefetch_related("requirements", "photos")
    template_name = "inspections/quality_detail.html"
    context_object_name = "inspection"

    def get_context_data(self, **kwargs):
        user = self.request.user
        inspection = self.object
        can_respond = services.can_respond_quality(user, inspection)
        can_recheck = services.can_recheck_quality(user, inspection)
        status = inspection.status
        return super().get_context_data(
            history=audit.history_for(inspection)[:50],
            respond_form=kwargs.pop("respond_form", None) or forms.RespondForm()
            if can_respond and status == QualityInspection.Status.SENT
            else None,
            recheck_form=kwargs.pop("recheck_form", None) or forms.RecheckForm()
            if can_recheck and status == QualityInspection.Status.RESPONDED
            else None,
            **kwargs,
        )


class QualityActionView(ScopedMixin, View):
    queryset = QualityInspection.objects.with_related()

    def post(self, request, pk, action):
        inspection = get_object_or_404(self.get_queryset(), pk=pk)
        user = request.user
        if action == "respond":
            require(
                services.can_respond_quality(user, inspection),
                "只有该小区所属街道办事处的工作人员可以回复",
            )
            form = forms.RespondForm(request.POST)
            call = lambda: services.respond_quality(  # noqa: E731
                inspection, actor=user, note=form.cleaned_data["response_note"]
            )
        elif action == "recheck":
            require(
                services.can_recheck_quality(user, inspection),
                "只有指挥部质量检查员或指挥部办公室可以复查",
            )
            form = forms.RecheckForm(request.POST)
            call = lambda: services.recheck_quality(  # noqa: E731
                inspection,
                actor=user,
                passed=form.cleaned_data["passed"],
                note=form.cleaned_data["note"],
                new_deadline=form.cleaned_data.get("new_deadline"),
            )
        else:
            raise Http404
        if form.is_valid() and apply_service(form, call) is not None:
            messages.success(request, "已提交")
            return redirect("inspections:quality-detail", pk=pk)
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("inspections:quality-detail", pk=pk)
