"""Demo data of this app, called by ``manage.py seed_demo`` after the ledger exists.
Must be idempotent: running it twice leaves the same data.

Places most demo compounds on the map (each street office around its own point of
Zhongyuan district; a few left without coordinates, as in real ledgers) and runs the
roll-up for today, so the dashboards have data at once. Then the Tuesday cycle's weekly
reports, meetings, action items and an issued pack (``reports.cycle_demo``)."""

import math
import random
from decimal import Decimal

from estates.models import Estate, StreetOffice
from reports import cycle_demo, services
from reports.models import RollupRun

#: (longitude, latitude) of Zhongyuan district's centre
CENTRE = (113.6127, 34.7486)
#: above this many compounds the demo leaves the roll-up to the beat or the command
DEMO_ROLLUP_LIMIT = 1000


def seed(*, rng, today, stdout):
    _seed_map_and_rollup(rng=rng, today=today, stdout=stdout)
    cycle_demo.seed(rng=rng, today=today, stdout=stdout)


def _seed_map_and_rollup(*, rng, today, stdout):
    offices = list(StreetOffice.objects.order_by("sort_order", "pk"))
    centres = {}
    for index, office in enumerate(offices):
        angle = index * 2.399  # golden angle: street offices spread around the centre
        radius = 0.012 + 0.0045 * (index % 5)
        centres[office.pk] = (
            CENTRE[0] + radius * 1.25 * math.cos(angle),
            CENTRE[1] + radius * math.sin(angle),
        )
    placed = []
    for estate in Estate.objects.filter(latitude__isnull=True).select_related("community"):
        if estate.pk % 12 == 0:
            continue  # some compounds stay without coordinates, as in real ledgers
        place = random.Random(f"{estate.pk}-place")  # the same place on every re-run
        lng, lat = centres[estate.community.street_office_id]
        estate.longitude = Decimal(str(round(lng + place.gauss(0, 0.004), 6)))
        estate.latitude = Decimal(str(round(lat + place.gauss(0, 0.003), 6)))
        placed.append(estate)
    Estate.objects.bulk_update(placed, ["latitude", "longitude"], batch_size=2000)
    stdout.write(f"小区坐标：新标注 {len(placed)} 个")
    if Estate.objects.count() > DEMO_ROLLUP_LIMIT:
        stdout.write("统计快照：规模较大，请另行执行 manage.py rollup")
        return
    run = services.request_rollup(
        kind=RollupRun.Kind.DATES, date_from=today, date_to=today, trigger="demo", enqueue=False
    )
    run = services.execute_rollup(run.pk)
    stdout.write(f"统计快照：{run.rows} 行（历史趋势：manage.py rollup --full）")
