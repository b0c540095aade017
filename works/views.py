"""Works pages: the works sheets, scope approval, item progress, the schedule and its
Gantt chart, the company directory, tendering, contracts and campaign milestones.

Scoped by ``estates.mixins``: outside the user's scope a 404, a forbidden write a 403.
Every change goes through ``works.services``."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from estates import audit
from estates.asof import ROUNDING_NOTE, computed_label
from estates.exports import export_or_enqueue
from estates.guards import require
from estates.mixins import FilteredListMixin, ScopedMixin, WriteAllowedMixin
from estates.models import AuditEvent, Campaign, Estate, StreetOffice
from estates.views import apply_service
from estates.xlsx import xlsx_response
from works import exports, gantt, services
from works.estate_page import acceptance_section
from works.filtersets import (
    CompanyFilterSet,
    ContractFilterSet,
    EstateProgressFilterSet,
    ScheduleFilterSet,
    TenderPackageFilterSet,
)
from works.forms import (
    AwardForm,
    BidForm,
    CampaignForm,
    CompanyAccountForm,
    CompanyForm,
    ReasonForm,
    ScheduleFormSet,
    ScopeFormSet,
    SupervisionNoteForm,
    TenderPackageForm,
    TransitionForm,
)
from works.models import (
    Bid,
    Company,
    Contract,
    EstateScope,
    EstateWorksItem,
    Phase,
    TenderPackage,
    TenderPackageItem,
)
from works.queries import DEFINITIONS as WORKS_DEFINITIONS
from works.queries import (
    OVERDUE_LABELS,
    office_totals,
    overdue_q,
    sum_totals,
    with_progress,
)
from works.sheets import (
    DISTRICT_ESTATES,
    money_rows_differ,
    page_ids,
    progress_rows,
    sheet_items,
    snapshot_summary,
    street_office_snapshot,
)


def _today():
    return timezone.localdate()


def _campaign_param(request):
    """The campaign chosen in the query string, else the current one."""
    value = request.GET.get("campaign")
    if value and value.isdigit():
        return Campaign.objects.filter(pk=value).first()
    if value == "":
        return None
    return Campaign.objects.current(_today())


def _message_service_error(request, exc: ValidationError):
    messages.error(request, "；".join(exc.messages))


def progress_estates(user, day):
    return with_progress(
        Estate.objects.visible_to(user)
        .active()
        .select_related("community__street_office", "campaign", "works_schedule"),
        day,
    )


# --- works sheets ------------------------------------------------------------------------
class WorksListView(FilteredListMixin, TemplateView):
    """All compounds' works sheets in brief: scope, budget (万元), phase, overdue; with
    totals per street office. Filters shared with the API's compound filters."""

    template_name = "works/works_list.html"
    queryset = DISTRICT_ESTATES
    filterset_class = EstateProgressFilterSet

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = _today()
        filterset = self.get_filterset()
        page = self.paginate(page_ids(filterset.qs))
        context["filter"] = filterset
        context["page_obj"] = page
        context["rows"] = progress_rows(page, today)
        context["current_note"] = WORKS_DEFINITIONS["current"]
        snapshot, current = None, Campaign.objects.current(today)
        if district_wide(self.request.user, filterset, current):
            snapshot = snapshot_summary(today, current)
        if snapshot is not None:
            context["snapshot"] = snapshot
            context["totals"], context["district"] = snapshot["rows"], snapshot["district"]
        else:
            context["totals"] = office_totals(filterset.qs, today)
            context["district"] = sum_totals(context["totals"])
            context["computed"] = computed_label()
        if money_rows_differ(context["totals"], context["district"]["budget_total"]):
            context["rounding_note"] = ROUNDING_NOTE
        return context


#: The filters that leave HQ's works list district-wide (its summary then reads the
#: roll-up's snapshots); any other narrows the list and its summary is computed live.
DISTRICT_WIDE_FILTERS = {"campaign"}


def district_wide(user, filterset, current) -> bool:
    """Whether the list is the whole district for a district-wide user: no filter set but
    the campaign, and that the current one or every campaign (the snapshots hold the
    current campaign's compounds)."""
    if not user.is_hq or not filterset.is_valid():
        return False
    chosen = {
        name for name, value in filterset.form.cleaned_data.items() if value not in (None, "")
    }
    if chosen - DISTRICT_WIDE_FILTERS:
        return False
    campaign = filterset.form.cleaned_data.get("campaign")
    return campaign is None or campaign == current


class EstateSheetView(ScopedMixin, DetailView):
    """One compound's works sheet: the twelve items, scope approval, contracts, progress."""

    queryset = Estate.objects.with_org()
    template_name = "works/estate_sheet.html"
    context_object_name = "estate"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, estate, today = self.request.user, self.object, _today()
        progress = with_progress(Estate.objects.filter(pk=estate.pk), today).get()
        scope = EstateScope.objects.filter(estate=estate).select_related("approved_by").first()
        status = scope.status if scope else EstateScope.Status.DRAFT
        rows = sheet_items(estate)
        item_ids = [r["row"].pk for r in rows if r["row"]]
        contracts = {r["contract"].pk: r["contract"] for r in rows if r["contract"]}
        context.update(
            progress=progress,
            overdue=[
                label for k, label in OVERDUE_LABELS.items() if getattr(progress, f"overdue_{k}")
            ],
            phase_label=Phase(progress.phase).label,
            scope=scope,
            scope_status=status,
            rows=rows,
            contracts=list(contracts.values()),
            show_amounts=services.can_see_amounts(user),
            can_edit_scope=services.can_edit_scope(user, estate, status),
            can_submit=status == EstateScope.Status.DRAFT
            and services.can_submit_scope(user, estate),
            can_approve=status == EstateScope.Status.SUBMITTED and services.can_approve_scope(user),
            can_report=services.can_report_progress(user, estate),
            acceptance=acceptance_section(user, estate, progress.phase),
            today=today,
            history=AuditEvent.objects.filter(
                Q(content_type__model="estateworksitem", object_id__in=item_ids)
                | Q(content_type__model="estatescope", object_id=scope.pk if scope else 0),
                content_type__app_label="works",
            ).select_related("actor")[:30],
        )
        return context


class ScopeEditView(ScopedMixin, WriteAllowedMixin, FormView):
    """The twelve rows of a compound's scope: drafted by its street office, changed by
    HQ office once submitted or approved."""

    queryset = Estate.objects.with_org()
    template_name = "works/scope_form.html"
    form_class = ScopeFormSet

    def get_object(self):
        if not hasattr(self, "object"):
            self.object = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return self.object

    def can_write(self, user, obj=None):
        return services.can_edit_scope(user, obj, services.scope_status(obj))

    def get_initial(self):
        rows = []
        for entry in sheet_items(self.get_object()):
            row, item = entry["row"], entry["works_item"]
            rows.append(
                {
                    "number": item.number,
                    "applicable": row.applicable if row else False,
                    "quantity": row.quantity if row else 0,
                    "unit": row.unit if row else item.default_unit,
                    "budget": row.budget if row else 0,
                    "notes": row.notes if row else "",
                }
            )
        return rows

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["prefix"] = "scope"
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        from estates.models import WorksItem

        names = {w.number: w for w in WorksItem.objects.all()}
        context["estate"] = self.get_object()
        context["rows"] = [
            (names[form.initial.get("number") or int(form["number"].value())], form)
            for form in context["form"]
        ]
        return context

    def form_valid(self, formset):
        rows = {
            form.cleaned_data["number"]: {
                k: v for k, v in form.cleaned_data.items() if k != "number"
            }
            for form in formset
        }
        try:
            changed = services.save_scope(self.get_object(), actor=self.request.user, rows=rows)
        except ValidationError as exc:
            formset._non_form_errors = formset.error_class(exc.messages)
            return self.form_invalid(formset)
        messages.success(self.request, f"已保存工程范围，修改了 {changed} 项")
        return redirect("works:sheet", pk=self.get_object().pk)


class ScopeActionView(ScopedMixin, View):
    """Submit (street office), approve or return (HQ) a compound's scope."""

    queryset = Estate.objects.with_org()

    def post(self, request, pk, action):
        estate = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            if action == "submit":
                services.submit_scope(estate, actor=request.user)
                messages.success(request, "工程范围已报送指挥部审定")
            elif action == "approve":
                services.approve_scope(estate, actor=request.user)
                messages.success(request, "工程范围已审定")
            elif action == "return":
                services.return_scope(
                    estate, actor=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, "已退回街道办事处修改")
            else:
                raise Http404
        except ValidationError as exc:
            _message_service_error(request, exc)
        return redirect("works:sheet", pk=pk)


class ItemTransitionView(ScopedMixin, View):
    """One progress move of a compound-item: start, progress or finish."""

    queryset = EstateWorksItem.objects.select_related("estate__community")

    def post(self, request, pk, action):
        item = get_object_or_404(self.get_queryset(), pk=pk)
        if action not in services.TRANSITIONS:
            raise Http404
        require(
            services.can_report_progress(request.user, item.estate),
            "您没有权限填报该小区的工程进度",
        )
        form = TransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
            return redirect("works:sheet", pk=item.estate_id)
        data = form.cleaned_data
        kwargs = {}
        if action in ("start", "finish"):
            kwargs["on"] = data["on"] or _today()
        if action == "progress":
            kwargs["percent"] = data["percent"]
        try:
            services.TRANSITIONS[action](item, actor=request.user, **kwargs)
            messages.success(request, "已更新工程进度")
        except ValidationError as exc:
            _message_service_error(request, exc)
        return redirect("works:sheet", pk=item.estate_id)


class WorksExportView(FilteredListMixin, View):
    queryset = DISTRICT_ESTATES
    filterset_class = EstateProgressFilterSet

    def get(self, request):
        # Twelve rows per compound: a district-wide sheet is built by a worker.
        return export_or_enqueue(request, "works_sheet", self.get_filterset().qs, rows_per_item=12)


# --- schedule ----------------------------------------------------------------------------
class ScheduleView(FilteredListMixin, TemplateView):
    """工程进度计划安排表: planned against actual per compound of a street office, or per
    street office for the district, as a Gantt chart; overdue compounds marked."""

    template_name = "works/schedule.html"
    queryset = DISTRICT_ESTATES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, today = self.request.user, _today()
        filterset = ScheduleFilterSet(self.request.GET, request=self.request)
        chosen = filterset.selection()
        office = chosen["street_office"]
        snapshot = None
        campaign = chosen["campaign"]
        # HQ's whole district in the current campaign: the roll-up's snapshot (bounded).
        district_wide = user.is_hq and office is None and campaign is not None
        if district_wide and campaign == Campaign.objects.current(today):
            snapshot = street_office_snapshot(gantt.SNAPSHOT_METRICS, today)
        context.update(
            gantt.schedule(
                self.get_queryset(),
                today=today,
                paginate=self.paginate,
                snapshot=snapshot,
                **chosen,
            ),
            filter=filterset,
            campaign=chosen["campaign"],
            office=office,
            overdue_only=chosen["overdue_only"],
            today=today,
            campaigns=Campaign.objects.all(),
            offices=StreetOffice.objects.visible_to(user),
            can_edit=office is not None
            and services.can_edit_schedule(user)
            and (user.is_hq_staff or office.pk == user.street_office_id),
        )
        return context


class ScheduleEditView(ScopedMixin, FormView):
    """A street office fills in its progress schedule: planned start and finish per
    compound of the current campaign."""

    template_name = "works/schedule_form.html"
    form_class = ScheduleFormSet
    queryset = StreetOffice.objects.all()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.office = get_object_or_404(self.get_queryset(), pk=kwargs["office"])
            if not (
                request.user.is_hq_staff
                or (
                    request.user.is_street_staff and request.user.street_office_id == self.office.pk
                )
            ):
                raise PermissionDenied("只能编制本街道办事处的进度计划")
        return super().dispatch(request, *args, **kwargs)

    def estates(self):
        campaign = Campaign.objects.current(_today())
        return (
            Estate.objects.visible_to(self.request.user)
            .active()
            .filter(community__street_office=self.office, campaign=campaign)
            .select_related("community", "works_schedule")
            .order_by("community__name", "name")
        )

    def get_initial(self):
        self._estates = list(self.estates())
        initial = []
        for estate in self._estates:
            schedule = getattr(estate, "works_schedule", None)
            initial.append(
                {
                    "estate": estate.pk,
                    "planned_start": schedule.planned_start if schedule else None,
                    "planned_finish": schedule.planned_finish if schedule else None,
                }
            )
        return initial

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "prefix": "schedule"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        by_pk = {e.pk: e for e in self._estates}
        context["office"] = self.office
        context["rows"] = [(by_pk.get(int(f["estate"].value())), f) for f in context["form"]]
        return context

    def form_valid(self, formset):
        by_pk = {e.pk: e for e in self._estates}
        rows = []
        for form in formset:
            data = form.cleaned_data
            estate = by_pk.get(data.get("estate"))
            if estate is None:
                formset._non_form_errors = formset.error_class(["所选小区不在本街道办事处"])
                return self.form_invalid(formset)
            if data.get("planned_start"):
                rows.append((estate, data["planned_start"], data["planned_finish"]))
        try:
            changed = services.save_schedule(actor=self.request.user, rows=rows)
        except ValidationError as exc:
            formset._non_form_errors = formset.error_class(exc.messages)
            return self.form_invalid(formset)
        messages.success(self.request, f"进度计划已保存，修改了 {changed} 个小区")
        return redirect(f"{reverse('works:schedule')}?street_office={self.office.pk}")


class ScheduleExportView(LoginRequiredMixin, View):
    def get(self, request):
        user, today = request.user, _today()
        chosen = ScheduleFilterSet(request.GET, request=request).selection()
        campaign = chosen["campaign"]
        queryset = progress_estates(user, today)
        if campaign:
            queryset = queryset.filter(campaign=campaign)
        if chosen["street_office"]:
            queryset = queryset.filter(community__street_office=chosen["street_office"])
        workbook = exports.schedule_workbook(queryset, unit=user.scope_label, campaign=campaign)
        return xlsx_response(workbook, f"工程进度计划安排表_{today:%Y%m%d}.xlsx")


# --- companies ---------------------------------------------------------------------------
class CompanyListView(FilteredListMixin, TemplateView):
    template_name = "works/company_list.html"
    queryset = Company.objects.all()
    filterset_class = CompanyFilterSet

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(contract_count=Count("contracts", distinct=True))
            .order_by("role", "name")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.get_filterset()
        context["filter"] = filterset
        context["page_obj"] = self.paginate(filterset.qs)
        context["can_edit"] = services.can_manage_tenders(self.request.user)
        return context


class CompanyFormView(ScopedMixin, WriteAllowedMixin, FormView):
    template_name = "works/company_form.html"
    form_class = CompanyForm
    queryset = Company.objects.all()

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        if not hasattr(self, "object"):
            self.object = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return self.object

    def can_write(self, user, obj=None):
        return services.can_manage_tenders(user)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.get_object():
            kwargs["instance"] = Company.objects.get(pk=self.get_object().pk)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(company=self.get_object(), **kwargs)

    def form_valid(self, form):
        company = self.get_object()
        if company is None:
            result = apply_service(
                form,
                lambda: services.create_company(actor=self.request.user, values=form.cleaned_data),
            )
        else:
            result = apply_service(
                form,
                lambda: services.update_company(
                    company, actor=self.request.user, values=form.cleaned_data
                ),
            )
        if result is None:
            return self.form_invalid(form)
        messages.success(self.request, "已保存单位信息")
        return redirect("works:companies")


# --- tenders and contracts ---------------------------------------------------------------
def _count_per_package(rows, outer: str = "pk"):
    """The number of ``rows`` (package items, bids) of the package ``outer``; 0 if none."""
    counted = rows.filter(package=OuterRef(outer)).order_by().values("package")
    return Coalesce(
        Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
    )


class TenderListView(FilteredListMixin, TemplateView):
    template_name = "works/tender_list.html"
    queryset = TenderPackage.objects.all()
    filterset_class = TenderPackageFilterSet

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("campaign", "contract__contractor")
            # Counted per package of the page by correlated subqueries: a COUNT(DISTINCT)
            # over the join of packages, items and bids multiplied every package's rows.
            .annotate(
                item_count=_count_per_package(TenderPackageItem.objects.all()),
                bid_count=_count_per_package(Bid.objects.all()),
            )
            .order_by("-bid_opening_date", "-id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.get_filterset()
        context["filter"] = filterset
        context["page_obj"] = self.paginate(filterset.qs)
        context["can_create"] = services.can_manage_tenders(self.request.user)
        context["show_amounts"] = services.can_see_amounts(self.request.user)
        return context


class TenderCreateView(LoginRequiredMixin, WriteAllowedMixin, FormView):
    template_name = "works/tender_form.html"
    form_class = TenderPackageForm
    queryset = TenderPackage.objects.all()

    def can_write(self, user, obj=None):
        return services.can_manage_tenders(user)

    def get_campaign(self):
        return _campaign_param(self.request) or Campaign.objects.current(_today())

    def get_street_office(self):
        value = self.request.GET.get("street_office")
        return StreetOffice.objects.filter(pk=value).first() if value and value.isdigit() else None

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "campaign": self.get_campaign(),
            "street_office": self.get_street_office(),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["campaign"] = self.get_campaign()
        context["campaigns"] = Campaign.objects.all()
        context["offices"] = StreetOffice.objects.all()
        context["office"] = self.get_street_office()
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        package = apply_service(
            form,
            lambda: services.create_package(
                actor=self.request.user,
                campaign=form.campaign,
                number=data["number"],
                name=data["name"],
                control_price=data["control_price"],
                bid_opening_date=data["bid_opening_date"],
                works_items=list(data["works_items"]),
            ),
        )
        if package is None:
            return self.form_invalid(form)
        messages.success(self.request, f"已新建标段 {package.number}")
        return redirect("works:tender", pk=package.pk)


class TenderDetailView(ScopedMixin, DetailView):
    template_name = "works/tender_detail.html"
    queryset = TenderPackage.objects.select_related(
        "campaign", "contract__contractor", "contract__supervisor", "contract__winning_bid"
    )
    context_object_name = "package"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, package = self.request.user, self.object
        context["items"] = (
            EstateWorksItem.objects.visible_to(user)
            .filter(package_items__package=package)
            .select_related("estate__community__street_office", "works_item")
            .order_by("estate__name", "works_item__number")
        )
        context["bids"] = package.bids.select_related("contractor").order_by("amount")
        context["contract"] = getattr(package, "contract", None)
        context["show_amounts"] = services.can_see_amounts(user)
        manage = services.can_manage_tenders(user) and package.status == TenderPackage.Status.OPEN
        context["can_manage"] = manage
        if manage:
            context["bid_form"] = kwargs.get("bid_form") or BidForm()
            context["award_form"] = kwargs.get("award_form") or AwardForm(package=package)
            context["cancel_form"] = ReasonForm()
        context["history"] = audit.history_for(package)[:30]
        return context


class TenderActionView(ScopedMixin, View):
    """HQ records a bid, awards the package (signing the contract) or cancels it."""

    queryset = TenderPackage.objects.all()

    def post(self, request, pk, action):
        package = get_object_or_404(self.get_queryset(), pk=pk)
        require(services.can_manage_tenders(request.user), "只有指挥部办公室可以组织招标")
        view = TenderDetailView()
        view.setup(request, pk=pk)
        view.object = package
        if action == "bid":
            form = BidForm(request.POST)
            ok = form.is_valid() and apply_service(
                form,
                lambda: services.record_bid(
                    package,
                    actor=request.user,
                    contractor=form.cleaned_data["contractor"],
                    amount=form.cleaned_data["amount"],
                ),
            )
            if not ok:
                return view.render_to_response(view.get_context_data(object=package, bid_form=form))
            messages.success(request, "已录入投标报价")
        elif action == "award":
            form = AwardForm(request.POST, package=package)
            ok = form.is_valid() and apply_service(
                form,
                lambda: services.award_package(package, actor=request.user, **form.cleaned_data),
            )
            if not ok:
                return view.render_to_response(
                    view.get_context_data(object=package, award_form=form)
                )
            messages.success(request, "已定标并签订合同")
        elif action == "cancel":
            try:
                services.cancel_package(
                    package, actor=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, "标段已撤销，其工程项目可重新招标")
            except ValidationError as exc:
                _message_service_error(request, exc)
        else:
            raise Http404
        return redirect("works:tender", pk=pk)


class ContractListView(FilteredListMixin, TemplateView):
    template_name = "works/contract_list.html"
    queryset = Contract.objects.all()
    filterset_class = ContractFilterSet

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("package", "contractor", "supervisor")
            .annotate(item_count=_count_per_package(TenderPackageItem.objects.all(), "package"))
            .order_by("-signed_on", "-id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.get_filterset()
        context["filter"] = filterset
        context["page_obj"] = self.paginate(filterset.qs)
        context["show_amounts"] = services.can_see_amounts(self.request.user)
        return context


# --- campaigns ---------------------------------------------------------------------------
class CampaignListView(LoginRequiredMixin, TemplateView):
    """Each campaign's milestones, with its compounds and how many are overdue today."""

    template_name = "works/campaign_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, today = self.request.user, _today()
        visible = Estate.objects.visible_to(user).active()
        context["campaigns"] = Campaign.objects.annotate(
            estate_count=Count("estates", filter=Q(estates__in=visible.values("pk"))),
            overdue_count=Count(
                "estates",
                filter=Q(estates__in=visible.filter(overdue_q(today)).values("pk")),
            ),
        )
        context["can_edit"] = services.can_manage_tenders(user)
        context["today"] = today
        return context


class CampaignEditView(LoginRequiredMixin, WriteAllowedMixin, FormView):
    template_name = "works/campaign_form.html"
    form_class = CampaignForm

    def get_object(self):
        if not hasattr(self, "object"):
            self.object = get_object_or_404(Campaign, pk=self.kwargs["pk"])
        return self.object

    def can_write(self, user, obj=None):
        return services.can_manage_tenders(user)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": Campaign.objects.get(pk=self.get_object().pk),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(campaign=self.get_object(), **kwargs)

    def form_valid(self, form):
        changes = apply_service(
            form,
            lambda: services.update_campaign(
                self.get_object(), actor=self.request.user, values=form.cleaned_data
            ),
        )
        if changes is None:
            return self.form_invalid(form)
        messages.success(self.request, f"已保存，修改了 {len(changes)} 项")
        return redirect("works:campaigns")


# --- company accounts and supervision notes ------------------------------------------------
class CompanyAccountsView(ScopedMixin, WriteAllowedMixin, FormView):
    """A company's accounts, and the form by which HQ office staff open another."""

    template_name = "works/company_accounts.html"
    form_class = CompanyAccountForm
    queryset = Company.objects.all()

    def get_object(self):
        if not hasattr(self, "object"):
            self.object = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return self.object

    def can_write(self, user, obj=None):
        return services.can_manage_tenders(user)

    def get_context_data(self, **kwargs):
        company = self.get_object()
        accounts = company.accounts.select_related("user").order_by("user__username")
        return super().get_context_data(company=company, accounts=accounts, **kwargs)

    def form_valid(self, form):
        company = self.get_object()
        user = apply_service(
            form,
            lambda: services.create_company_account(
                company, actor=self.request.user, **form.cleaned_data
            ),
        )
        if user is None:
            return self.form_invalid(form)
        messages.success(self.request, f"已为 {company.name} 开设账号 {user.username}")
        return redirect("works:company-accounts", pk=company.pk)


class SupervisionNoteCreateView(ScopedMixin, FormView):
    """A supervision engineer writes a note on a compound their firm supervises."""

    template_name = "works/supervision_note_form.html"
    form_class = SupervisionNoteForm
    queryset = Estate.objects.all()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.estate = get_object_or_404(self.get_queryset(), pk=kwargs["estate_pk"])
            require(
                services.supervises(request.user, self.estate),
                "只有承担该小区监理的监理工程师可以填写监理意见",
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(estate=self.estate, **kwargs)

    def form_valid(self, form):
        note = apply_service(
            form,
            lambda: services.add_supervision_note(
                self.estate, actor=self.request.user, text=form.cleaned_data["text"]
            ),
        )
        if note is None:
            return self.form_invalid(form)
        messages.success(self.request, "已提交监理意见")
        return redirect("estates:detail", pk=self.estate.pk)
