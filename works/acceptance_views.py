"""Completion acceptance pages: the acceptance list (per street office and for the
district), a form with its rounds, the actions on it and its PDF.

Scoped like every page (``estates.mixins``): a form outside the user's scope is a 404, a
forbidden action a 403 (the services raise ``PermissionDenied``). Every change goes
through ``works.acceptance``."""

from datetime import timedelta
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, TemplateView

from estates import audit
from estates.mixins import FilteredListMixin, ScopedMixin
from estates.models import Estate
from estates.pdf import PDF_MIME, render_pdf
from works import acceptance, acceptance_queries
from works.filtersets import AcceptanceFormFilterSet
from works.forms import (
    AcceptanceItemFormSet,
    AcceptancePhotoForm,
    AcceptanceRoundForm,
    DecisionForm,
    FixForm,
    RectificationFormSet,
    SignForm,
)
from works.models import AcceptanceForm, AcceptancePhoto, AcceptanceRectification

Status = AcceptanceForm.Status
MAX_WAITING_DAYS = 365


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _form_errors(*forms) -> str:
    return "；".join(
        f"{form.fields[name].label if name in form.fields else ''}：{error}".lstrip("：")
        for form in forms
        for name, errors in form.errors.items()
        for error in errors
    )


def _waiting_days(request) -> int:
    value = request.GET.get("days", "")
    if value.isdigit() and int(value) <= MAX_WAITING_DAYS:
        return int(value)
    return acceptance_queries.DEFAULT_WAITING_DAYS


class AcceptanceListView(FilteredListMixin, TemplateView):
    """竣工验收: per street office (or, for HQ, the district) the forms by state, the
    compounds completed without a form, forms waiting on HQ more than N days and the
    compounds overdue against the acceptance milestone; then the forms themselves."""

    template_name = "works/acceptance_list.html"
    filterset_class = AcceptanceFormFilterSet
    queryset = AcceptanceForm.objects.all()
    paginate_by = 30

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("estate__community__street_office", "estate__campaign")
            .order_by("status_changed_at", "id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, today, days = self.request.user, timezone.localdate(), _waiting_days(self.request)
        filterset = self.get_filterset()
        estates = acceptance_queries.district_estates(user)
        office = self.request.GET.get("street_office", "")
        if office.isdigit() and len(office) < 10:
            estates = estates.filter(community__street_office=office)
        rows, total = acceptance_queries.street_office_rows(estates, today, days)
        context.update(
            filter=filterset,
            page_obj=self.paginate(filterset.qs),
            today=today,
            days=days,
            states=Status.choices,
            office_rows=rows,
            office_total=total,
            without_form=acceptance_queries.completed_without_form(estates, today)
            .select_related("community__street_office")
            .order_by("community__street_office__sort_order", "name")[:50],
            overdue=acceptance_queries.acceptance_overdue(estates, today)
            .select_related("community__street_office", "campaign", "acceptance_form")
            .order_by("community__street_office__sort_order", "name")[:50],
            can_open=user.is_street_staff,
            submitted_since=timezone.now() - timedelta(days=days),
        )
        return context


class AcceptanceDetailView(ScopedMixin, DetailView):
    """A form: its current round (filled in, signed, submitted, judged) and every earlier
    round as it was, with its rectifications and fixes."""

    template_name = "works/acceptance_detail.html"
    queryset = AcceptanceForm.objects.select_related(
        "estate__community__street_office", "estate__campaign", "opened_by"
    )
    context_object_name = "form_obj"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, form = self.request.user, self.object
        rounds = list(acceptance.rounds_of(form))
        current = rounds[0]
        items = list(current.items.all())
        live = [s for s in current.signatures.all() if s.voided_at is None]
        slot = acceptance.signature_slot(user, form.estate)
        can_prepare = acceptance.can_prepare(user, form.estate) and not form.estate.is_archived
        editable = can_prepare and form.is_open_for_street
        context.update(
            rounds=rounds,
            current=current,
            earlier=rounds[1:],
            live_signatures={s.slot: s for s in live},
            slots=acceptance.Slot.choices,
            can_edit=editable,
            can_send=can_prepare and form.status == Status.DRAFT,
            can_submit=can_prepare and form.status == Status.AWAITING_SIGNATURES,
            can_sign=slot is not None
            and form.status == Status.AWAITING_SIGNATURES
            and slot not in {s.slot for s in live},
            my_slot=slot,
            can_decide=acceptance.can_decide(user) and form.status == Status.SUBMITTED,
            can_fix=(can_prepare or user.is_contractor)
            and form.status in (Status.FAILED, Status.RECTIFYING),
            all_fixed=all(r.is_fixed for r in current.rectifications.all()),
            history=audit.history_for(form)[:40],
        )
        if editable:
            context["round_form"] = AcceptanceRoundForm(
                initial={name: getattr(current, name) for name in acceptance.ROUND_FIELDS},
                prefix="round",
            )
            context["item_formset"] = AcceptanceItemFormSet(
                initial=[
                    {
                        "number": row.number,
                        "done_quantity": row.done_quantity,
                        "result": row.result,
                        "note": row.note,
                    }
                    for row in items
                ],
                prefix="items",
            )
            context["item_rows"] = list(zip(items, context["item_formset"], strict=True))
            context["photo_form"] = AcceptancePhotoForm(items=items)
        if context["can_sign"]:
            context["sign_form"] = SignForm()
        if context["can_decide"]:
            context["decision_form"] = DecisionForm()
            context["rectification_formset"] = RectificationFormSet(
                prefix="rect", form_kwargs={"items": items}
            )
        if context["can_fix"]:
            context["fix_form"] = FixForm()
        return context


class AcceptanceOpenView(ScopedMixin, View):
    """The street office opens the form of one of its completed compounds."""

    queryset = Estate.objects.with_org()

    def post(self, request, pk):
        estate = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            form = acceptance.open_form(estate, actor=request.user)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            return redirect("works:sheet", pk=estate.pk)
        messages.success(request, f"已发起{estate.name}的竣工验收，请填写验收单")
        return redirect("works:acceptance", pk=form.pk)


class AcceptanceActionView(ScopedMixin, View):
    """One action on a form: save the round, add photos, send for signatures, sign,
    submit, pass, fail, record a fix, open the next round."""

    queryset = AcceptanceForm.objects.select_related("estate__community")
    actions = ("save", "photos", "send", "sign", "submit", "pass", "fail", "fix", "next")

    def post(self, request, pk, action):
        if action not in self.actions:
            raise Http404
        form = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            message = getattr(self, f"do_{action}")(request, form)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            if message:
                messages.success(request, message)
        return redirect("works:acceptance", pk=form.pk)

    def do_save(self, request, form):
        round_form = AcceptanceRoundForm(request.POST, prefix="round")
        items = AcceptanceItemFormSet(request.POST, prefix="items")
        if not (round_form.is_valid() and items.is_valid()):
            raise ValidationError(_form_errors(round_form, *items.forms) or "请检查填写的内容")
        changes = acceptance.update_round(
            form,
            actor=request.user,
            values=round_form.cleaned_data,
            items={
                row.cleaned_data["number"]: {
                    k: v for k, v in row.cleaned_data.items() if k != "number"
                }
                for row in items.forms
            },
        )
        return f"已保存验收单，修改了 {len(changes)} 处" if changes else "内容没有变化"

    def do_photos(self, request, form):
        items = acceptance.current_round(form).items.all()
        photo_form = AcceptancePhotoForm(request.POST, items=items)
        if not photo_form.is_valid():
            raise ValidationError(_form_errors(photo_form))
        count = acceptance.add_photos(
            form,
            actor=request.user,
            uploads=request.FILES.getlist("photos"),
            item_number=photo_form.cleaned_data.get("item_number") or None,
        )
        return f"已上传 {count} 张照片"

    def do_send(self, request, form):
        acceptance.send_for_signatures(form, actor=request.user)
        return "已送签：请街道办事处负责人和社区负责人签字"

    def do_sign(self, request, form):
        sign_form = SignForm(request.POST)
        if not sign_form.is_valid():
            raise ValidationError("请输入登录密码以确认签字")
        signature = acceptance.sign(
            form, actor=request.user, password=sign_form.cleaned_data["password"]
        )
        return f"{signature.signer_role} {signature.signer_name} 已签字"

    def do_submit(self, request, form):
        acceptance.submit(form, actor=request.user)
        return "验收单已报送指挥部"

    def do_pass(self, request, form):
        decision = DecisionForm(request.POST)
        if not decision.is_valid():
            raise ValidationError(_form_errors(decision))
        acceptance.pass_form(
            form, actor=request.user, conclusion=decision.cleaned_data["conclusion"]
        )
        return "验收通过：该小区各工程项目已验收"

    def do_fail(self, request, form):
        decision = DecisionForm(request.POST)
        items = acceptance.current_round(form).items.all()
        rows = RectificationFormSet(request.POST, prefix="rect", form_kwargs={"items": items})
        if not (decision.is_valid() and rows.is_valid()):
            raise ValidationError(_form_errors(decision, *rows.forms) or "请检查整改要求")
        rectifications = [
            row.cleaned_data
            for row in rows.forms
            if row.cleaned_data.get("works_item") or row.cleaned_data.get("description")
        ]
        acceptance.fail_form(
            form,
            actor=request.user,
            conclusion=decision.cleaned_data["conclusion"],
            rectifications=rectifications,
        )
        return f"验收不通过，已下发 {len(rectifications)} 项整改要求"

    def do_fix(self, request, form):
        value = request.POST.get("rectification", "")
        if not (value.isdigit() and len(value) < 12):
            raise Http404
        rectification = get_object_or_404(
            AcceptanceRectification.objects.filter(round__form=form), pk=int(value)
        )
        fix = FixForm(request.POST)
        if not fix.is_valid():
            raise ValidationError(_form_errors(fix))
        acceptance.record_fix(rectification, actor=request.user, note=fix.cleaned_data["note"])
        return "已登记整改情况"

    def do_next(self, request, form):
        round_ = acceptance.open_next_round(form, actor=request.user)
        return f"已发起第 {round_.number} 轮验收，请核对内容后送签"


class AcceptancePdfView(ScopedMixin, View):
    """工程竣工验收单 as a PDF: the current round, or ``?round=N`` for an earlier one."""

    queryset = AcceptanceForm.objects.select_related(
        "estate__community__street_office", "estate__campaign"
    )

    def get(self, request, pk):
        form = get_object_or_404(self.get_queryset(), pk=pk)
        number = request.GET.get("round", "")
        rounds = acceptance.rounds_of(form)
        round_ = (
            get_object_or_404(rounds, number=int(number))
            if number.isdigit() and len(number) < 4
            else rounds.first()
        )
        pdf = render_pdf(
            "works/acceptance_pdf.html",
            {
                "form": form,
                "round": round_,
                "estate": form.estate,
                "signatures": {s.slot: s for s in round_.signatures.all() if s.voided_at is None},
                "slots": acceptance.Slot.choices,
                "printed_at": timezone.localtime(),
                "printed_by": request.user,
            },
        )
        response = HttpResponse(pdf, content_type=PDF_MIME)
        name = f"工程竣工验收单_{form.estate.name}_第{round_.number}轮.pdf"
        response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name)}"
        return response


class AcceptancePhotoView(ScopedMixin, View):
    """A photo of an acceptance, only for users who can see the compound."""

    queryset = AcceptancePhoto.objects.all()

    def get(self, request, public_id):
        photo = get_object_or_404(self.get_queryset(), public_id=public_id)
        try:
            handle = photo.file.open("rb")
        except FileNotFoundError:
            raise Http404("照片文件不存在") from None
        response = FileResponse(handle, content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response
