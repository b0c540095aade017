"""Coverage's section of the weekly pack: the figures at the end of the week."""

from coverage.export import figures_sheet
from coverage.figures import coverage_figures


def sections(user, start, end):
    sheet = figures_sheet(coverage_figures(user, on=end), unit=user.scope_label)
    sheet.title = "四、物业管理覆盖与长效管理"
    return [sheet]
