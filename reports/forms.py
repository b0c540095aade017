from django import forms

from reports.models import LeagueWeights


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
