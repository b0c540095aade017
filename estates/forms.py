from django import forms

from estates.models import Campaign, Community, Estate, Topic
from estates.services import ESTATE_FIELDS


class EstateForm(forms.ModelForm):
    """The ledger form; the community choices are limited to the user's own scope."""

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
        self.fields["campaign"].queryset = Campaign.objects.all()
        self.fields["campaign"].empty_label = "未列入批次"

    def _post_clean(self):
        # Validation (full_clean) runs in the service, so the form and the API share it;
        # here only the form's own field cleaning applies.
        pass


class ArchiveForm(forms.Form):
    reason = forms.CharField(label="归档原因", max_length=200)


class ImportForm(forms.Form):
    file = forms.FileField(label="台账文件（.xlsx）")


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
