from decimal import Decimal

from django import forms

from estates.models import Campaign, Community, Estate, Topic
from estates.services import ESTATE_FIELDS

#: The explicit answer "not in any campaign" (a blank choice is no answer at all).
NO_CAMPAIGN = "none"


class _CampaignChoices(forms.models.ModelChoiceIterator):
    def __iter__(self):
        items = super().__iter__()
        if self.field.empty_label is not None:
            yield next(items)
        yield (NO_CAMPAIGN, "未列入批次")
        yield from items

    def __len__(self):
        return super().__len__() + 1


class CampaignChoiceField(forms.ModelChoiceField):
    """整治批次 must be chosen: a campaign, or 未列入批次 said explicitly."""

    iterator = _CampaignChoices

    def __init__(self, **kwargs):
        super().__init__(queryset=Campaign.objects.all(), empty_label="请选择整治批次", **kwargs)

    def to_python(self, value):
        if value == NO_CAMPAIGN:
            return None
        return super().to_python(value)

    def validate(self, value):
        # None is a valid answer here (未列入批次); only a blank choice is missing.
        pass

    def clean(self, value):
        if value in self.empty_values:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return super().clean(value)


class EstateForm(forms.ModelForm):
    """The ledger form; the community choices are limited to the user's own scope. The
    ledger's required facts (楼栋数, 户数, 建筑面积, 整治批次) have no default: each must be
    filled in."""

    building_count = forms.IntegerField(label="楼栋数", min_value=1)
    household_count = forms.IntegerField(label="户数", min_value=1)
    floor_area = forms.DecimalField(
        label="建筑面积（㎡）", min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    campaign = CampaignChoiceField(label="整治批次")

    class Meta:
        model = Estate
        fields = ESTATE_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.visible_to(user).select_related(
            "street_office"
        )
        self.fields["community"].label_from_instance = lambda c: (
            f"{c.street_office.short_name}·{c.name}"
        )
        self.fields["community"].empty_label = "请选择社区"
        if self.instance.pk and self.instance.campaign_id is None:
            self.initial["campaign"] = NO_CAMPAIGN

    def _post_clean(self):
        # Validation (full_clean) runs in the service, so the form and the API share it;
        # here only the form's own field cleaning applies.
        pass


class ArchiveForm(forms.Form):
    reason = forms.CharField(label="归档原因", max_length=200)


class ImportForm(forms.Form):
    file = forms.FileField(label="台账文件（.xlsx）")

    def clean_file(self):
        from django.conf import settings

        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_MB * 1024 * 1024:
            size = upload.size / 1024 / 1024
            raise forms.ValidationError(
                f"文件过大（{size:.1f} MB），不超过 {settings.IMPORT_MAX_MB} MB"
            )
        return upload


class NotificationPreferencesForm(forms.Form):
    """One pair of boxes per topic: 电子邮件 and 工作群机器人. In-app messages always arrive."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        saved = {p.topic: p for p in user.notification_preferences.all()}
        self.rows = []
        for topic, label in Topic.choices:
            pref = saved.get(topic)
            for key, channel in (("by_email", "电子邮件"), ("by_webhook", "工作群机器人")):
                name = f"{topic}__{key}"
                self.fields[name] = forms.BooleanField(
                    label=f"{label}：{channel}",
                    required=False,
                    initial=bool(pref and getattr(pref, key)),
                )
            self.rows.append((label, self[f"{topic}__by_email"], self[f"{topic}__by_webhook"]))

    def choices(self) -> dict:
        return {
            topic: {
                "by_email": self.cleaned_data[f"{topic}__by_email"],
                "by_webhook": self.cleaned_data[f"{topic}__by_webhook"],
            }
            for topic, _ in Topic.choices
        }
