"""Every page of the navigation, as every role, on a 390 px phone and a 1366 px desk, in
Debian's Chromium: no page is wider than the screen (wide tables scroll in their own
frame), no request leaves the machine, no visible text is English (outside names and the
words PDF and Excel), every visible input has a label, and no page answers an error."""

import os
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from estates.models import User
from tests.factories import CampaignFactory, EstateFactory
from tests.works.factories import EstateWorksItemFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1366)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
#: Latin words a Chinese user reads as words of their own.
ALLOWED_WORDS = {"PDF", "Excel", "xlsx"}
#: One persona per role (a second street clerk has clerk1's navigation and pages).
PERSONAS = (
    ("hq", "刘主任"),
    ("leader", "张指挥长"),
    ("inspector", "陈工"),
    ("clerk1", "王干事"),
    ("lead1", "孙主任"),
    ("community1", "赵书记"),
)

# Everything the page shows that a user reads, and each visible control without a label.
PAGE_CHECK = """() => {
  const visible = (el) => {
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return s.visibility !== 'hidden' && s.display !== 'none' && r.width > 0 && r.height > 0;
  };
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || el.closest('script, style, [data-name]') || !node.textContent.trim()) continue;
    if (visible(el)) texts.push(node.textContent.trim());
  }
  for (const el of document.querySelectorAll('input[placeholder], [title], img[alt]')) {
    if (!visible(el)) continue;
    for (const attr of ['placeholder', 'title', 'alt']) {
      if (el.getAttribute(attr)) texts.push(el.getAttribute(attr));
    }
  }
  const unlabelled = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type)) continue;
    const shown = visible(el) || (el.closest('label') && visible(el.closest('label')));
    if (!shown) continue;
    const named = el.labels.length || el.getAttribute('aria-label')
      || el.getAttribute('aria-labelledby');
    if (!named) unlabelled.push(el.name || el.id || el.outerHTML.slice(0, 60));
  }
  return {
    width: document.documentElement.scrollWidth,
    texts: texts,
    unlabelled: unlabelled,
  };
}"""


@pytest.fixture
def district(
    hq_staff,
    hq_leader,
    inspector,
    clerk_a,
    street_lead_a,
    clerk_b,
    community_lead_a,
    community_a,
    community_a2,
    community_b,
):
    for username, name in PERSONAS:
        User.objects.filter(username=username).update(display_name=name)
    campaign = CampaignFactory(year=2013)
    for community in (community_a, community_a2, community_b):
        estate = EstateFactory(community=community, campaign=campaign)
        EstateWorksItemFactory(estate=estate, budget=Decimal("125000.00"))


def english_words(texts):
    words = set()
    for text in texts:
        words.update(re.findall(r"[A-Za-z]{2,}", text))
    return words - ALLOWED_WORDS


def nav_pages(page):
    hrefs = page.eval_on_selector_all("#mainnav a", "els => els.map(e => e.getAttribute('href'))")
    return list(dict.fromkeys(hrefs))


def test_every_page_of_the_navigation_fits_stays_local_and_speaks_chinese(
    browser, live_server, district, password
):
    problems = []
    for username, _ in PERSONAS:
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": 800})
        outside = []

        def refuse_outside(route, outside=outside):
            host = urlsplit(route.request.url).hostname
            if route.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", refuse_outside)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        pages = nav_pages(page)
        assert len(pages) >= 2, f"{username}: the navigation is empty"
        # Each page is loaded once and checked at both widths: resizing the viewport
        # re-lays it out (media queries, wrapping) exactly as loading it at that width
        # would, at a fraction of a request's cost. The widths alternate, so each page
        # is also loaded at one width and resized to the other.
        widths = list(WIDTHS)
        for href in pages:
            response = page.goto(f"{live_server.url}{href}")
            if response.status >= 400:
                problems.append(f"{username} {href}: HTTP {response.status}")
                continue
            for width in widths:
                page.set_viewport_size({"width": width, "height": 800})
                where = f"{username} {width}px {href}"
                found = page.evaluate(PAGE_CHECK)
                if found["width"] > width:
                    problems.append(f"{where}: {found['width']} px wide")
                if words := english_words(found["texts"]):
                    problems.append(f"{where}: English {sorted(words)}")
                if found["unlabelled"]:
                    problems.append(f"{where}: inputs without a label {found['unlabelled']}")
            widths.reverse()
        if outside:
            problems.append(f"{username}: requests left the machine {sorted(set(outside))}")
        context.close()
    assert problems == [], "\n".join(problems)


def test_the_phone_menu_opens_every_section(browser, live_server, district, password):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "hq")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    sections = page.locator("#mainnav .nav-item:not(.nav-account) > a")
    assert not sections.first.is_visible()
    page.click("[data-menu-toggle]")
    assert page.get_attribute("[data-menu-toggle]", "aria-expanded") == "true"
    labels = sections.all_inner_texts()
    assert labels[:3] == ["首页", "巡查与检查", "我的待办"]
    for index in range(sections.count()):
        box = sections.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.keyboard.press("Escape")
    assert not sections.first.is_visible()
    context.close()
