"""This app's columns on the ledger list (``estates.hooks``: ``estate_list``)."""

from works.queries import overdue_flag


def annotations(day):
    # A compound that missed a milestone shows so wherever it appears (works rules).
    return {"is_overdue": overdue_flag(day)}
