"""Every URL of the URLconf, as every persona: a row outside the persona's scope is a 404
(never a page, a file or a 403 that confirms it exists), and no list, page or API answer
shows a compound the persona may not see, even when the query string asks for it.

The rows come from a small world in two street offices; which row a URL is tried with is
found from the view itself (its ``queryset``'s model) and the persona's ``visible_to``, so
a new view is walked without this file changing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from coverage import services as coverage_services
from coverage.models import Reinspection
from estates.models import Estate, ExportJob, Message
from inspections import services as inspection_services
from tests.inspections.factories import HazardFactory, MissedPatrolFactory, PatrolRecordFactory
from tests.works.factories import CompanyFactory, approved_item
from works import services as works_services

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

#: Never walked: they log in or out (the walk would end its own session).
SKIPPED = {"login", "logout", "api-token", "api-logout", "api-logout-all"}
#: A real action for the URLs that take one, so the view gets as far as the lookup.
ACTIONS = {
    "works:scope-action": "submit",
    "works:transition": "start",
    "works:tender-action": "cancel",
    "inspections:hazard-action": "notify",
    "inspections:quality-action": "respond",
}
#: Answers that reveal nothing about a row outside the scope.
HIDDEN = {404, 405}
ANONYMOUS_REFUSED = {302, 401, 403, 404, 405}


def url_patterns(resolver=None, namespace=""):
    """(name, pattern, view class or None) for every named URL but the admin's."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            callback = entry.callback
            view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
            yield namespace + entry.name, entry.pattern, view


#: Views that narrow by owner rather than by ``queryset``: the model they look up.
OWNED = {
    "reports:export-detail": ExportJob,
    "reports:export-download": ExportJob,
    "message-open": Message,
}


def view_model(name, view):
    if name in OWNED:
        return OWNED[name]
    queryset = getattr(view, "queryset", None)
    return getattr(queryset, "model", None) or getattr(view, "model", None)


def hidden_row(model, user):
    """A row of ``model`` that ``user`` may not see, or None."""
    if model is ExportJob:
        return ExportJob.objects.exclude(owner=user).first()
    if model is Message:
        return Message.objects.exclude(recipient=user).first()
    if not hasattr(model.objects.none(), "visible_to"):
        return None  # reference data (companies, campaigns...): everyone sees all of it
    return model.objects.exclude(pk__in=model.objects.visible_to(user).values("pk")).first()


def kwargs_for(name, pattern, row):
    """The URL keyword arguments for ``row``, or None when the pattern takes other ones."""
    keys = set(pattern.regex.groupindex) - {"format"}
    values = {}
    for key in keys:
        if key in ("pk", "estate_pk", "office"):
            values[key] = row.pk
        elif key == "public_id":
            values[key] = row.public_id
        elif key == "action" and name in ACTIONS:
            values[key] = ACTIONS[name]
        else:
            return None
    return values


@pytest.fixture
def world(estate_a, estate_a2, estate_b, hq_staff, inspector, clerk_a, clerk_b, community_lead_a):
    """Rows of every kind at estate_b (street B) and at estate_a2 (street A, another
    community than community_lead_a's), plus each persona's own export and message."""
    today = timezone.localdate()
    item = approved_item(estate_b, 3)
    contractor = CompanyFactory(name="郑州市第一市政工程有限公司")
    supervisor = CompanyFactory(name="河南建达工程监理有限公司", supervisor=True)
    package = works_services.create_package(
        actor=hq_staff,
        campaign=estate_b.campaign,
        number="ZY-2013-001",
        name="测试标段",
        control_price=Decimal("500000.00"),
        bid_opening_date=date(2013, 6, 10),
        works_items=[item],
    )
    bid = works_services.record_bid(
        package, actor=hq_staff, contractor=contractor, amount=Decimal("420000.00")
    )
    works_services.award_package(
        package,
        actor=hq_staff,
        bid=bid,
        number="ZYHT-2013-001",
        supervisor=supervisor,
        signed_on=date(2013, 6, 20),
        planned_start=date(2013, 7, 1),
        planned_finish=date(2013, 9, 20),
    )
    for estate in (estate_b, estate_a2):
        clerk = clerk_b if estate == estate_b else clerk_a
        patrol = PatrolRecordFactory(estate=estate, filed_by=clerk)
        HazardFactory(
            estate=estate, patrol=patrol, reported_by=clerk, deadline=today + timedelta(days=3)
        )
        MissedPatrolFactory(estate=estate)
        Reinspection.objects.create(estate=estate, due_on=today + timedelta(days=30))
        coverage_services.record_arrangement(
            estate,
            actor=hq_staff,
            values={
                "mode": "community",
                "start_date": today - timedelta(days=30),
                "term_months": 12,
                "responsible_name": "赵书记",
            },
        )
        coverage_services.assess_item(
            estate, actor=hq_staff, item=estate.target_items[0], met=False, note="未落实"
        )
        inspection_services.record_quality_inspection(
            actor=inspector,
            estate=estate,
            values={"rating": "basic", "findings": "路面不平"},
            requirements=[("返修路面", today + timedelta(days=7))],
        )
    for user in (hq_staff, clerk_a, clerk_b, community_lead_a):
        ExportJob.objects.create(kind="estate_ledger", owner=user)
        Message.objects.create(recipient=user, kind="assigned", topic="hazard", title="测试消息")
    return {"street_b": estate_b, "community_a2": estate_a2}


PERSONAS = ["clerk_a", "street_lead_a", "community_lead_a", "clerk_b", "inspector", "outsider"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_row_outside_the_scope_is_a_404_on_every_url(persona, request, world, client):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    wrong, walked = [], 0
    for name, pattern, view in url_patterns():
        model = view_model(name, view)
        if name in SKIPPED or model is None or not pattern.regex.groupindex:
            continue
        row = hidden_row(model, user)
        kwargs = row is not None and kwargs_for(name, pattern, row)
        if not kwargs:
            continue
        url = reverse(name, kwargs=kwargs)
        walked += 1
        for method in ("get", "post", "patch", "delete"):
            status = getattr(client, method)(url).status_code
            if status not in HIDDEN:
                wrong.append(f"{method.upper()} {url} ({name}) → {status}")
    assert wrong == []
    # The walk reached the apps' object URLs (HQ sees every row but others' jobs/messages).
    assert walked >= (3 if user.is_hq or not user.role else 20)


#: Street B's clerk, street A's clerk and community lead, and a user without a role (a
#: street lead has the clerk's scope; HQ sees every compound).
PAGE_PERSONAS = ["clerk_a", "community_lead_a", "clerk_b", "outsider"]
#: Pages without rows of anyone's: the API's schema and its viewer.
NO_DATA = {"api-schema", "api-docs"}


@pytest.mark.parametrize("persona", PAGE_PERSONAS)
def test_no_page_shows_a_compound_outside_the_scope(persona, request, world, client):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    hidden = [e for e in world.values() if not Estate.objects.visible_to(user).filter(pk=e.pk)]
    assert hidden
    asking = {
        "street_office": world["street_b"].community.street_office_id,
        "community": world["street_b"].community_id,
        "estate": world["street_b"].pk,
    }
    leaks, walked = [], 0
    for name, pattern, _ in url_patterns():
        if name in SKIPPED | NO_DATA or set(pattern.regex.groupindex) - {"format"}:
            continue
        for query in ({}, asking):
            response = client.get(reverse(name), query)
            walked += 1
            assert response.status_code < 500, f"{name} → {response.status_code}"
            kind = response.get("Content-Type", "")
            if not kind.startswith(("text/html", "application/json")):
                break  # a file or a job: its content is checked by the app's own tests
            body = b"".join(response) if response.streaming else response.content
            text = body.decode()
            leaks += [f"{name}{query and ' (asked)'}: {e.name}" for e in hidden if e.name in text]
    assert leaks == []
    assert walked >= 50


def test_the_walk_sees_a_leak(world, clerk_a, client, monkeypatch):
    """The walk fails when a view forgets the scope (here: the ledger list)."""
    from estates.views import EstateListView

    monkeypatch.setattr(EstateListView, "get_queryset", lambda self: Estate.objects.all())
    client.force_login(clerk_a)
    body = client.get(reverse("estates:list")).content.decode()
    assert world["street_b"].name in body


def test_anonymous_gets_nothing_from_any_url(world, client):
    wrong = []
    for name, pattern, view in url_patterns():
        if name in SKIPPED or name in ("health", "api-docs", "api-root"):
            continue
        model = view_model(name, view)
        row = model and model.objects.first()
        kwargs = {} if not pattern.regex.groupindex else row and kwargs_for(name, pattern, row)
        if kwargs is None or kwargs is False:
            continue
        status = client.get(reverse(name, kwargs=kwargs or None)).status_code
        if status not in ANONYMOUS_REFUSED:
            wrong.append(f"{name} → {status}")
    assert wrong == []


def test_a_community_lead_sees_only_their_communitys_misses_in_the_daily_record(
    world, community_lead_a, estate_a, monkeypatch
):
    """The daily patrol PDF listed the whole street office's missed patrols to a
    community lead: it lists only those their scope covers."""
    from inspections import exports

    MissedPatrolFactory(estate=estate_a)
    seen = {}
    monkeypatch.setattr(exports, "render_pdf", lambda t, context: seen.update(context) or b"%")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    exports.build_patrol_daily_pdf(community_lead_a, {"date": yesterday})
    assert [m.estate for m in seen["missed"]] == [estate_a]
