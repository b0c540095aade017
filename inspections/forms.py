"""Forms of the patrol, hazard and quality pages. Validation that matters lives in the
services (shared with the API); the forms only parse input."""

from django import forms
from django.utils import timezone

from estates.photos import MAX_PHOTOS_PER_UPLOAD
from inspections.models import (
    CHECKLIST,
    CheckResult,
    Hazard,
    QualityInspection,
)
from works.models import Company, EstateWorksItem

PHOTO_HELP = f"JPEG、PNG 或 WebP，每张不超过 10 MB，最多 {MAX_PHOTOS_PER_UPLOAD} 张"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Zero or more image files; their content is checked by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", PHOTO_HELP)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(PhotosField, self).clean(d, initial) for d in data if d]
        if not data:
            if self.required:
                raise forms.ValidationError("请上传照片")
            return []
        return [super().clean(data, initial)]


def contractors():
    return Company.objects.filter(role=Company.Role.CONTRACTOR, is_active=True)


class PatrolForm(forms.Form):
    """Today's patrol of one compound, with at most one hazard found on the spot (more
    can be added on the record afterwards)."""

    time = forms.TimeField(
        label="巡查时间", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    patrollers = forms.CharField(label="巡查人员", max_length=100)
    contractor_staff = forms.CharField(label="施工方现场人员", max_length=100, required=False)
    findings = forms.CharField(
        label="巡查情况", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(label="现场照片")
    hazard_found = forms.BooleanField(label="发现安全隐患", required=False)
    hazard_category = forms.ChoiceField(
        label="隐患类别", choices=[("", "请选择"), *Hazard.Category.choices], required=False
    )
    hazard_severity = forms.ChoiceField(
        label="隐患等级",
        choices=Hazard.Severity.choices,
        initial=Hazard.Severity.GENERAL,
        required=False,
    )
    hazard_location = forms.CharField(label="具体位置", max_length=100, required=False)
    hazard_description = forms.CharField(
        label="隐患描述", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    hazard_deadline = forms.DateField(
        label="建议整改期限",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    hazard_photos = PhotosField(label="隐患照片")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in CHECKLIST:
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=CheckResult.choices,
                initial=CheckResult.OK,
                widget=forms.RadioSelect,
            )
        self.initial.setdefault("time", timezone.localtime().strftime("%H:%M"))

    def checklist_fields(self):
        return [self[name] for name, _ in CHECKLIST]

    def clean(self):
        data = super().clean()
        if data.get("hazard_found"):
            for name, label in (
                ("hazard_category", "隐患类别"),
                ("hazard_location", "具体位置"),
                ("hazard_description", "隐患描述"),
            ):
                if not data.get(name):
                    self.add_error(name, f"发现隐患时请填写{label}")
        return data

    def patrol_values(self):
        data = self.cleaned_data
        values = {
            name: data[name] for name in ("time", "patrollers", "contractor_staff", "findings")
        }
        values.update({name: data[name] for name, _ in CHECKLIST})
        return values

    def hazards(self):
        data = self.cleaned_data
        if not data.get("hazard_found"):
            return []
        return [
            {
                "category": data["hazard_category"],
                "severity": data["hazard_severity"] or Hazard.Severity.GENERAL,
                "location": data["hazard_location"],
                "description": data["hazard_description"],
                "deadline": data.get("hazard_deadline"),
                "photos": data.get("hazard_photos") or [],
            }
        ]


class AmendForm(forms.Form):
    """The corrected values (pre-filled with the current ones) and the reason."""

    reason = forms.CharField(label="更正原因", max_length=200)
    time = forms.TimeField(
        label="巡查时间", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    patrollers = forms.CharField(label="巡查人员", max_length=100)
    contractor_staff = forms.CharField(label="施工方现场人员", max_length=100, required=False)
    findings = forms.CharField(
        label="巡查情况", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in CHECKLIST:
            self.fields[name] = forms.ChoiceField(label=label, choices=CheckResult.choices)

    def values(self):
        return {k: v for k, v in self.cleaned_data.items() if k != "reason"}


class HazardForm(forms.ModelForm):
    photos = PhotosField(label="隐患照片")

    class Meta:
        model = Hazard
        fields = ["category", "severity", "location", "description", "deadline"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"deadline": "建议整改期限"}

    def _post_clean(self):
        pass


class NotifyForm(forms.Form):
    contractor = forms.ModelChoiceField(label="告知施工单位", queryset=Company.objects.none())
    notified_person = forms.CharField(label="被告知人", max_length=30)
    notified_via = forms.ChoiceField(label="告知方式", choices=Hazard.NotifiedVia.choices)
    notified_at = forms.DateTimeField(
        label="告知时间",
        required=False,
        help_text="不填为现在",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    deadline = forms.DateField(
        label="整改期限", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contractor"].queryset = contractors()


class RectifyForm(forms.Form):
    rectification_note = forms.CharField(
        label="整改情况", max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(label="整改后照片", required=True)


class ConfirmForm(forms.Form):
    note = forms.CharField(
        label="监理确认意见", max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReinspectForm(forms.Form):
    passed = forms.TypedChoiceField(
        label="复查结论",
        choices=[("1", "复查合格"), ("0", "复查不合格，退回整改")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="复查意见", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    new_deadline = forms.DateField(
        label="新的整改期限",
        required=False,
        help_text="复查不合格时填写",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class QualityInspectionForm(forms.Form):
    REQUIREMENT_ROWS = 3

    works_item = forms.ModelChoiceField(
        label="工程项目",
        queryset=EstateWorksItem.objects.none(),
        required=False,
        empty_label="整个小区",
    )
    inspected_on = forms.DateField(
        label="检查日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    contractor = forms.ModelChoiceField(
        label="施工单位", queryset=Company.objects.none(), required=False
    )
    rating = forms.ChoiceField(label="评定", choices=QualityInspection.Rating.choices)
    findings = forms.CharField(
        label="检查情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    photos = PhotosField(label="检查照片")

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["works_item"].queryset = EstateWorksItem.objects.filter(
            estate=estate, applicable=True
        ).select_related("works_item", "estate")
        self.fields["works_item"].label_from_instance = lambda w: str(w.works_item)
        self.fields["contractor"].queryset = contractors()
        self.fields["contractor"].empty_label = "请选择施工单位"
        self.initial.setdefault("inspected_on", timezone.localdate())
        for i in range(1, self.REQUIREMENT_ROWS + 1):
            self.fields[f"requirement_{i}"] = forms.CharField(
                label=f"整改要求 {i}", max_length=200, required=False
            )
            self.fields[f"deadline_{i}"] = forms.DateField(
                label=f"整改期限 {i}",
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )

    def main_fields(self):
        return [f for f in self if not f.name.startswith(("requirement_", "deadline_"))]

    def requirement_rows(self):
        return [
            (self[f"requirement_{i}"], self[f"deadline_{i}"])
            for i in range(1, self.REQUIREMENT_ROWS + 1)
        ]

    def requirements(self):
        data = self.cleaned_data
        return [
            (data.get(f"requirement_{i}") or "", data.get(f"deadline_{i}"))
            for i in range(1, self.REQUIREMENT_ROWS + 1)
            if data.get(f"requirement_{i}")
        ]

    def values(self):
        data = self.cleaned_data
        return {
            k: data.get(k)
            for k in ("works_item", "inspected_on", "contractor", "rating", "findings")
        }


class RespondForm(forms.Form):
    response_note = forms.CharField(
        label="整改回复", max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RecheckForm(ReinspectForm):
    pass


class PatrolPdfForm(forms.Form):
    date = forms.DateField(
        label="日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
