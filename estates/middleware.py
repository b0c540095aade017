"""Request middleware of the project."""

import time

#: The session key holding when the session was last refreshed (seconds since the epoch).
REFRESHED_KEY = "_refreshed"
#: How stale a session may get before a request refreshes its expiry.
REFRESH_SECONDS = 60


class IdleSessionMiddleware:
    """Keeps the idle timeout (``SESSION_COOKIE_AGE`` after the last request) without
    writing the session on every request: a request refreshes the session's expiry only
    when it was last refreshed more than a minute ago, so a page view that changes
    nothing costs no session write (``SESSION_SAVE_EVERY_REQUEST`` stays off). The
    timeout is therefore kept to within a minute. Sits after ``SessionMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.session_key or session.is_empty():
            return response
        now = int(time.time())
        # A session saved anyway (a login, a changed value) records the refresh for free.
        if session.modified or now - session.get(REFRESHED_KEY, 0) >= REFRESH_SECONDS:
            session[REFRESHED_KEY] = now  # marks it modified: SessionMiddleware saves it
        return response
