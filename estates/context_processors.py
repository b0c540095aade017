"""Navigation by role, built once per request from the apps' ``nav.py`` modules."""

from estates.hooks import app_modules
from estates.navigation import entries


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [item for module in app_modules("nav") for item in module.items_for(user)]
    return {"nav_items": entries(items, request.path)}
