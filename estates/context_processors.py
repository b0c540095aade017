"""Navigation by role, built once per request from the apps' ``nav.py`` modules."""

from importlib import import_module

NAV_APPS = ("estates", "works", "inspections", "coverage", "reports")


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for app in NAV_APPS:
        try:
            module = import_module(f"{app}.nav")
        except ModuleNotFoundError:
            continue
        items.extend(module.items_for(user))
    return {"nav_items": items}
