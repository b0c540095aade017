from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from estates import audit, exports
from estates.asof import Scope
from estates.models import ExportJob, StreetOffice
from estates.tasklist import remember_todo_count, todo_for
from estates.xlsx import XLSX_MIME, build_workbook, xlsx_response
from reports import dashboard, league, maps, rollup, services
from reports.forms import LeagueWeightsForm
from reports.models import LeagueWeights
from reports.units import unit_for
from reports.weekly_pack import build_pack, pack_workbook, parse_meeting, week_of


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
        return build_pack(Scope.for_user(self.request.user), week_of(meeting, today))


class WeeklyPackView(WeeklyPackMixin, TemplateView):
    template_name = "reports/weekly.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(pack=self.get_pack(), **kwargs)


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
        on = rollup.latest_date(on=today)
        weights = LeagueWeights.current()
        offices = list(StreetOffice.objects.visible_to(user).order_by("sort_order", "pk"))
        rows = league.table(on, weights, offices) if on else []
        return on, weights, rows


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
