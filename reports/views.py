from urllib.parse import quote

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import DetailView, ListView

from reports import exports, services
from reports.models import ExportJob
from reports.xlsx import XLSX_MIME, xlsx_response


def export_or_enqueue(request, kind: str, queryset):
    """Small exports are built in the request; large ones become a job to watch."""
    if queryset.count() <= exports.SYNC_ROW_LIMIT:
        workbook, filename, _ = exports.build(kind, request.user, request.GET.urlencode())
        return xlsx_response(workbook, filename)
    job = services.request_export(actor=request.user, kind=kind, params=request.GET.urlencode())
    return redirect("reports:export-detail", pk=job.pk)


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
