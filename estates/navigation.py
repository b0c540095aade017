"""The navigation bar, built per request from the apps' ``nav`` hook modules.

Each app's ``nav.items_for(user)`` returns ``NavItem``s (plain ``(label, url, prefix)``
tuples are accepted too). The bar lists the role's daily tasks first, then the rest in
app order; on a phone the same list opens from the menu button, each section with its
pages below it, so nothing is ever off-screen."""

from typing import NamedTuple


class NavItem(NamedTuple):
    """One entry: ``prefix`` marks it active for every path below it ("/" only for the
    home page itself); ``daily`` puts it first (a daily task of the user's role);
    ``children`` are the section's own pages, shown under it in the phone menu."""

    label: str
    url: str
    prefix: str
    daily: bool = False
    children: tuple = ()


class NavEntry(NamedTuple):
    """A ``NavItem`` as the template reads it, with ``active`` decided for this page."""

    label: str
    url: str
    active: bool
    daily: bool
    children: tuple
    #: This page is one of the section's own pages: show them as tabs above it.
    tabs: bool = False


def _matches(prefix: str, path: str) -> int:
    """Length of the match of ``prefix`` against ``path`` (0: no match)."""
    if prefix in ("/", "/$"):
        return 1 if path == "/" else 0
    return len(prefix) if path.startswith(prefix) else 0


def entries(items, path: str) -> list[NavEntry]:
    """Daily tasks first (in app order), then the others; exactly one entry is active:
    the one with the longest matching prefix (its child, if one matches, too)."""
    items = [NavItem(*item) for item in items]
    items.sort(key=lambda item: not item.daily)
    best = max(items, key=lambda item: _matches(item.prefix, path), default=None)
    if best is not None and not _matches(best.prefix, path):
        best = None

    def entry(item, active):
        children = tuple(NavItem(*child) for child in item.children)
        child_best = max(children, key=lambda c: _matches(c.prefix, path), default=None)
        return NavEntry(
            item.label,
            item.url,
            active,
            item.daily,
            tuple(
                NavEntry(
                    c.label,
                    c.url,
                    active and c is child_best and bool(_matches(c.prefix, path)),
                    False,
                    (),
                )
                for c in children
            ),
            active and any(c.url.split("?", 1)[0] == path for c in children),
        )

    return [entry(item, item is best) for item in items]
