"""Charts and the map are the app's own SVG: values written on them, labels escaped, no
script or style; the map places the compounds with coordinates and lists the others."""

from decimal import Decimal

import pytest
from django.urls import reverse

from reports import charts
from tests.factories import EstateFactory

pytestmark = pytest.mark.django_db


def _clean(svg: str):
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<script" not in svg and "style=" not in svg and " on" not in svg.replace(" one", "")


def test_a_bar_chart_writes_every_value_and_escapes_labels():
    svg = charts.bar_chart(
        [charts.Bar("<林山寨>", 12, href="/x?a=1&b=2"), charts.Bar("建设路", Decimal("3.5"))],
        title="测试",
        digits=1,
    )
    _clean(svg)
    assert "12.0" in svg and "3.5" in svg
    assert "&lt;林山寨&gt;" in svg and 'href="/x?a=1&amp;b=2"' in svg


def test_a_stacked_bar_names_its_segments_and_totals_each_row():
    svg = charts.stacked_bars(
        [
            (
                "上下水",
                [charts.Segment("已完工", 70, "#111"), charts.Segment("施工中", 30, "#222")],
                None,
            )
        ],
        title="进度",
    )
    _clean(svg)
    assert "已完工" in svg and ">100<" in svg and ">70<" in svg


def test_a_line_chart_labels_its_points_and_dates():
    from datetime import date

    svg = charts.line_chart(
        [("未销号", [(date(2026, 11, 12), 8), (date(2026, 11, 19), 5)], "#c00")], title="趋势"
    )
    _clean(svg)
    assert ">8<" in svg and ">5<" in svg and "11/19" in svg and "<polyline" in svg


def test_empty_charts_say_so():
    assert "暂无数据" in charts.bar_chart([], title="空")
    assert "暂无数据" in charts.line_chart([], title="空")


def test_the_map_places_compounds_and_lists_those_without_coordinates(
    login, hq_staff, community_a, community_b
):
    EstateFactory(
        community=community_a, name="有坐标", latitude=Decimal("34.75"), longitude=Decimal("113.61")
    )
    EstateFactory(
        community=community_b,
        name="也有坐标",
        latitude=Decimal("34.76"),
        longitude=Decimal("113.63"),
    )
    EstateFactory(community=community_a, name="无坐标小区")
    html = login(hq_staff).get(reverse("reports:map")).content.decode()
    assert html.count("data-estate=") == 2
    side = html[html.index("未标注坐标的小区") :]
    assert "无坐标小区" in side and "有坐标" not in side
    assert "<script" not in html.split("</footer>")[0].split("<main")[1]


def test_a_street_office_maps_only_its_own_compounds(login, clerk_a, community_a, community_b):
    EstateFactory(
        community=community_a,
        name="林山寨的",
        latitude=Decimal("34.75"),
        longitude=Decimal("113.61"),
    )
    EstateFactory(
        community=community_b,
        name="建设路的",
        latitude=Decimal("34.76"),
        longitude=Decimal("113.63"),
    )
    html = login(clerk_a).get(reverse("reports:map")).content.decode()
    assert html.count("data-estate=") == 1
    assert "林山寨的" in html and "建设路的" not in html


def test_the_tile_server_setting_draws_tiles_under_the_markers(
    login, hq_staff, community_a, settings
):
    settings.MAP_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    EstateFactory(community=community_a, latitude=Decimal("34.75"), longitude=Decimal("113.61"))
    html = login(hq_staff).get(reverse("reports:map")).content.decode()
    assert '<image href="https://tiles.example/' in html
    assert html.index("<image") < html.index("data-estate=")
