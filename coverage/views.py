"""Pages of long-term management: the coverage overview (HQ and each street office), the
coverage ledger with its Excel export, one compound's management page with the forms
that call ``coverage.services``, the re-inspection list, and the scoped photo view."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from coverage import selectors, services
from coverage.export import coverage_ledger_workbook
from coverage.filtersets import CoverageLedgerFilterSet, ReinspectionFilterSet
from coverage.forms import (
    ArrangementForm,
    AssessForm,
    EndArrangementForm,
    FollowUpForm,
    ReinspectionForm,
    VerifyForm,
)
from coverage.models import ManagementArrangement, Reinspection, ServiceAssessment
from coverage.queries import renovated
from estates.guards import require
from estates.mixins import FilteredListMixin, ScopedMixin
from estates.models import Estate
from estates.views import apply_service
from estates.xlsx import xlsx_response


class CoverageOverviewView(ScopedMixin, TemplateView):
    """HQ: the district by street office; a street office (or community): its own
    compounds by community. The figures are the roll-up's snapshots of the user's unit
    (shown with their snapshot time; live only before the first roll-up), the two short
    lists live."""

    queryset = Estate.objects.all()
    template_name = "coverage/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, today = self.request.user, timezone.localdate()
        context["figures"] = selectors.overview_figures(user, today)
        context["expiring"] = selectors.expiring_arrangements(user, today)
        context["overdue"] = selectors.overdue_reinspections(user, today)
        return context


class CoverageLedgerMixin(FilteredListMixin):
    queryset = Estate.objects.all()
    filterset_class = CoverageLedgerFilterSet

    def get_queryset(self):
        return selectors.ledger_queryset(super().get_queryset(), timezone.localdate())


class CoverageLedgerView(CoverageLedgerMixin, TemplateView):
    template_name = "coverage/ledger.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.get_filterset()
        context["filter"] = filterset
        context["page_obj"] = self.paginate(filterset.qs)
        return context


class CoverageLedgerExportView(CoverageLedgerMixin, View):
    def get(self, request):
        today = timezone.localdate()
        workbook = coverage_ledger_workbook(
            self.get_filterset().qs, on=today, unit=request.user.scope_label
        )
        return xlsx_response(workbook, f"物业管理覆盖台账_{today:%Y%m%d}.xlsx")


class EstateScopedMixin(ScopedMixin):
    """Pages about one compound: outside the user's scope (or archived) is a 404."""

    queryset = Estate.objects.with_org()

    def get_estate(self):
        if not hasattr(self, "estate"):
            self.estate = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return self.estate


class EstateCoverageView(EstateScopedMixin, TemplateView):
    template_name = "coverage/estate.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, estate = self.request.user, self.get_estate()
        coverage = selectors.estate_coverage(estate, timezone.localdate())
        context.update(
            estate=estate,
            coverage=coverage,
            can_arrange=services.can_record_arrangement(user, estate) and not estate.is_archived,
            can_assess=services.can_assess(user, estate) and not estate.is_archived,
            can_verify=services.can_verify(user),
            can_reinspect=services.can_record_reinspection(user) and not estate.is_archived,
            # 回头看 applies from the end of renovation on (completed or accepted).
            renovated=Estate.objects.filter(pk=estate.pk).filter(renovated()).exists(),
            can_follow_up=user.owns_street_office(estate.community.street_office_id),
            assess_form=AssessForm(),
            verify_form=VerifyForm(),
            follow_up_form=FollowUpForm(initial={"done_on": timezone.localdate()}),
            end_form=EndArrangementForm(initial={"ended_on": timezone.localdate()}),
        )
        return context


class ArrangementCreateView(EstateScopedMixin, FormView):
    form_class = ArrangementForm
    template_name = "coverage/arrangement_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.can_record_arrangement(
            request.user, self.get_estate()
        ):
            raise PermissionDenied("您没有权限登记该小区的物业管理安排")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"start_date": timezone.localdate(), "term_months": 36}

    def get_context_data(self, **kwargs):
        estate = self.get_estate()
        current = ManagementArrangement.objects.filter(estate=estate, ended_on__isnull=True)
        return super().get_context_data(
            estate=estate, current=current.select_related("company").first(), **kwargs
        )

    def form_valid(self, form):
        estate = self.get_estate()
        arrangement = apply_service(
            form,
            lambda: services.record_arrangement(
                estate, actor=self.request.user, values=form.cleaned_data
            ),
        )
        if arrangement is None:
            return self.form_invalid(form)
        messages.success(self.request, f"已登记物业管理安排：{arrangement.get_mode_display()}")
        return redirect("coverage:estate", pk=estate.pk)


class ScopedActionView(ScopedMixin, View):
    """A POST on one row of ``queryset``: 404 outside scope, 403 when ``allowed`` says
    no, the service's ValidationError shown as a message on the compound's page."""

    def allowed(self, user, obj) -> bool:  # pragma: no cover - always overridden
        raise NotImplementedError

    def act(self, obj):  # pragma: no cover - always overridden
        raise NotImplementedError

    def estate_of(self, obj):
        return obj.estate_id

    def post(self, request, pk):
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        require(self.allowed(request.user, obj), "您没有权限进行此操作")
        try:
            message = self.act(obj)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, message)
        return redirect("coverage:estate", pk=self.estate_of(obj))


def _form_or_error(form):
    if not form.is_valid():
        errors = [
            f"{form.fields[f].label}：{'；'.join(e)}" if f in form.fields else "；".join(e)
            for f, e in form.errors.items()
        ]
        raise ValidationError(errors)
    return form.cleaned_data


class AssessView(ScopedActionView):
    queryset = Estate.objects.with_org()

    def estate_of(self, obj):
        return obj.pk

    def allowed(self, user, obj):
        return services.can_assess(user, obj)

    def act(self, estate):
        data = _form_or_error(AssessForm(self.request.POST, self.request.FILES))
        assessment = services.assess_item(
            estate,
            actor=self.request.user,
            item=data["item"],
            met=data["met"],
            note=data["note"],
            photo=data["photo"],
        )
        return f"已评定「{assessment.item}」，待指挥部核验"


class VerifyView(ScopedActionView):
    queryset = ServiceAssessment.objects.select_related("estate")

    def allowed(self, user, obj):
        return services.can_verify(user)

    def act(self, assessment):
        data = _form_or_error(VerifyForm(self.request.POST))
        assessment = services.verify_assessment(
            assessment,
            actor=self.request.user,
            verified=data["decision"] == "verify",
            note=data["note"],
        )
        return f"「{assessment.item}」{assessment.get_verification_display()}"


class EndArrangementView(ScopedActionView):
    queryset = ManagementArrangement.objects.select_related("estate__community")

    def allowed(self, user, obj):
        return services.can_record_arrangement(user, obj.estate)

    def act(self, arrangement):
        data = _form_or_error(EndArrangementForm(self.request.POST))
        services.end_arrangement(
            arrangement, actor=self.request.user, ended_on=data["ended_on"], reason=data["reason"]
        )
        return "已终止该管理安排"


class FollowUpView(ScopedActionView):
    queryset = Reinspection.objects.select_related("estate__community")

    def allowed(self, user, obj):
        return services.can_follow_up(user, obj)

    def act(self, reinspection):
        data = _form_or_error(FollowUpForm(self.request.POST))
        services.record_follow_up(
            reinspection, actor=self.request.user, note=data["note"], done_on=data["done_on"]
        )
        return "已登记整改情况；请重新评定相关目标项，由指挥部核验"


class ReinspectionRecordView(EstateScopedMixin, FormView):
    form_class = ReinspectionForm
    template_name = "coverage/reinspection_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.get_estate()
            require(
                services.can_record_reinspection(request.user),
                "只有指挥部办公室或质量检查员可以登记回头看",
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "estate": self.get_estate()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(estate=self.get_estate(), **kwargs)

    def form_valid(self, form):
        estate = self.get_estate()
        data = form.cleaned_data
        reinspection = apply_service(
            form,
            lambda: services.record_reinspection(
                estate,
                actor=self.request.user,
                inspected_on=data["inspected_on"],
                findings=data["findings"],
                relapsed_items=data["relapsed_items"],
                next_due_on=data["next_due_on"],
            ),
        )
        if reinspection is None:
            return self.form_invalid(form)
        messages.success(self.request, f"已登记回头看：{reinspection.get_status_display()}")
        return redirect("coverage:estate", pk=estate.pk)


class ReinspectionListView(FilteredListMixin, TemplateView):
    queryset = Reinspection.objects.with_related().filter(estate__archived_at__isnull=True)
    filterset_class = ReinspectionFilterSet
    template_name = "coverage/reinspection_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.get_filterset()
        context["filter"] = filterset
        context["page_obj"] = self.paginate(filterset.qs.order_by("due_on", "id"))
        context["today"] = timezone.localdate()
        return context


class AssessmentPhotoView(ScopedMixin, View):
    """Evidence photos are served only to users who may see the compound."""

    queryset = ServiceAssessment.objects.all()

    def get(self, request, pk):
        assessment = get_object_or_404(self.get_queryset(), pk=pk)
        if not assessment.photo:
            raise Http404("没有照片")
        try:
            handle = assessment.photo.open("rb")
        except FileNotFoundError:
            raise Http404("照片文件不存在") from None
        response = FileResponse(handle, content_type="image/jpeg")
        response["Content-Disposition"] = "inline"
        response["Cache-Control"] = "private, max-age=3600"
        return response
