"""Contractors' and supervision firms' people: accounts opened by HQ, a scope of their own
company's compounds (a matrix over every page and API list), the contractor's own
rectification, the supervision engineer's confirmation and notes."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from estates.models import AuditEvent, Role, User
from inspections import services as inspections
from inspections.models import Hazard, QualityInspection
from tests.factories import EstateFactory
from tests.inspections.factories import HazardFactory, image_bytes
from works import services
from works.models import CompanyAccount, SupervisionNote, TenderPackageItem

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Zy-site-2026!manager"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _account(hq_staff, company, username):
    return services.create_company_account(
        company, actor=hq_staff, username=username, display_name="张工", password=GOOD_PASSWORD
    )


@pytest.fixture
def world(awarded, hq_staff, clerk_a, inspector, contractor, contractor2, supervisor, community_a):
    """``contractor`` holds the contract over estate_a and estate_a2 (supervised by
    ``supervisor``); another compound of the same street office belongs to ``contractor2``.
    Each has a hazard notified to its contractor and a quality inspection."""
    ours = awarded.package.package_items.first().works_item.estate
    theirs = EstateFactory(community=community_a, name="外单位小区")
    now = timezone.now()
    deadline = timezone.localdate() + timedelta(days=3)

    def hazard(estate, company, location):
        return HazardFactory(
            estate=estate,
            reported_by=clerk_a,
            status=Hazard.Status.NOTIFIED,
            contractor=company,
            notified_person="现场负责人",
            notified_via=Hazard.NotifiedVia.PHONE,
            notified_at=now,
            deadline=deadline,
            location=location,
        )

    def quality(estate, findings):
        return inspections.record_quality_inspection(
            actor=inspector,
            estate=estate,
            values={"rating": "fail", "findings": findings},
            requirements=[("重新铺设", deadline)],
        )

    return {
        "ours": ours,
        "theirs": theirs,
        "our_hazard": hazard(ours, contractor, "本单位隐患位置"),
        "their_hazard": hazard(theirs, contractor2, "外单位隐患位置"),
        "our_quality": quality(ours, "本单位质量问题"),
        "their_quality": quality(theirs, "外单位质量问题"),
        "site_manager": _account(hq_staff, contractor, "contractor1"),
        "engineer": _account(hq_staff, supervisor, "supervisor1"),
        "other_manager": _account(hq_staff, contractor2, "c002"),
    }


def _own_estate_ids(company):
    """The compounds of the company's live contracts, straight from the contract rows."""
    ids = set()
    for role in ("contractor", "supervisor"):
        ids |= set(
            TenderPackageItem.objects.filter(
                is_active=True, **{f"package__contract__{role}": company}
            ).values_list("works_item__estate_id", flat=True)
        )
    return ids


def _plain_urls(resolver=None, prefix=""):
    """Every URL of the URLconf that takes no argument."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = str(entry.pattern)
        if "<" in route or route.startswith("^"):
            continue
        if isinstance(entry, URLResolver):
            if route.startswith("admin"):
                continue
            yield from _plain_urls(entry, prefix + route)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + route


# --- accounts ----------------------------------------------------------------------------
def test_hq_opens_an_account_with_the_companys_role(hq_staff, contractor, supervisor):
    worker = _account(hq_staff, contractor, "site1")
    engineer = _account(hq_staff, supervisor, "eng1")
    assert (worker.role, worker.company_id) == (Role.CONTRACTOR, contractor.pk)
    assert (engineer.role, engineer.company_id) == (Role.SUPERVISOR, supervisor.pk)
    assert worker.check_password(GOOD_PASSWORD)
    assert AuditEvent.objects.filter(object_id=worker.pk, summary__contains="开设账号").exists()


def test_clerk_cannot_open_an_account_and_nothing_is_written(login, clerk_a, contractor):
    response = login(clerk_a).post(
        f"/works/companies/{contractor.pk}/accounts/",
        {"username": "x1", "display_name": "某", "password": GOOD_PASSWORD},
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="x1").exists()


def test_account_page_refuses_a_weak_password_naming_the_field(login, hq_staff, contractor):
    response = login(hq_staff).post(
        f"/works/companies/{contractor.pk}/accounts/",
        {"username": "x1", "display_name": "某", "password": "abcdefghijkl"},
    )
    assert response.status_code == 200
    assert "初始密码" in response.content.decode()
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(username="x1").exists()


def test_no_account_for_a_property_manager(hq_staff):
    from tests.works.factories import CompanyFactory

    manager = CompanyFactory(role="property_manager", name="某物业服务有限公司")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        _account(hq_staff, manager, "pm1")
    assert "company" in exc.value.message_dict
    assert not CompanyAccount.objects.exists()


# --- scope ---------------------------------------------------------------------------------
def test_contractor_sees_exactly_its_contract_compounds(world, contractor):
    from estates.models import Estate

    visible = set(Estate.objects.visible_to(world["site_manager"]).values_list("pk", flat=True))
    assert visible == _own_estate_ids(contractor)
    assert world["theirs"].pk not in visible


def test_every_page_and_api_list_hides_the_other_company(world, client, api_as):
    client.force_login(world["site_manager"])
    leaks = []
    for url in _plain_urls():
        if url.startswith("/api/") or "logout" in url or url.endswith((".pdf", ".xlsx")):
            continue
        response = client.get(url)
        assert response.status_code < 500, url
        body = response.content.decode(errors="ignore")
        if "外单位" in body:
            leaks.append(url)
    api = api_as(world["site_manager"])
    from config.urls import router

    for prefix, _viewset, _basename in router.registry:
        response = api.get(f"/api/{prefix}/")
        assert response.status_code < 500, prefix
        if "外单位" in response.content.decode():
            leaks.append(f"/api/{prefix}/")
    assert leaks == []


def test_contractor_sees_its_own_hazard_and_feedback(world, login):
    client = login(world["site_manager"])
    assert "本单位隐患位置" in client.get("/inspections/hazards/").content.decode()
    assert "本单位质量问题" in client.get("/inspections/quality/").content.decode() or (
        client.get(f"/inspections/quality/{world['our_quality'].pk}/").status_code == 200
    )


@pytest.mark.parametrize(
    "path",
    [
        "/inspections/hazards/{their_hazard}/",
        "/inspections/quality/{their_quality}/",
        "/estates/{theirs}/",
        "/api/hazards/{their_hazard}/",
        "/api/quality-inspections/{their_quality}/",
        "/api/estates/{theirs}/",
    ],
)
def test_other_companys_rows_are_404(world, client, path):
    client.force_login(world["site_manager"])
    ids = {key: obj.pk for key, obj in world.items() if hasattr(obj, "pk")}
    assert client.get(path.format(**ids)).status_code == 404


def test_no_tender_amounts_reach_a_contractor_only_its_own_contract(world, api_as, awarded):
    api = api_as(world["site_manager"])
    assert api.get("/api/tenders/").data["count"] == 0
    numbers = [row["number"] for row in api.get("/api/contracts/").data["results"]]
    assert numbers == [awarded.number]


# --- the contractor's rectification ------------------------------------------------------
def _photo():
    return SimpleUploadedFile("fix.jpg", image_bytes(), content_type="image/jpeg")


def test_contractor_records_its_rectification_with_a_photo(world, login):
    hazard = world["our_hazard"]
    response = login(world["site_manager"]).post(
        f"/inspections/hazards/{hazard.pk}/rectify/",
        {"rectification_note": "已加设护栏", "photos": _photo()},
    )
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == Hazard.Status.RECTIFIED
    assert hazard.photos.filter(kind="rectification").count() == 1
    event = AuditEvent.objects.filter(object_id=hazard.pk, action="transition").latest("at")
    assert event.actor == world["site_manager"]


@pytest.mark.parametrize("move", ["reinspect", "close", "notify"])
def test_contractor_cannot_reinspect_close_or_notify(world, login, move):
    hazard = world["our_hazard"]
    hazard.status = Hazard.Status.RECTIFIED if move == "reinspect" else hazard.status
    hazard.save()
    events = AuditEvent.objects.count()
    response = login(world["site_manager"]).post(
        f"/inspections/hazards/{hazard.pk}/{move}/", {"passed": "1", "note": "合格"}
    )
    assert response.status_code == 403
    assert Hazard.objects.get(pk=hazard.pk).status == hazard.status
    assert AuditEvent.objects.count() == events


def test_contractor_cannot_rectify_another_companys_hazard(world, api_as):
    hazard = world["their_hazard"]
    response = api_as(world["site_manager"]).post(
        f"/api/hazards/{hazard.pk}/rectify/", {"rectification_note": "x"}
    )
    assert response.status_code == 404
    assert Hazard.objects.get(pk=hazard.pk).status == Hazard.Status.NOTIFIED


# --- the supervision engineer ----------------------------------------------------------------
def test_supervision_engineer_confirms_before_reinspection(world, clerk_a):
    hazard = world["our_hazard"]
    inspections.record_rectification(
        hazard, actor=world["site_manager"], note="已整改", photos=[_photo()]
    )
    inspections.confirm_rectification(hazard, actor=world["engineer"], note="现场核实已整改")
    hazard.refresh_from_db()
    assert hazard.supervisor_confirmed_by == world["engineer"]
    assert hazard.status == Hazard.Status.RECTIFIED
    inspections.reinspect_hazard(hazard, actor=clerk_a, passed=True, note="复查合格")
    assert Hazard.objects.get(pk=hazard.pk).status == Hazard.Status.VERIFIED


def test_contractor_cannot_confirm_its_own_rectification(world):
    from django.core.exceptions import PermissionDenied

    hazard = world["our_hazard"]
    inspections.record_rectification(
        hazard, actor=world["site_manager"], note="已整改", photos=[_photo()]
    )
    with pytest.raises(PermissionDenied):
        inspections.confirm_rectification(hazard, actor=world["site_manager"], note="自己确认")
    assert Hazard.objects.get(pk=hazard.pk).supervisor_confirmed_at is None


def test_supervision_note_only_on_a_supervised_compound(world, login):
    engineer = login(world["engineer"])
    ok = engineer.post(
        f"/works/estates/{world['ours'].pk}/supervision-notes/new/", {"text": "基层压实度合格"}
    )
    assert ok.status_code == 302
    assert SupervisionNote.objects.get().text == "基层压实度合格"
    refused = engineer.post(
        f"/works/estates/{world['theirs'].pk}/supervision-notes/new/", {"text": "越界"}
    )
    assert refused.status_code == 404
    assert SupervisionNote.objects.count() == 1


def test_contractor_answers_quality_feedback_of_its_compound(world):
    inspection = world["our_quality"]
    inspections.respond_quality(inspection, actor=world["site_manager"], note="已按要求整改")
    inspection.refresh_from_db()
    assert inspection.status != QualityInspection.Status.SENT


# --- messages that reach them ----------------------------------------------------------------
def test_notifying_a_hazard_tells_the_contractors_people(world, clerk_a, contractor):
    from estates.models import Message
    from tests.inspections.factories import HazardFactory as Factory

    hazard = Factory(estate=world["ours"], reported_by=clerk_a)
    inspections.notify_hazard(
        hazard,
        actor=clerk_a,
        contractor=contractor,
        notified_person="张工",
        notified_via="phone",
        deadline=timezone.localdate() + timedelta(days=2),
    )
    (message,) = Message.objects.filter(recipient=world["site_manager"], topic="hazard")
    assert message.link == f"/inspections/hazards/{hazard.pk}/"
    assert not Message.objects.filter(recipient=world["other_manager"]).exists()


def test_a_rectification_tells_the_street_office(world, clerk_a, clerk_b):
    from estates.models import Message

    inspections.record_rectification(
        world["our_hazard"], actor=world["site_manager"], note="已整改", photos=[_photo()]
    )
    assert Message.objects.filter(recipient=clerk_a, title__startswith="隐患已整改").count() == 1
    assert not Message.objects.filter(recipient=clerk_b).exists()


# --- 我的待办 --------------------------------------------------------------------------------
def _random_hazards(rng, estates, companies, reporter, n):
    now = timezone.now()
    made = []
    for _ in range(n):
        status = rng.choice(list(Hazard.Status.values))
        notified = status != Hazard.Status.OPEN
        made.append(
            HazardFactory(
                estate=rng.choice(estates),
                reported_by=reporter,
                status=status,
                contractor=rng.choice(companies) if notified else None,
                notified_at=now if notified else None,
                notified_person="某" if notified else "",
                deadline=timezone.localdate() + timedelta(days=rng.randint(-5, 5))
                if notified
                else None,
                verified_at=now if status in ("verified", "closed") else None,
            )
        )
    return made


def test_todo_lists_exactly_what_the_rules_allow_on_random_data(
    world, clerk_a, clerk_b, hq_staff, hq_leader, inspector, estate_b, contractor, contractor2
):
    import random

    from estates.tasklist import todo_for
    from inspections.services import HAZARD_MOVES, can_move_hazard

    rng = random.Random(15)
    estates = [world["ours"], world["theirs"], estate_b]
    _random_hazards(rng, estates, [contractor, contractor2], clerk_a, 40)
    people = [
        clerk_a,
        clerk_b,
        hq_staff,
        hq_leader,
        inspector,
        world["site_manager"],
        world["engineer"],
        world["other_manager"],
    ]
    for user in people:
        listed = {g.key: g.total for g in todo_for(user, limit=100) if g.key.startswith("hazard-")}
        for move, state in HAZARD_MOVES.items():
            allowed = [
                h
                for h in Hazard.objects.visible_to(user).filter(status=state)
                if can_move_hazard(user, h, move)
            ]
            assert listed.get(f"hazard-{move}", 0) == len(allowed), (user.username, move)


def test_todo_page_costs_the_same_queries_at_two_sizes(
    world, login, clerk_a, contractor, django_assert_num_queries
):
    import random

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world["site_manager"])
    rng = random.Random(3)

    def count():
        with CaptureQueriesContext(connection) as context:
            response = client.get("/reports/todo/")
        assert response.status_code == 200
        return len(context)

    _random_hazards(rng, [world["ours"]], [contractor], clerk_a, 2)
    few = count()
    _random_hazards(rng, [world["ours"]], [contractor], clerk_a, 30)
    assert count() == few


def test_todo_page_links_each_task_and_says_how_many_more(world, login, clerk_a, contractor):
    made = [
        HazardFactory(
            estate=world["ours"],
            reported_by=clerk_a,
            status=Hazard.Status.NOTIFIED,
            contractor=contractor,
            notified_at=timezone.now(),
            deadline=timezone.localdate() + timedelta(days=1),
        )
        for _ in range(7)
    ]
    page = login(world["site_manager"]).get("/reports/todo/").content.decode()
    assert "隐患待整改" in page
    assert "还有 3 项" in page  # 8 waiting (7 + the world's own), 5 shown
    assert f'href="/inspections/hazards/{made[0].pk}/"' in page
    # The world's own hazard is due later than the seven: it is among the three more.
    assert f'href="/inspections/hazards/{world["our_hazard"].pk}/"' not in page


def test_the_navigation_shows_the_remembered_count(world, login):
    client = login(world["site_manager"])
    client.get("/reports/todo/")
    page = client.get("/messages/").content.decode()
    # The world's hazard to rectify and its quality feedback to answer.
    assert 'aria-label="2 项待办"' in page


# --- acceptance in the to-do ---------------------------------------------------------------
def _todo_keys(user):
    from estates.tasklist import todo_for

    return {group.key: group.total for group in todo_for(user)}


def test_acceptance_forms_wait_on_each_signer_then_on_hq(
    completed_a, clerk_a, street_lead_a, community_lead_a, inspector, hq_leader
):
    from tests.factories import PASSWORD
    from tests.works.factories import filled_in
    from works import acceptance

    form = acceptance.open_form(completed_a, actor=clerk_a)
    filled_in(form, clerk_a)
    acceptance.send_for_signatures(form, actor=clerk_a)
    assert _todo_keys(street_lead_a).get("acceptance-sign") == 1
    assert _todo_keys(community_lead_a).get("acceptance-sign") == 1
    acceptance.sign(form, actor=street_lead_a, password=PASSWORD)
    assert "acceptance-sign" not in _todo_keys(street_lead_a)
    assert _todo_keys(community_lead_a).get("acceptance-sign") == 1
    acceptance.sign(form, actor=community_lead_a, password=PASSWORD)
    acceptance.submit(form, actor=clerk_a)
    assert _todo_keys(inspector).get("acceptance-decide") == 1
    assert "acceptance-decide" not in _todo_keys(hq_leader)  # leadership reads only


def test_the_contractor_records_an_acceptance_fix_itself(
    completed_a,
    clerk_a,
    street_lead_a,
    community_lead_a,
    hq_staff,
    item_a,
    contractor,
    contractor2,
):
    from django.core.exceptions import PermissionDenied

    from tests.works.factories import filled_in, signed_and_submitted
    from tests.works.test_acceptance import fail
    from works import acceptance
    from works.models import AcceptanceRectification

    form = acceptance.open_form(completed_a, actor=clerk_a)
    filled_in(form, clerk_a)
    signed_and_submitted(form, clerk_a, street_lead_a, community_lead_a)
    fail(form, hq_staff, item_a)
    rectification = AcceptanceRectification.objects.get()
    outsider = _account(hq_staff, contractor2, "c002")
    with pytest.raises(PermissionDenied):
        acceptance.record_fix(rectification, actor=outsider, note="越权登记")
    assert not AcceptanceRectification.objects.get().is_fixed
    builder = _account(hq_staff, contractor, "contractor1")
    acceptance.record_fix(rectification, actor=builder, note="围栏已重新刷漆")
    assert AcceptanceRectification.objects.get().is_fixed
