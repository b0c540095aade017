"""Navigation by role, built once per request from the apps' ``nav.py`` modules."""

from django.conf import settings

from estates.hooks import app_modules
from estates.navigation import entries


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [item for module in app_modules("nav") for item in module.items_for(user)]
    return {
        "nav_items": entries(items, request.path),
        # Loaded with the user by estates.backends (no query of its own).
        "unread_message_count": getattr(user, "unread_message_count", 0),
        # Remembered by the to-do page and the home page (estates.tasklist).
        "todo_count": request.session.get("todo_count") if hasattr(request, "session") else None,
        "email_enabled": settings.NOTIFY_EMAIL,
        "webhook_enabled": bool(settings.NOTIFY_WEBHOOKS),
    }
