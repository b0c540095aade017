"""Forms of the works pages. They clean input only; the rules live in ``works.services``
(``estates.views.apply_service`` puts a service's refusal on the right field)."""

from django import forms
from django.db.models import Exists, OuterRef

from estates.models import Campaign
from works.models import Company, EstateScope, EstateWorksItem, TenderPackageItem
from works.services import CAMPAIGN_FIELDS, COMPANY_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ScopeRowForm(forms.Form):
    """One of the twelve rows of a compound's works sheet."""

    number = forms.IntegerField(widget=forms.HiddenInput)
    applicable = forms.BooleanField(label="需要实施", required=False)
    quantity = forms.DecimalField(label="计划工程量", min_value=0, max_digits=12, decimal_places=2)
    unit = forms.CharField(label="单位", max_length=10, required=False)
    budget = forms.DecimalField(
        label="工程预算（元）", min_value=0, max_digits=14, decimal_places=2
    )
    notes = forms.CharField(label="备注", max_length=200, required=False)


ScopeFormSet = forms.formset_factory(ScopeRowForm, extra=0)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200)


class TransitionForm(forms.Form):
    on = forms.DateField(label="日期", required=False, widget=DateInput)
    percent = forms.IntegerField(label="完成比例（%）", required=False, min_value=0, max_value=100)


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = [*COMPANY_FIELDS, "is_active"]

    def _post_clean(self):
        # full_clean (with the credit code's check character) runs in the service.
        pass


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = CAMPAIGN_FIELDS
        widgets = {name: DateInput for name in CAMPAIGN_FIELDS if name != "name"}

    def _post_clean(self):
        pass


def eligible_items(campaign, street_office=None):
    """Compound-items HQ may put into a new package: applicable, still planned, in an
    approved scope of ``campaign``'s compounds, and in no active package."""
    items = EstateWorksItem.objects.filter(
        applicable=True,
        status=EstateWorksItem.Status.PLANNED,
        estate__campaign=campaign,
        estate__archived_at__isnull=True,
        estate__works_scope__status=EstateScope.Status.APPROVED,
    ).exclude(Exists(TenderPackageItem.objects.filter(works_item=OuterRef("pk"), is_active=True)))
    if street_office is not None:
        items = items.filter(estate__community__street_office=street_office)
    return items.select_related("estate__community__street_office", "works_item").order_by(
        "estate__community__street_office__sort_order", "estate__name", "works_item__number"
    )


class ItemChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, item):
        office = item.estate.community.street_office.short_name
        return (
            f"{office}·{item.estate.name}·{item.works_item.short_name}"
            f"（预算 {item.budget:,.0f} 元）"
        )


class TenderPackageForm(forms.Form):
    number = forms.CharField(label="标段编号", max_length=40)
    name = forms.CharField(label="标段名称", max_length=100)
    control_price = forms.DecimalField(
        label="招标控制价（元）", min_value=0, max_digits=14, decimal_places=2
    )
    bid_opening_date = forms.DateField(label="开标日期", widget=DateInput)
    works_items = ItemChoiceField(
        label="纳入标段的小区工程项目",
        queryset=EstateWorksItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, campaign, street_office=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        queryset = eligible_items(campaign, street_office)
        self.fields["works_items"].queryset = queryset
        self.candidates = queryset


class BidForm(forms.Form):
    contractor = forms.ModelChoiceField(
        label="投标单位",
        queryset=Company.objects.filter(role=Company.Role.CONTRACTOR, is_active=True),
    )
    amount = forms.DecimalField(
        label="投标报价（元）", min_value=0, max_digits=14, decimal_places=2
    )


class AwardForm(forms.Form):
    bid = forms.ModelChoiceField(label="中标单位", queryset=None, empty_label=None)
    number = forms.CharField(label="合同编号", max_length=40)
    supervisor = forms.ModelChoiceField(
        label="监理单位",
        queryset=Company.objects.filter(role=Company.Role.SUPERVISOR, is_active=True),
    )
    signed_on = forms.DateField(label="签订日期", widget=DateInput)
    planned_start = forms.DateField(label="计划开工", widget=DateInput)
    planned_finish = forms.DateField(label="计划完工", widget=DateInput)

    def __init__(self, *args, package, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bid"].queryset = package.bids.select_related("contractor").order_by("amount")
        self.fields["bid"].label_from_instance = lambda b: (
            f"{b.contractor.name}（报价 {b.amount:,.2f} 元）"
        )


class ScheduleRowForm(forms.Form):
    estate = forms.IntegerField(widget=forms.HiddenInput)
    planned_start = forms.DateField(label="计划开工", required=False, widget=DateInput)
    planned_finish = forms.DateField(label="计划完工", required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        start, finish = data.get("planned_start"), data.get("planned_finish")
        if bool(start) != bool(finish):
            raise forms.ValidationError("计划开工和计划完工须同时填写")
        if start and finish and finish < start:
            self.add_error("planned_finish", "计划完工日期不能早于计划开工日期")
        return data


ScheduleFormSet = forms.formset_factory(ScheduleRowForm, extra=0)


class CompanyAccountForm(forms.Form):
    """HQ opens an account for a person of a contractor or a supervision firm."""

    username = forms.CharField(label="登录名", max_length=150)
    display_name = forms.CharField(label="姓名", max_length=30)
    phone = forms.CharField(label="电话", max_length=20, required=False)
    password = forms.CharField(
        label="初始密码",
        max_length=1024,
        widget=forms.PasswordInput(render_value=False),
        help_text="至少 12 位，不能是常见密码或连续字符；请线下告知本人并提醒其登录后修改。",
    )


class SupervisionNoteForm(forms.Form):
    text = forms.CharField(
        label="监理意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


# --- completion acceptance ---------------------------------------------------------------
class AcceptanceRoundForm(forms.Form):
    """The fields of a round the street office fills in."""

    acceptance_date = forms.DateField(label="验收日期", required=False, widget=DateInput)
    street_participants = forms.CharField(
        label="街道办事处参加人员", max_length=200, required=False
    )
    community_participants = forms.CharField(label="社区参加人员", max_length=200, required=False)
    contractor_participants = forms.CharField(
        label="施工单位参加人员", max_length=200, required=False
    )
    supervisor_participants = forms.CharField(
        label="监理单位参加人员", max_length=200, required=False
    )
    takeover_opinion = forms.CharField(
        label="社区接管意见",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AcceptanceItemForm(forms.Form):
    """One works item's row of a round."""

    number = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=12)
    done_quantity = forms.DecimalField(
        label="完成工程量", min_value=0, max_digits=12, decimal_places=2
    )
    result = forms.ChoiceField(
        label="验收结果",
        choices=[("", "未填写"), ("pass", "合格"), ("fail", "不合格")],
        required=False,
    )
    note = forms.CharField(label="说明", max_length=200, required=False)


AcceptanceItemFormSet = forms.formset_factory(AcceptanceItemForm, extra=0, max_num=12)


class SignForm(forms.Form):
    password = forms.CharField(
        label="登录密码（签字确认）",
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class DecisionForm(forms.Form):
    conclusion = forms.CharField(
        label="验收意见", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RectificationForm(forms.Form):
    works_item = forms.TypedChoiceField(label="工程项目", coerce=int, required=False)
    description = forms.CharField(label="整改要求", max_length=200, required=False)
    deadline = forms.DateField(label="整改期限", required=False, widget=DateInput)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["works_item"].choices = [("", "—")] + [
            (row.works_item_id, f"{row.number}. {row.name}") for row in items
        ]


RectificationFormSet = forms.formset_factory(RectificationForm, extra=3, max_num=20)


class FixForm(forms.Form):
    note = forms.CharField(label="整改情况", max_length=500)


class AcceptancePhotoForm(forms.Form):
    item_number = forms.TypedChoiceField(label="对应项目", coerce=int, required=False)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item_number"].choices = [("", "整体")] + [
            (row.number, f"{row.number}. {row.name}") for row in items
        ]
