"""The pack's footnotes define its columns: every definition a section prints belongs to
one of its columns, and every column with a definition has it printed (a note about a
figure the table does not show only confuses the reader)."""

from datetime import date

import pytest

from estates.asof import Period, Scope
from reports.weekly_pack import build_pack

pytestmark = pytest.mark.django_db


def test_every_footnote_is_a_column_of_its_table(street_a, estate_a):
    pack = build_pack(
        Scope.district(), Period(date(2013, 7, 2), date(2013, 7, 8), date(2013, 7, 17))
    )

    assert pack.sections
    for section in pack.sections:
        helps = {column.help for column in section.columns if column.help}
        assert set(section.definitions) <= helps, section.title
        assert helps <= set(section.definitions), section.title
