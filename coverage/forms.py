from django import forms
from django.utils import timezone

from coverage.models import TARGET_ITEM_CHOICES, ManagementArrangement
from coverage.services import ARRANGEMENT_FIELDS
from works.models import Company


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ArrangementForm(forms.ModelForm):
    class Meta:
        model = ManagementArrangement
        fields = ARRANGEMENT_FIELDS
        widgets = {"start_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.filter(
            role=Company.Role.PROPERTY_MANAGER, is_active=True
        )
        self.fields["company"].empty_label = "（非专业化物业公司进驻时不选）"
        self.fields["mode"].choices = [("", "请选择"), *ManagementArrangement.Mode.choices]

    def _post_clean(self):
        # Validation (full_clean) runs in the service, so the form and the API share it.
        pass


class EndArrangementForm(forms.Form):
    ended_on = forms.DateField(label="终止日期（最后一天）", widget=DateInput())
    reason = forms.CharField(label="终止原因", max_length=200)


class AssessForm(forms.Form):
    item = forms.ChoiceField(label="目标项", choices=TARGET_ITEM_CHOICES)
    met = forms.TypedChoiceField(
        label="评定",
        choices=[("1", "达到"), ("0", "未达到")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="情况说明", max_length=300, required=False)
    photo = forms.FileField(label="照片（JPEG/PNG/WebP）", required=False)


class VerifyForm(forms.Form):
    decision = forms.ChoiceField(
        label="核验结论", choices=[("verify", "核验通过"), ("reject", "核验未通过")]
    )
    note = forms.CharField(label="核验意见", max_length=300, required=False)


class ReinspectionForm(forms.Form):
    inspected_on = forms.DateField(label="检查日期", widget=DateInput())
    relapsed_items = forms.MultipleChoiceField(
        label="不再达到的目标项（未反弹则不选）",
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    findings = forms.CharField(
        label="检查情况", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_due_on = forms.DateField(
        label="下次回头看日期", required=False, widget=DateInput(), help_text="留空则 90 天后"
    )

    def __init__(self, *args, estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relapsed_items"].choices = [(i, i) for i in estate.target_items]
        self.fields["inspected_on"].initial = timezone.localdate()


class FollowUpForm(forms.Form):
    done_on = forms.DateField(label="整改完成日期", widget=DateInput())
    note = forms.CharField(
        label="整改情况", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
