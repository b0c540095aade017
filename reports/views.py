from urllib.parse import quote

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from estates import exports
from estates.models import ExportJob
from estates.pdf import PDF_MIME, render_pdf
from estates.tasklist import remember_todo_count, todo_for
from estates.xlsx import XLSX_MIME, xlsx_response
from reports.weekly_pack import build_pack, pack_workbook, parse_meeting


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
        response = FileResponse(job.file.open("rb"), content_type=XLSX_MIME)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(job.filename)}"
        return response


def table_view(sheet):
    """A Sheet as the page and the PDF show it: header, rows and the 合计 row."""
    rows = list(sheet.rows)
    totals = []
    for index, column in enumerate(sheet.columns):
        if index == 0:
            totals.append("合计")
        elif column.total:
            totals.append(sum(row[index] or 0 for row in rows))
        else:
            totals.append("")
    has_totals = any(c.total for c in sheet.columns)
    return {"sheet": sheet, "rows": rows, "totals": totals if has_totals else None}


class WeeklyPackMixin(LoginRequiredMixin):
    """The pack for the Tuesday meeting named by ``?meeting=`` (default: the next one)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.role:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_pack(self):
        meeting = parse_meeting(self.request.GET.get("meeting"), timezone.localdate())
        return build_pack(self.request.user, meeting)


class WeeklyPackView(WeeklyPackMixin, TemplateView):
    template_name = "reports/weekly.html"

    def get_context_data(self, **kwargs):
        pack = self.get_pack()
        tables = [table_view(sheet) for sheet in pack.sections]
        return super().get_context_data(pack=pack, tables=tables, **kwargs)


class WeeklyPackExcelView(WeeklyPackMixin, View):
    def get(self, request):
        pack = self.get_pack()
        return xlsx_response(pack_workbook(pack), f"周报_{pack.meeting:%Y%m%d}.xlsx")


class WeeklyPackPdfView(WeeklyPackMixin, View):
    def get(self, request):
        pack = self.get_pack()
        tables = [table_view(sheet) for sheet in pack.sections]
        content = render_pdf(
            "reports/weekly_pdf.html",
            {"pack": pack, "tables": tables, "printed": timezone.localtime()},
        )
        response = HttpResponse(content, content_type=PDF_MIME)
        filename = quote(f"周报_{pack.meeting:%Y%m%d}.pdf")
        response["Content-Disposition"] = f"inline; filename*=UTF-8''{filename}"
        return response


class TodoView(LoginRequiredMixin, TemplateView):
    """我的待办: everything that waits on the user, each linking to the place to act."""

    template_name = "reports/todo.html"

    def get_context_data(self, **kwargs):
        groups = todo_for(self.request.user)
        remember_todo_count(self.request, groups)
        return super().get_context_data(groups=groups, **kwargs)
