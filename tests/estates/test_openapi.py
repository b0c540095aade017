"""Finding 9 (schema): real responses of every endpoint match the generated OpenAPI
schema, so a generated client works. Each list, each detail, each custom action and a
refused write (400) are requested as HQ and as a street clerk on the demo district, and
every response is validated with openapi-core against ``/api/schema/``."""

import json
import re

import pytest
from knox.models import AuthToken
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from rest_framework.test import APIClient

from estates.models import User

pytestmark = pytest.mark.slow


def _schema():
    client = APIClient()
    client.force_authenticate(User.objects.get(username="hq"))
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture(scope="module")
def spec(demo_district, django_db_blocker):
    with django_db_blocker.unblock():
        schema = _schema()
    return schema, OpenAPI.from_dict(schema)


def _problems(exc) -> list[str]:
    """The schema errors inside an openapi-core exception, short: where and what."""
    found, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        for error in getattr(exc, "schema_errors", ()) or ():
            where = "/".join(str(p) for p in error.absolute_path)
            found.append(f"{where}: {error.message[:160]}")
        exc = exc.__cause__ or exc.__context__
    return found or ["(no detail)"]


class _Request(DjangoOpenAPIRequest):
    """The request as sent; DRF has consumed the body stream by the time we validate."""

    def __init__(self, request, body: bytes):
        super().__init__(request)
        self._sent = body
        # The router's URL keyword is ``pk``; the schema names the parameter ``id``.
        path = dict(self.parameters.path)
        if "pk" in path:
            path["id"] = path.pop("pk")
        self.parameters.path = path

    @property
    def body(self):
        return self._sent


def _validate(openapi, response, *, request_too=False, body=None):
    """Raises AssertionError naming the endpoint and each mismatch (a few of each)."""
    sent = json.dumps(body).encode() if body is not None else b""
    request = _Request(response.wsgi_request, sent)
    try:
        if request_too:
            openapi.validate_request(request)
        openapi.validate_response(request, DjangoOpenAPIResponse(response))
    except Exception as exc:
        label = f"{request.method.upper()} {response.wsgi_request.path} → {response.status_code}"
        problems = sorted(set(_problems(exc)))[:8]
        raise AssertionError(f"{label}: {type(exc).__name__}: {problems}") from None


def _client(username):
    _, token = AuthToken.objects.create(User.objects.get(username=username))
    return APIClient(HTTP_AUTHORIZATION=f"Token {token}")


def _path(template, pk):
    return re.sub(r"\{[^}]+\}", str(pk), template)


#: Every kind of caller: HQ office and leadership, a street clerk, a community lead, and
#: the people of a contractor and a supervision firm (whose answers hide amounts).
READERS = ["hq", "leader", "clerk1", "community1", "contractor1", "supervisor1"]


@pytest.mark.django_db
@pytest.mark.parametrize("username", READERS)
def test_every_read_matches_the_schema(spec, username):
    """Each list, the detail of its first row, and each GET below a detail (a meeting
    pack's status and download) as the caller sees them."""
    schema, openapi = spec
    client = _client(username)
    checked = 0
    for template, operations in schema["paths"].items():
        if "get" not in operations or "{" in template or template.startswith("/api/schema"):
            continue
        response = client.get(template)
        # A page the role has none of (a company's people have no dashboard) answers 404,
        # as documented; every other list answers 200.
        assert response.status_code in (200, 404), template
        _validate(openapi, response, request_too=True)
        checked += 1
        if response.status_code != 200:
            assert username in ("contractor1", "supervisor1"), template
            continue
        body = response.json()
        rows = body["results"] if isinstance(body, dict) and "results" in body else body
        detail = template.rstrip("/") + "/{id}/"
        if not rows or detail not in schema["paths"]:
            continue
        below = [t for t in schema["paths"] if t.startswith(detail) and "get" in schema["paths"][t]]
        for each in below:
            response = client.get(_path(each, rows[0]["id"]))
            assert response.status_code == 200 if each == detail else response.status_code < 500
            if response.get("Content-Type", "").startswith("application/json"):
                _validate(openapi, response)
                checked += 1
    assert checked >= 20 if username in ("hq", "leader", "clerk1") else checked >= 10


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["hq", "clerk1", "community1", "contractor1", "supervisor1"])
def test_every_write_answers_as_documented(spec, username):
    """Each POST/PUT/PATCH with an empty or wrong body, as each kind of caller: a 400 (or
    403, 404) that the schema documents, with the body shape it documents."""
    schema, openapi = spec
    client = _client(username)
    ids = {}
    for template in schema["paths"]:
        if "{" not in template:
            listing = client.get(template) if "get" in schema["paths"][template] else None
            if listing is not None and listing.status_code == 200:
                body = listing.json()
                rows = body["results"] if isinstance(body, dict) and "results" in body else body
                if rows and isinstance(rows, list) and "id" in rows[0]:
                    ids[template.rstrip("/")] = rows[0]["id"]
    checked = 0
    for template, operations in schema["paths"].items():
        for method in ("post", "put", "patch"):
            if method not in operations or template.startswith("/api/auth/"):
                continue
            base = template.split("/{", 1)[0]
            if "{" in template and base not in ids:
                continue
            url = _path(template, ids.get(base, 0))
            body = {"percent": "x", "on": "x"}
            response = getattr(client, method)(url, body, format="json")
            assert response.status_code < 500, (method, url, response.content[:300])
            _validate(openapi, response, body=body)
            checked += 1
    assert checked >= 10


@pytest.mark.django_db
def test_token_endpoints_match_the_schema(spec):
    _, openapi = spec
    client = APIClient()
    good = {"username": "clerk1", "password": "zhongyuan2013"}
    response = client.post("/api/auth/token/", good, format="json")
    assert response.status_code == 200
    _validate(openapi, response, request_too=True, body=good)
    wrong = {"username": "clerk1", "password": "wrong-password"}
    refused = client.post("/api/auth/token/", wrong, format="json")
    assert refused.status_code == 400
    _validate(openapi, refused, body=wrong)


@pytest.mark.django_db
def test_custom_action_bodies_match_the_schema(spec):
    """A hazard moved through notify → close by its real request bodies: each request
    and each answer validated, so the documented action bodies are the real ones."""
    from datetime import timedelta

    from django.utils import timezone

    from estates.models import Estate
    from inspections.models import Hazard
    from tests.inspections.factories import HazardFactory
    from works.models import Company

    _, openapi = spec
    clerk = User.objects.get(username="clerk1")
    estate = Estate.objects.visible_to(clerk).first()
    hazard = HazardFactory(estate=estate, reported_by=clerk)
    assert hazard.status == Hazard.Status.OPEN
    contractor = Company.objects.filter(role=Company.Role.CONTRACTOR, is_active=True).first()
    body = {
        "contractor": contractor.pk,
        "notified_person": "李工",
        "notified_via": "phone",
        "deadline": (timezone.localdate() + timedelta(days=3)).isoformat(),
    }
    response = _client("clerk1").post(f"/api/hazards/{hazard.pk}/notify/", body, format="json")
    assert response.status_code == 200, response.content
    _validate(openapi, response, request_too=True, body=body)
    refused = _client("clerk1").post(f"/api/hazards/{hazard.pk}/close/")
    assert refused.status_code == 403
    _validate(openapi, refused, request_too=True)


def test_times_are_documented_as_the_api_writes_them(spec):
    """``HH:MM[:SS]`` without an offset: not OpenAPI's ``format: time`` (RFC 3339 wants
    one), which generated clients would reject."""
    schema, _ = spec
    patrol = schema["components"]["schemas"]["PatrolRecord"]["properties"]["time"]
    assert "format" not in patrol
    assert re.fullmatch(patrol["pattern"], "14:30:00")
    assert re.fullmatch(patrol["pattern"], "14:30")
