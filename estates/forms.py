from django import forms

from estates.models import Campaign, Community, Estate
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
