"""Forms of this app: the league table's weights; the Tuesday cycle's brief, meeting,
action item, reply and issue forms (values checked for shape and length here; the
services decide what is allowed)."""

import uuid

from django import forms

from estates.models import StreetOffice
from inspections.forms import PhotosField
from reports.models import BRIEF_MAX_CHARS, ActionItem, LeagueWeights, Meeting, WeeklyReport


class LeagueWeightsForm(forms.ModelForm):
    """The weights of the league table's components, 0–100 each."""

    class Meta:
        model = LeagueWeights
        fields = LeagueWeights.FIELDS
        widgets = {
            name: forms.NumberInput(attrs={"min": 0, "max": 100, "inputmode": "numeric"})
            for name in LeagueWeights.FIELDS
        }

    def _post_clean(self):
        # full_clean runs in the service (reports.services.set_league_weights).
        pass


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(label, max_length, rows=4, required=False):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class WeeklyReportForm(forms.ModelForm):
    """The brief (信息简报) in its four fixed parts, with optional photos."""

    photos = PhotosField(label="照片")

    class Meta:
        model = WeeklyReport
        fields = ["progress", "problems", "next_plan", "coordination"]
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name in fields}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.Meta.fields:
            self.fields[name].max_length = BRIEF_MAX_CHARS
        self.fields["progress"].required = True


class ReasonForm(forms.Form):
    reason = _text("退回原因", 500, rows=3, required=True)


class NoteForm(forms.Form):
    note = _text("意见", 500, rows=2)


class RequiredNoteForm(forms.Form):
    note = _text("意见", 500, rows=2, required=True)


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["date", "chair", "attendees", "minutes"]
        widgets = {
            "date": DATE,
            "attendees": forms.Textarea(attrs={"rows": 2}),
            "minutes": forms.Textarea(attrs={"rows": 8}),
        }


class ActionItemForm(forms.Form):
    title = forms.CharField(
        label="督办事项", max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    assignee = forms.ModelChoiceField(
        label="责任单位",
        queryset=StreetOffice.objects.order_by("sort_order"),
        required=False,
        empty_label="指挥部办公室",
    )
    deadline = forms.DateField(label="办理期限", widget=DATE)


class ReplyForm(forms.Form):
    text = _text("办理情况", 4000, rows=4, required=True)
    photos = PhotosField(label="照片")


class IssueForm(forms.Form):
    """The issue button's form carries a key made when the page was drawn, so a double
    click (or a resent request) issues one pack."""

    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    @classmethod
    def fresh(cls):
        return cls(initial={"request_key": uuid.uuid4().hex})


ITEM_STATUSES = ActionItem.Status
