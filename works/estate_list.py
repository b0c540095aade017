"""This app's columns on the ledger list (``estates.hooks``: ``estate_list``)."""

from django.db.models import Exists, OuterRef

from works.models import AcceptanceForm
from works.queries import overdue_flag


def annotations(day):
    return {
        # A compound that missed a milestone shows so wherever it appears (works rules).
        "is_overdue": overdue_flag(day),
        # Accepted: HQ passed its completion acceptance form (the only way there).
        "is_accepted": Exists(
            AcceptanceForm.objects.filter(
                estate=OuterRef("pk"), status=AcceptanceForm.Status.PASSED
            )
        ),
    }
