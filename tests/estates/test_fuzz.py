"""Generated input to every API endpoint and every form, as each role (hypothesis, a
few examples each so the suite stays quick): never a 5xx, and never a row outside the
caller's scope, in a list or as the result of a write."""

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest
from django.urls import resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from estates.models import User

pytestmark = pytest.mark.slow

ROLES = [
    "hq",
    "leader",
    "inspector",
    "clerk1",
    "lead1",
    "clerk2",
    "community1",
    "contractor1",
    "supervisor1",
]
#: Who posts forms: HQ, a clerk, a lead (signs reports and acceptance forms), a community
#: lead, and the people of a contractor and of a supervision firm.
FORM_ROLES = ["hq", "clerk1", "lead1", "community1", "contractor1", "supervisor1"]
FUZZ = settings(
    max_examples=2,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

hostile_text = st.one_of(
    st.text(max_size=20, alphabet=st.characters(exclude_categories=["Cs"])),
    st.sampled_from(
        [
            '=HYPERLINK("http://x")',
            "\x00",
            "\x0b\x1b[31m",
            "9999-12-31",
            "0001-01-01",
            "28129288585992994816",
            "-1",
            "' OR 1=1 --",
            "<script>",
            "记" * 3000,
        ]
    ),
)
hostile_int = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70), st.integers(min_value=1, max_value=80)
)


def _value(schema, components):
    schema = components.get(schema.get("$ref", "").rsplit("/", 1)[-1], schema)
    if "enum" in schema:
        return st.one_of(st.sampled_from(schema["enum"]), hostile_text)
    kind = schema.get("type")
    if kind == "integer":
        return st.one_of(hostile_int, hostile_text)
    if kind == "number":
        return st.one_of(st.floats(allow_nan=False), hostile_int, hostile_text)
    if kind == "boolean":
        return st.one_of(st.booleans(), hostile_text)
    if kind == "array":
        return st.lists(_value(schema.get("items", {}), components), max_size=3)
    if schema.get("format") == "date":
        return st.one_of(st.dates().map(str), hostile_text)
    return hostile_text


def _body(schema, components):
    schema = components.get(schema.get("$ref", "").rsplit("/", 1)[-1], schema)
    properties = schema.get("properties", {})
    return st.fixed_dictionaries(
        {}, optional={name: _value(p, components) for name, p in properties.items()}
    )


@pytest.fixture(scope="module")
def api_schema(demo_district, django_db_blocker):
    with django_db_blocker.unblock():
        client = APIClient()
        client.force_authenticate(User.objects.get(username="hq"))
        return client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def _model_of(path):
    view = resolve(urlparse(path).path).func
    queryset = getattr(view.cls, "queryset", None)
    return queryset.model if queryset is not None else None


def _visible_ids(model, user):
    """None for reference data that every user reads (no ``visible_to``)."""
    if model is None or not hasattr(model.objects, "visible_to"):
        return None
    return set(model.objects.visible_to(user).values_list("pk", flat=True))


def _rows(response):
    body = response.json()
    rows = body.get("results") if isinstance(body, dict) else body
    return [r for r in rows or [] if isinstance(r, dict) and "id" in r]


def _endpoints(schema, method, with_id):
    return sorted(
        template
        for template, operations in schema["paths"].items()
        if method in operations
        and ("{" in template) == with_id
        and not template.startswith(("/api/schema", "/api/auth"))
    )


def query_strategy(parameters, components):
    return st.fixed_dictionaries(
        {}, optional={p["name"]: _value(p.get("schema", {}), components) for p in parameters}
    )


def _list_check(client, template, queries, allowed):
    @FUZZ
    @given(query=queries)
    def check(query):
        response = client.get(template, {k: str(v) for k, v in query.items()})
        assert response.status_code < 500, (template, query)
        if response.status_code == 200 and allowed is not None:
            outside = {r["id"] for r in _rows(response)} - allowed
            assert not outside, (template, query, outside)

    return check


def _write_check(client, user, template, bodies, ids, model, method="post"):
    scoped = model is not None and hasattr(model.objects, "visible_to")

    @FUZZ
    @given(body=bodies, pk=ids)
    def check(body, pk):
        url = re.sub(r"\{[^}]+\}", str(pk), template)
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code < 500, (method, url, body)
        if response.status_code in (200, 201) and scoped and "id" in response.json():
            # Whatever was written (created or changed) is still inside the caller's scope.
            assert model.objects.visible_to(user).filter(pk=response.json()["id"]).exists()

    return check


def _form_check(client, action, fields):
    @FUZZ
    @given(values=st.fixed_dictionaries({name: hostile_text for name in sorted(fields)}))
    def check(values):
        response = client.post(action, values)
        assert response.status_code < 500, (action, values)

    return check


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES)
def test_lists_with_generated_filters(api_schema, username):
    user = User.objects.get(username=username)
    client = APIClient()
    client.force_authenticate(user)
    components = api_schema["components"]["schemas"]

    for template in _endpoints(api_schema, "get", with_id=False):
        parameters = [
            p
            for p in api_schema["paths"][template]["get"].get("parameters", [])
            if p["in"] == "query"
        ]
        model = _model_of(template)
        allowed = _visible_ids(model, user)

        _list_check(client, template, query_strategy(parameters, components), allowed)()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES)
def test_writes_with_generated_bodies(api_schema, username):
    user = User.objects.get(username=username)
    client = APIClient()
    client.force_authenticate(user)
    components = api_schema["components"]["schemas"]
    some_id = st.one_of(st.integers(min_value=1, max_value=60), st.sampled_from(["x", "0"]))

    writes = [("post", t) for t in _endpoints(api_schema, "post", False)]
    writes += [(m, t) for m in ("post", "patch") for t in _endpoints(api_schema, m, True)]
    for method, template in writes:
        operation = api_schema["paths"][template][method]
        content = operation.get("requestBody", {}).get("content", {})
        schema = (content.get("application/json") or next(iter(content.values()), {})).get(
            "schema", {}
        )
        model = _model_of(template.replace("{id}", "1"))

        _write_check(client, user, template, _body(schema, components), some_id, model, method)()


class _Forms(HTMLParser):
    """The POST forms of a page: action and the names of their fields."""

    def __init__(self):
        super().__init__()
        self.forms, self.current, self.links = [], None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href", "").startswith("/"):
            self.links.append(attrs["href"])
        if tag == "form" and attrs.get("method", "").lower() == "post":
            self.current = {"action": attrs.get("action") or "", "fields": set()}
            self.forms.append(self.current)
        named = attrs.get("name") and attrs.get("type") not in ("hidden", "file", "submit")
        if tag in ("input", "select", "textarea") and self.current is not None and named:
            self.current["fields"].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def _plain_urls(resolver=None, prefix=""):
    """Every page of the URLconf that takes no argument (the admin and API aside), so the
    crawl reaches the newer sections (acceptance, meetings, weekly reports, messages, to-do,
    account pages) whatever the home page links to."""
    from django.urls import URLPattern, URLResolver, get_resolver

    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = str(entry.pattern)
        if "<" in route or route.startswith(("^", "admin", "api")):
            continue
        if isinstance(entry, URLResolver):
            yield from _plain_urls(entry, prefix + route)
        elif isinstance(entry, URLPattern) and not route.endswith((".xlsx", ".pdf", ".svg")):
            yield "/" + prefix + route


def _kind(url):
    """``/hazards/12/rectify/?page=2`` → ``/hazards/<id>/rectify/``."""
    return re.sub(r"/\d+/", "/<id>/", urlparse(url).path)


#: Pages of one kind visited (``/coverage/compounds/<id>/`` twice, not for all 60
#: compounds; ``/coverage/ledger/`` under two of its filters, not nineteen).
PAGES_PER_KIND = 2


def _crawl(client, limit=150):
    """The POST forms reachable by ``client``, one per kind (``/hazards/<id>/rectify/``
    once, whichever hazard), found on at most ``PAGES_PER_KIND`` pages of each kind, so
    the crawl reaches every section and the posts stay few."""
    queue, seen, forms, kinds = ["/", *sorted(set(_plain_urls()))], set(), {}, set()
    visits = Counter()
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen or any(x in path for x in ("export", "xlsx", "pdf", "logout", "photo")):
            continue
        if visits[_kind(path)] >= PAGES_PER_KIND:
            continue
        seen.add(path)
        visits[_kind(path)] += 1
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            action = form["action"] or path
            kind = _kind(action)
            if "logout" not in action and form["fields"] and kind not in kinds:
                kinds.add(kind)
                forms[action] = form["fields"]
        queue.extend(link.split("#")[0] for link in parser.links if link not in seen)
    return forms


def _outside_counts(user):
    """Per scoped model, how many rows lie outside ``user``'s scope."""
    from estates.validators import project_models

    counts = {}
    for model in project_models():
        if hasattr(model.objects, "visible_to"):
            total = model.objects.count()
            counts[model._meta.label] = total - model.objects.visible_to(user).count()
    return counts


@pytest.mark.django_db
@pytest.mark.parametrize("username", FORM_ROLES)
def test_forms_with_generated_values(client, demo_district, username):
    user = User.objects.get(username=username)
    client.force_login(user)
    forms = _crawl(client)
    assert forms or username == "community1"
    outside = _outside_counts(user)
    for action, fields in sorted(forms.items()):
        _form_check(client, action, fields)()
    # Whatever was posted, nothing was written outside the user's scope.
    assert _outside_counts(user) == outside


@pytest.mark.django_db
def test_every_integer_filter_refuses_a_number_beyond_the_database(api_schema):
    """A filter on an id given 2⁶⁴ (more than any database integer holds) is a 400 that
    names the parameter, on every list of the API (hypothesis found one that overflowed
    SQLite's integer into a 500); ``page`` is the paginator's (a 404 "无效页面")."""
    client = APIClient()
    client.force_authenticate(User.objects.get(username="hq"))
    checked = []
    for template in _endpoints(api_schema, "get", with_id=False):
        for parameter in api_schema["paths"][template]["get"].get("parameters", []):
            name = parameter["name"]
            if parameter["in"] != "query" or name in ("page", "page_size"):
                continue
            if parameter.get("schema", {}).get("type") != "integer":
                continue
            response = client.get(template, {name: str(2**64)})
            assert response.status_code == 400, (template, name, response.status_code)
            assert name in response.json(), (template, name, response.json())
            checked.append((template, name))
    assert ("/api/meeting-packs/", "meeting") in checked
    assert ("/api/action-items/", "meeting") in checked
