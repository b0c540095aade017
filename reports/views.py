from datetime import date, timedelta
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, Q, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from estates import audit, exports
from estates.mixins import FilteredListMixin, ScopedMixin
from estates.models import ExportJob, StreetOffice
from estates.pdf import PDF_MIME
from estates.tasklist import remember_todo_count, todo_for
from estates.views import apply_service
from estates.xlsx import XLSX_MIME, build_workbook, xlsx_response
from reports import cycle, dashboard, forms, league, maps, meeting_pack, rollup, services
from reports.filtersets import ActionItemFilterSet, MeetingFilterSet
from reports.forms import LeagueWeightsForm
from reports.models import (
    ActionItem,
    LeagueWeights,
    Meeting,
    MeetingPack,
    ReportPhoto,
    WeeklyReport,
    takes_part_in_cycle,
)
from reports.units import Kind, unit_for
from reports.weekly_pack import (
    TUESDAY,
    meeting_for,
    pack_for_user,
    pack_workbook,
    parse_meeting,
    week_of,
)


class OwnJobsMixin(LoginRequiredMixin):
    def get_queryset(self):
        return ExportJob.objects.filter(owner=self.request.user)


class ExportListView(OwnJobsMixin, ListView):
    template_name = "reports/export_list.html"
    context_object_name = "jobs"
    paginate_by = 30


class ExportDetailView(OwnJobsMixin, DetailView):
    template_name = "reports/export_detail.html"
    context_object_name = "job"

    def get_context_data(self, **kwargs):
        return super().get_context_data(label=exports.label(self.object.kind), **kwargs)


class ExportDownloadView(OwnJobsMixin, View):
    def get(self, request, pk):
        job = get_object_or_404(self.get_queryset(), pk=pk)
        if job.status != ExportJob.Status.DONE or not job.file:
            raise Http404("文件尚未生成")
        media = job.file.name.rsplit(".", 1)[-1]
        mime = exports.MIME.get(media, XLSX_MIME)
        response = FileResponse(job.file.open("rb"), content_type=mime)
        # A PDF opens in the browser (a phone shows it at once); a workbook is saved.
        disposition = "inline" if media == "pdf" else "attachment"
        response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(job.filename)}"
        return response


class WeeklyPackMixin(LoginRequiredMixin):
    """The pack for the Tuesday meeting named by ``?meeting=`` (default: the last complete
    week's), within the user's scope."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.role:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_pack(self):
        today = timezone.localdate()
        meeting = parse_meeting(self.request.GET.get("meeting"), today)
        return pack_for_user(self.request.user, week_of(meeting, today))


class WeeklyPackView(WeeklyPackMixin, TemplateView):
    template_name = "reports/weekly.html"

    def get_context_data(self, **kwargs):
        pack = self.get_pack()
        # 例会日期 is a Tuesday: a list of meetings (no date picker in the browser's locale).
        upcoming = meeting_for(timezone.localdate())
        meetings = sorted(
            {upcoming - timedelta(weeks=n) for n in range(26)} | {pack.meeting}, reverse=True
        )
        return super().get_context_data(pack=pack, meetings=meetings, **kwargs)


class WeeklyPackExcelView(WeeklyPackMixin, View):
    def get(self, request):
        pack = self.get_pack()
        return xlsx_response(pack_workbook(pack), f"周报_{pack.meeting:%Y%m%d}.xlsx")


class WeeklyPackPdfView(WeeklyPackMixin, View):
    """The printable pack: a few seconds of layout, so a job the user watches."""

    def get(self, request):
        return exports.enqueue_pdf(request, "weekly_pack_pdf")


class TodoView(LoginRequiredMixin, TemplateView):
    """我的待办: everything that waits on the user, each linking to the place to act."""

    template_name = "reports/todo.html"

    def get_context_data(self, **kwargs):
        groups = todo_for(self.request.user)
        remember_todo_count(self.request, groups)
        return super().get_context_data(groups=groups, **kwargs)


# --- dashboards ------------------------------------------------------------------------------
class RoleRequiredMixin(LoginRequiredMixin):
    """Pages for users with a role; an account without one sees nothing (404)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.role:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class DashboardView(RoleRequiredMixin, TemplateView):
    """指挥部驾驶舱 for HQ (the district, its street offices as rows), the same dashboard
    for a street office (its communities as rows) or a community; ``?unit=`` opens another
    unit the user may see. Read from the snapshots (recomputed first when stale and no
    worker runs the roll-up)."""

    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs):
        unit = unit_for(self.request.user, self.request.GET.get("unit"))
        services.ensure_fresh(actor=self.request.user)
        board = dashboard.build(unit, timezone.localdate())
        return super().get_context_data(board=board, unit=unit, **kwargs)


class LeagueMixin(RoleRequiredMixin):
    def get_league(self):
        user = self.request.user
        services.ensure_fresh(actor=user)
        today = timezone.localdate()
        on = rollup.latest_date(Kind.STREET_OFFICE, today)  # the index's kind, no scan
        weights = LeagueWeights.current()
        # Ranked among every street office; a street office sees its own row and place.
        offices = list(StreetOffice.objects.order_by("sort_order", "pk"))
        visible = set(StreetOffice.objects.visible_to(user).values_list("pk", flat=True))
        rows = league.table(on, weights, offices) if on else []
        return on, weights, [row for row in rows if row.unit_id in visible]


class LeagueView(LeagueMixin, TemplateView):
    """排名通报: street offices ranked by HQ's weighted components (a street office
    sees the table too: the source document has HQ circulate it)."""

    template_name = "reports/league.html"

    def get_context_data(self, **kwargs):
        on, weights, rows = self.get_league()
        weight_values = weights.as_dict()
        return super().get_context_data(
            on=on,
            weights=weights,
            rows=rows,
            components=[(c, weight_values[c.key]) for c in league.COMPONENTS],
            can_set_weights=services.can_set_league_weights(self.request.user),
            **kwargs,
        )


class LeagueExcelView(LeagueMixin, View):
    def get(self, request):
        on, weights, rows = self.get_league()
        if on is None:
            raise Http404("尚无统计快照")
        sheet = league.league_sheet(rows, weights, on=on, unit=request.user.scope_label)
        return xlsx_response(build_workbook(sheet), f"排名通报_{on:%Y%m%d}.xlsx")


class LeagueWeightsView(RoleRequiredMixin, FormView):
    """HQ office staff set the weights; every change audited."""

    template_name = "reports/league_weights.html"
    form_class = LeagueWeightsForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.can_set_league_weights(request.user):
            raise PermissionDenied("只有指挥部办公室可以设置排名通报权重")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": LeagueWeights.current()}

    def get_context_data(self, **kwargs):
        weights = LeagueWeights.objects.filter(pk=1).first()
        history = audit.history_for(weights)[:20] if weights else []
        return super().get_context_data(history=history, **kwargs)

    def form_valid(self, form):
        try:
            changes = services.set_league_weights(actor=self.request.user, values=form.cleaned_data)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(
            self.request, f"已保存，修改了 {len(changes)} 项" if changes else "没有修改"
        )
        return redirect("reports:league")


class MapView(RoleRequiredMixin, TemplateView):
    """The compounds on a map drawn from their coordinates, coloured by phase and ringed
    when hazards are open; those without coordinates listed beside."""

    template_name = "reports/map.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        data = maps.map_data(user, timezone.localdate(), self.request.GET.get("street_office"))
        return super().get_context_data(map=data, **kwargs)


# === The Tuesday cycle ===================================================================
def _week_or_404(value: str) -> date:
    try:
        week = date.fromisoformat(value)
    except ValueError:
        raise Http404("日期格式应为 YYYY-MM-DD") from None
    if week.weekday() != TUESDAY:
        raise Http404("周报按例会日期（周二）填报")
    return week


class CycleMixin(LoginRequiredMixin):
    """Pages of the cycle are for HQ, street offices and communities (others get 404);
    rows come through ``visible_to``."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not takes_part_in_cycle(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


def _run(request, call, success: str):
    """Run a service from a bare POST; its refusal becomes a message on the page."""
    try:
        result = call()
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return None
    messages.success(request, success)
    return result


# --- weekly reports -------------------------------------------------------------------
class ReportListView(CycleMixin, TemplateView):
    """HQ: the board, street office × week. A street office: its own row, its reports and
    this week's."""

    template_name = "reports/report_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        try:
            end = date.fromisoformat(self.request.GET.get("end", ""))
            end = meeting_for(end)
        except ValueError:
            end = None
        now = timezone.now()
        week = cycle.current_week(now)
        context = {
            "board": cycle.board(user, end_week=end, now=now),
            "week": week,
            "deadline": cycle.deadline_for(week),
            "counts": cycle.week_counts(user, week, now),
            "can_write": services.can_write_report(user),
        }
        if not user.is_hq:
            context["reports"] = (
                WeeklyReport.objects.visible_to(user)
                .with_related()
                .order_by("-week", "-version")[:30]
            )
        return super().get_context_data(**context, **kwargs)


class ReportEditView(CycleMixin, FormView):
    """A clerk writes the brief of their street office's report due on ``week``; 保存草稿
    keeps it, 提交 submits it (the statistics are compiled and frozen then)."""

    template_name = "reports/report_form.html"
    form_class = forms.WeeklyReportForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.week = _week_or_404(kwargs["week"])
        if not services.can_write_report(request.user):
            raise PermissionDenied("只有街道办事处工作人员可以填写周报")
        self.street_office = request.user.street_office
        self.report = (
            WeeklyReport.objects.current()
            .filter(street_office=self.street_office, week=self.week)
            .first()
        )
        if self.report is not None and self.report.status != WeeklyReport.Status.DRAFT:
            messages.info(request, "本周周报已提交，不能再修改")
            return redirect("reports:report-detail", pk=self.report.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.report}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            week=self.week,
            report=self.report,
            deadline=cycle.deadline_for(self.week),
            street_office=self.street_office,
            **kwargs,
        )

    def form_valid(self, form):
        user = self.request.user

        def save():
            report = services.save_report_draft(
                actor=user,
                street_office=self.street_office,
                week=self.week,
                values=form.cleaned_data,
                photos=form.cleaned_data["photos"],
            )
            if "submit" in self.request.POST:
                report = services.submit_report(report, actor=user)
            return report

        with transaction.atomic():
            report = apply_service(form, save)
            if report is None:
                transaction.set_rollback(True)
        if report is None:
            return self.form_invalid(form)
        submitted = report.status == WeeklyReport.Status.SUBMITTED
        messages.success(
            self.request, "周报已提交，请街道办事处负责人签发" if submitted else "草稿已保存"
        )
        return redirect("reports:report-detail", pk=report.pk)


REPORT_ACTIONS = {
    "submit": ("提交", lambda r, u, d: services.submit_report(r, actor=u)),
    "sign": ("签发", lambda r, u, d: services.sign_report(r, actor=u)),
    "receive": ("接收", lambda r, u, d: services.receive_report(r, actor=u)),
    "return": ("退回", lambda r, u, d: services.return_report(r, actor=u, reason=d["reason"])),
    "revise": ("修订", lambda r, u, d: services.revise_report(r, actor=u)),
}


class ReportDetailView(CycleMixin, ScopedMixin, DetailView):
    queryset = WeeklyReport.objects.with_related().select_related("returned_by", "previous")
    template_name = "reports/report_detail.html"
    context_object_name = "report"

    def get_context_data(self, **kwargs):
        user = self.request.user
        report = self.object
        now = timezone.now()
        live = report.status == WeeklyReport.Status.DRAFT
        statistics = (
            cycle.compile_statistics(
                report.street_office, report.week, today=timezone.localdate(now)
            )
            if live
            else report.statistics
        )
        S = WeeklyReport.Status
        actions = []
        if report.is_current:
            if report.status == S.DRAFT and services.can_write_report(
                user, report.street_office_id
            ):
                actions.append("submit")
            if report.status == S.SUBMITTED and services.can_sign_report(user, report):
                actions.append("sign")
            if report.status == S.SIGNED and services.can_manage_cycle(user):
                actions.append("receive")
            if report.status in (S.SUBMITTED, S.SIGNED) and services.can_manage_cycle(user):
                actions.append("return")
            if report.status == S.RETURNED and services.can_write_report(
                user, report.street_office_id
            ):
                actions.append("revise")
        versions = (
            WeeklyReport.objects.visible_to(user)
            .filter(street_office=report.street_office_id, week=report.week)
            .order_by("version")
            .only("pk", "version", "status", "is_current", "submitted_at")
        )
        return super().get_context_data(
            statistics=statistics,
            tables=[
                meeting_pack._table(s["columns"], s["rows"], with_totals=False)
                | {"title": s["title"], "notes": s["notes"]}
                for s in statistics.get("sections", ())
            ],
            live=live,
            verdict=cycle.verdict(report, report.week, now),
            deadline=cycle.deadline_for(report.week),
            actions=actions,
            can_edit=live and services.can_write_report(user, report.street_office_id),
            return_form=kwargs.pop("return_form", None) or forms.ReasonForm(),
            versions=versions,
            photos=list(report.photos.all()),
            history=audit.history_for(report)[:50],
            states=[s for s in S.choices if s[0] != S.RETURNED],
            **kwargs,
        )


class ReportActionView(CycleMixin, ScopedMixin, View):
    queryset = WeeklyReport.objects.with_related()

    def post(self, request, pk, action):
        report = get_object_or_404(self.get_queryset(), pk=pk)
        if action not in REPORT_ACTIONS:
            raise Http404
        label, call = REPORT_ACTIONS[action]
        data = {}
        if action == "return":
            form = forms.ReasonForm(request.POST)
            if not form.is_valid():
                messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
                return redirect("reports:report-detail", pk=pk)
            data = form.cleaned_data
        result = _run(request, lambda: call(report, request.user, data), f"已{label}")
        if action == "revise" and result is not None:
            return redirect("reports:report-edit", week=result.week.isoformat())
        return redirect("reports:report-detail", pk=pk)


class ReportPhotoView(LoginRequiredMixin, View):
    def get(self, request, public_id):
        photo = get_object_or_404(ReportPhoto.objects.visible_to(request.user), public_id=public_id)
        try:
            handle = photo.file.open("rb")
        except FileNotFoundError:
            raise Http404("照片文件不存在") from None
        response = FileResponse(handle, content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- meetings -------------------------------------------------------------------------
class MeetingListView(CycleMixin, FilteredListMixin, TemplateView):
    queryset = Meeting.objects.annotate(
        item_count=Count("action_items", distinct=True),
        open_count=Count(
            "action_items", filter=~Q(action_items__status=ActionItem.Status.CLOSED), distinct=True
        ),
        pack_count=Count("packs", filter=Q(packs__status=MeetingPack.Status.DONE), distinct=True),
    ).order_by("-date")
    filterset_class = MeetingFilterSet
    template_name = "reports/meeting_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = filterset = self.get_filterset()
        context["page_obj"] = self.paginate(filterset.qs)
        context["can_manage"] = services.can_manage_cycle(self.request.user)
        return context


class MeetingFormView(CycleMixin, FormView):
    """Record a meeting, or correct one (``pk``)."""

    template_name = "reports/form_page.html"
    form_class = forms.MeetingForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.meeting = (
            get_object_or_404(Meeting.objects.visible_to(request.user), pk=kwargs["pk"])
            if "pk" in kwargs
            else None
        )
        if not services.can_manage_cycle(request.user):
            raise PermissionDenied("只有指挥部办公室可以记录周例会")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {} if self.meeting else {"date": meeting_for(timezone.localdate())}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.meeting}

    def get_context_data(self, **kwargs):
        back = (
            reverse("reports:meeting-detail", args=[self.meeting.pk])
            if self.meeting
            else reverse("reports:meeting-list")
        )
        return super().get_context_data(
            title="修改周例会记录" if self.meeting else "记录周例会", back=back, **kwargs
        )

    def form_valid(self, form):
        meeting = apply_service(
            form,
            lambda: services.record_meeting(
                actor=self.request.user, values=form.cleaned_data, meeting=self.meeting
            ),
        )
        if meeting is None:
            return self.form_invalid(form)
        messages.success(self.request, "已保存周例会记录")
        return redirect("reports:meeting-detail", pk=meeting.pk)


class MeetingDetailView(CycleMixin, ScopedMixin, DetailView):
    queryset = Meeting.objects.select_related("recorded_by")
    template_name = "reports/meeting_detail.html"
    context_object_name = "meeting"

    def get_context_data(self, **kwargs):
        user = self.request.user
        meeting = self.object
        visible = set(ActionItem.objects.visible_to(user).values_list("pk", flat=True))
        carried = [(c, i) for c, i in cycle.pack_action_items(meeting) if i.pk in visible]
        can_manage = services.can_manage_cycle(user)
        return super().get_context_data(
            carried=carried,
            own_items=[i for c, i in carried if i.meeting_id == meeting.pk],
            can_manage=can_manage,
            item_form=kwargs.pop("item_form", None) or forms.ActionItemForm(),
            issue_form=forms.IssueForm.fresh(),
            packs=MeetingPack.objects.visible_to(user).filter(meeting=meeting).order_by("-version"),
            counts=cycle.week_counts(user, meeting.week, timezone.now()),
            history=audit.history_for(meeting)[:30],
            **kwargs,
        )


class ItemCreateView(CycleMixin, ScopedMixin, View):
    queryset = Meeting.objects.all()

    def post(self, request, pk):
        meeting = get_object_or_404(self.get_queryset(), pk=pk)
        if not services.can_manage_cycle(request.user):
            raise PermissionDenied("只有指挥部办公室可以交办督办事项")
        form = forms.ActionItemForm(request.POST)
        if form.is_valid():
            item = apply_service(
                form,
                lambda: services.assign_action_item(
                    meeting, actor=request.user, **form.cleaned_data
                ),
            )
            if item is not None:
                messages.success(request, f"已交办第 {item.number} 项：{item.assignee_name}")
                return redirect("reports:meeting-detail", pk=pk)
        view = MeetingDetailView(request=request, kwargs={"pk": pk})
        view.object = meeting
        response = view.render_to_response(view.get_context_data(item_form=form))
        response.status_code = 400
        return response


class PackIssueView(CycleMixin, ScopedMixin, View):
    queryset = Meeting.objects.all()

    def post(self, request, pk):
        meeting = get_object_or_404(self.get_queryset(), pk=pk)
        if not services.can_manage_cycle(request.user):
            raise PermissionDenied("只有指挥部办公室可以印发例会材料")
        form = forms.IssueForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请求无效，请刷新页面后重试")
            return redirect("reports:meeting-detail", pk=pk)
        pack = _run(
            request,
            lambda: services.issue_pack(
                meeting, actor=request.user, request_key=form.cleaned_data["request_key"]
            ),
            "已开始生成例会材料",
        )
        if pack is None:
            return redirect("reports:meeting-detail", pk=pk)
        return redirect("reports:pack-detail", pk=pack.pk)


class PackDetailView(CycleMixin, ScopedMixin, DetailView):
    queryset = MeetingPack.objects.select_related("meeting", "requested_by")
    template_name = "reports/pack_detail.html"
    context_object_name = "pack"


class PackDownloadView(CycleMixin, ScopedMixin, View):
    """The issued file exactly as stored, with its checksum in a header."""

    queryset = MeetingPack.objects.select_related("meeting")
    FORMATS = {"pdf": ("pdf", "pdf_sha256", PDF_MIME), "xlsx": ("xlsx", "xlsx_sha256", XLSX_MIME)}

    def get(self, request, pk, fmt):
        pack = get_object_or_404(self.get_queryset(), pk=pk)
        if fmt not in self.FORMATS:
            raise Http404
        field, sha_field, mime = self.FORMATS[fmt]
        stored = getattr(pack, field)
        if pack.status != MeetingPack.Status.DONE or not stored:
            raise Http404("例会材料尚未生成")
        response = FileResponse(stored.open("rb"), content_type=mime)
        filename = quote(f"{pack.basename}.{fmt}")
        disposition = "inline" if fmt == "pdf" else "attachment"
        response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{filename}"
        response["X-Content-SHA256"] = getattr(pack, sha_field)
        return response


# --- action items ---------------------------------------------------------------------
class ItemListView(CycleMixin, FilteredListMixin, TemplateView):
    queryset = ActionItem.objects.with_related()
    filterset_class = ActionItemFilterSet
    template_name = "reports/item_list.html"

    def get_queryset(self):
        overdue = Q(deadline__lt=timezone.localdate()) & ~Q(status=ActionItem.Status.CLOSED)
        return (
            super()
            .get_queryset()
            .annotate(
                overdue_first=Case(
                    When(overdue, then=0),
                    When(status=ActionItem.Status.CLOSED, then=2),
                    default=1,
                )
            )
            .order_by("overdue_first", "deadline", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = filterset = self.get_filterset()
        context["page_obj"] = self.paginate(filterset.qs)
        context["today"] = timezone.localdate()
        return context


ITEM_ACTIONS = {
    "reply": (forms.ReplyForm, "回复"),
    "close": (forms.NoteForm, "确认办结"),
    "send-back": (forms.RequiredNoteForm, "退回"),
    "reopen": (forms.RequiredNoteForm, "重新打开"),
}


class ItemDetailView(CycleMixin, ScopedMixin, DetailView):
    queryset = ActionItem.objects.with_related().select_related("created_by")
    template_name = "reports/item_detail.html"
    context_object_name = "item"

    def get_context_data(self, **kwargs):
        user = self.request.user
        item = self.object
        S = ActionItem.Status
        actions = []
        if item.status == S.OPEN and services.can_reply_item(user, item):
            actions.append("reply")
        if services.can_manage_cycle(user):
            if item.status in (S.OPEN, S.REPLIED):
                actions.append("close")
            if item.status == S.REPLIED:
                actions.append("send-back")
            if item.status == S.CLOSED:
                actions.append("reopen")
        bound = kwargs.pop("bound", {})
        return super().get_context_data(
            replies=item.replies.select_related("replied_by").prefetch_related("photos"),
            action_forms=[
                (a, ITEM_ACTIONS[a][1], bound.get(a) or ITEM_ACTIONS[a][0]()) for a in actions
            ],
            history=audit.history_for(item)[:30],
            **kwargs,
        )


class ItemActionView(CycleMixin, ScopedMixin, View):
    queryset = ActionItem.objects.with_related()

    def post(self, request, pk, action):
        item = get_object_or_404(self.get_queryset(), pk=pk)
        if action not in ITEM_ACTIONS:
            raise Http404
        form_class, label = ITEM_ACTIONS[action]
        form = form_class(request.POST, request.FILES)
        user = request.user
        if form.is_valid():
            data = form.cleaned_data
            calls = {
                "reply": lambda: services.reply_action_item(
                    item, actor=user, text=data["text"], photos=data["photos"]
                ),
                "close": lambda: services.close_action_item(item, actor=user, note=data["note"]),
                "send-back": lambda: services.send_back_action_item(
                    item, actor=user, note=data["note"]
                ),
                "reopen": lambda: services.reopen_action_item(item, actor=user, note=data["note"]),
            }
            if apply_service(form, calls[action]) is not None:
                messages.success(request, f"已{label}")
                return redirect("reports:item-detail", pk=pk)
        view = ItemDetailView(request=request, kwargs={"pk": pk})
        view.object = item
        response = view.render_to_response(view.get_context_data(bound={action: form}))
        response.status_code = 400
        return response
