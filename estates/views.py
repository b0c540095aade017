from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from estates import audit, geo, services
from estates.asof import computed_label
from estates.exports import export_or_enqueue
from estates.filtersets import EstateFilterSet
from estates.forms import ArchiveForm, EstateForm, ImportForm, NotificationPreferencesForm
from estates.hooks import app_modules
from estates.importing import build_template, check_upload, request_import
from estates.mixins import FilteredListMixin, ScopedMixin, WriteAllowedMixin
from estates.models import Estate, ImportJob, Message
from estates.tasklist import remember_todo_count
from estates.xlsx import xlsx_response


def apply_service(form, call):
    """Run a service for a valid form; its ValidationError lands on the form's fields."""
    try:
        return call()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return None


class HomeView(LoginRequiredMixin, TemplateView):
    """One page per role: HQ sees the campaign at a glance, a street office its own work.
    Each app adds its panels through ``<app>.home.panels(user)``."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        panels = [p for module in app_modules("home") for p in module.panels(user)]
        for panel in panels:
            # The to-do panel remembers its count for the navigation (estates.tasklist).
            if "todo_groups" in panel:
                remember_todo_count(self.request, panel["todo_groups"])
        # A clerk's "today's patrols" comes before the ledger; HQ sees the campaign first.
        context["panels"] = sorted(panels, key=lambda panel: panel.get("order", 50))
        context["computed"] = computed_label()
        return context


def with_columns(estates, columns: dict) -> None:
    """Set the other apps' columns (``estate_list`` hooks) on a page of compounds, read
    for those compounds only: annotated on the whole list, PostgreSQL evaluated them for
    every compound of the filter before sorting (a second at 50,000 compounds)."""
    if not columns or not estates:
        return
    found = {
        row["pk"]: row
        for row in Estate.objects.filter(pk__in=[e.pk for e in estates])
        .order_by()
        .annotate(**columns)
        .values("pk", *columns)
    }
    for estate in estates:
        for name in columns:
            setattr(estate, name, found[estate.pk][name])


class EstateListView(FilteredListMixin, TemplateView):
    queryset = Estate.objects.with_org()
    filterset_class = EstateFilterSet
    template_name = "estates/estate_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.get_filterset()
        rows = filterset.qs
        context["filter"] = filterset
        today = timezone.localdate()
        columns = {
            name: expression
            for module in app_modules("estate_list")
            for name, expression in module.annotations(today).items()
        }
        context["totals"] = rows.aggregate(
            estates=Count("id"), households=Sum("household_count"), area=Sum("floor_area")
        )
        # The totals' count is the list's count: the paginator does not count again.
        paginator = self.paginator_class(rows, self.paginate_by)
        paginator.count = context["totals"]["estates"]
        page = paginator.get_page(self.request.GET.get("page"))
        with_columns(page.object_list, columns)
        context["page_obj"] = page
        context["can_create"] = services.can_edit_estate(self.request.user)
        return context


class EstateDetailView(ScopedMixin, DetailView):
    queryset = Estate.objects.with_org()
    template_name = "estates/estate_detail.html"
    context_object_name = "estate"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["history"] = audit.history_for(self.object)[:50]
        context["can_edit"] = services.can_edit_estate(user, self.object)
        context["can_archive"] = services.can_archive_estate(user)
        context["archive_form"] = ArchiveForm()
        context["sections"] = [
            section
            for module in app_modules("estate_page")
            for section in module.sections(user, self.object)
        ]
        return context


class EstateCreateView(ScopedMixin, WriteAllowedMixin, FormView):
    queryset = Estate.objects.all()
    form_class = EstateForm
    template_name = "estates/estate_form.html"

    def can_write(self, user, obj=None):
        return services.can_edit_estate(user)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        estates = Estate.objects.visible_to(self.request.user).active()
        return super().get_context_data(map_picker=geo.picker(estates), **kwargs)

    def form_valid(self, form):
        estate = apply_service(
            form,
            lambda: services.create_estate(actor=self.request.user, values=form.cleaned_data),
        )
        if estate is None:
            return self.form_invalid(form)
        messages.success(self.request, f"已新增小区「{estate.name}」")
        return redirect("estates:detail", pk=estate.pk)


class EstateUpdateView(ScopedMixin, WriteAllowedMixin, FormView):
    queryset = Estate.objects.with_org()
    form_class = EstateForm
    template_name = "estates/estate_form.html"

    def get_object(self):
        if not hasattr(self, "object"):
            self.object = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return self.object

    def can_write(self, user, obj=None):
        return services.can_edit_estate(user, obj)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # The form edits a copy; the service re-reads the row under a lock and diffs it.
        kwargs["instance"] = Estate.objects.get(pk=self.get_object().pk)
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        estate = self.get_object()
        estates = Estate.objects.visible_to(self.request.user).active()
        return super().get_context_data(
            estate=estate, map_picker=geo.picker(estates, estate), **kwargs
        )

    def form_valid(self, form):
        estate = self.get_object()
        changes = apply_service(
            form,
            lambda: services.update_estate(
                estate, actor=self.request.user, values=form.cleaned_data
            ),
        )
        if changes is None:
            return self.form_invalid(form)
        messages.success(
            self.request, f"已保存，修改了 {len(changes)} 项" if changes else "没有修改任何内容"
        )
        return redirect("estates:detail", pk=estate.pk)


class EstateArchiveView(ScopedMixin, View):
    """HQ archives (never deletes) a compound, or restores an archived one."""

    queryset = Estate.objects.all()

    def post(self, request, pk, restore=False):
        estate = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            if restore:
                services.restore_estate(estate, actor=request.user)
                messages.success(request, "已恢复")
            else:
                form = ArchiveForm(request.POST)
                if not form.is_valid():
                    messages.error(request, "请填写归档原因")
                    return redirect("estates:detail", pk=pk)
                services.archive_estate(
                    estate, actor=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, "已归档，台账中默认不再显示")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("estates:detail", pk=pk)


class EstateExportView(FilteredListMixin, View):
    """The filtered ledger as Excel: at once when small, as a background job when large."""

    queryset = Estate.objects.all()
    filterset_class = EstateFilterSet

    def get(self, request):
        return export_or_enqueue(request, "estate_ledger", self.get_filterset().qs)


class ImportTemplateView(LoginRequiredMixin, View):
    def get(self, request):
        return xlsx_response(build_template(), "小区台账导入模板.xlsx")


class EstateImportView(LoginRequiredMixin, WriteAllowedMixin, FormView):
    form_class = ImportForm
    template_name = "estates/estate_import.html"

    def can_write(self, user, obj=None):
        return services.can_edit_estate(user)

    def get_context_data(self, **kwargs):
        from django.conf import settings

        from estates.importing import SYNC_ROW_LIMIT

        return super().get_context_data(
            recent=ImportJob.objects.filter(owner=self.request.user)[:5],
            max_mb=settings.IMPORT_MAX_MB,
            max_rows=settings.IMPORT_MAX_ROWS,
            sync_rows=SYNC_ROW_LIMIT,
            **kwargs,
        )

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        # An absurd file (too large, or a zip bomb) is refused before it is stored.
        refused = check_upload(upload)
        if refused:
            return self.render_to_response(self.get_context_data(form=form, errors=refused))
        job = request_import(upload, actor=self.request.user)
        if job.status == ImportJob.Status.REFUSED:
            return self.render_to_response(
                self.get_context_data(form=form, errors=job.errors, job=job)
            )
        if job.status == ImportJob.Status.DONE:
            messages.success(
                self.request,
                f"导入完成：新增 {job.created} 个，更新 {job.updated} 个，"
                f"未变化 {job.unchanged} 个",
            )
            return redirect(reverse("estates:list"))
        return redirect(job)


class ImportJobDetailView(ScopedMixin, DetailView):
    """One import job, for its owner and HQ; refreshes itself (a meta refresh, no script)
    while the job is queued, checking or writing."""

    queryset = ImportJob.objects.select_related("owner")
    template_name = "estates/import_job.html"
    context_object_name = "job"


class HealthView(View):
    """For the load balancer: the app answers and its database does."""

    def get(self, request):
        Estate.objects.exists()
        return HttpResponse("ok", content_type="text/plain")


# --- messages (站内消息) and how they reach the user ----------------------------------------
class MessageListView(LoginRequiredMixin, TemplateView):
    """The user's own messages, unread first, newest first."""

    template_name = "estates/message_list.html"
    paginate_by = 30

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        inbox = (
            Message.objects.filter(recipient=self.request.user)
            .annotate(unread=Q(read_at__isnull=True))
            .order_by("-unread", "-created_at", "-id")
        )
        context["page_obj"] = Paginator(inbox, self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        context["inbox"] = context["page_obj"].object_list
        return context


class MessageOpenView(LoginRequiredMixin, View):
    """Marks one of the user's messages read and goes to the place to act."""

    def post(self, request, pk):
        message = get_object_or_404(Message, pk=pk, recipient=request.user)
        services.mark_messages_read(request.user, [message.pk])
        link = message.link if url_has_allowed_host_and_scheme(message.link, None) else ""
        return redirect(link or reverse("messages"))


class MessageReadAllView(LoginRequiredMixin, View):
    def post(self, request):
        count = services.mark_messages_read(request.user)
        messages.success(request, f"已将 {count} 条消息标为已读")
        return redirect("messages")


class NotificationPreferencesView(LoginRequiredMixin, FormView):
    """Which topics reach the user outside the app (e-mail, the street office's robot)."""

    template_name = "estates/notification_preferences.html"
    form_class = NotificationPreferencesForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        services.set_notification_preferences(
            self.request.user, form.choices(), actor=self.request.user
        )
        messages.success(self.request, "提醒方式已保存")
        return redirect("notification-preferences")
