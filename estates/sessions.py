"""The session engine: Django's database sessions, saved when they change and otherwise
at most once every ``SESSION_REFRESH_SECONDS``.

``SESSION_SAVE_EVERY_REQUEST`` would keep the idle timeout exact at the cost of one
``UPDATE`` of ``django_session`` on every page view, measured as the largest share of a
busy page's writes under load. Instead, a session read from the database whose last
save is older than ``SESSION_REFRESH_SECONDS`` is marked modified, so
``SessionMiddleware`` saves it at the end of that request, moving its expiry to
``SESSION_COOKIE_AGE`` from now. The idle timeout is kept to within that refresh: a
session ends between ``SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS`` and
``SESSION_COOKIE_AGE`` after its last request."""

import functools
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.sessions.backends import db
from django.utils import timezone

from estates.compiled import CompiledRead


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        row = self._read()  # None when missing or expired
        if row is not None:
            # The project never calls set_expiry: each save sets expire_date to
            # SESSION_COOKIE_AGE after that save, so this is when it was saved last.
            saved_at = row.expire_date - timedelta(seconds=self.get_session_cookie_age())
            if timezone.now() - saved_at >= timedelta(seconds=settings.SESSION_REFRESH_SECONDS):
                self.modified = True
        return row

    def _read(self):
        """Django's read of the session (``db.SessionStore._get_session_from_db``), its SQL
        compiled once per process (``estates.compiled``)."""
        key = self.session_key  # validated by its setter; None when invalid
        if key is None:
            return None
        found = _session_read(self.model).first(key=key, now=timezone.now())
        if found is None:
            self._session_key = None
        return found


@functools.cache
def _session_read(model) -> CompiledRead:
    """``model.objects.filter(session_key=…, expire_date__gt=…)``, compiled once."""
    return CompiledRead(
        lambda key, now: model.objects.filter(session_key=key, expire_date__gt=now),
        key=(model._meta.get_field("session_key"), "session-read-marker"),
        now=(model._meta.get_field("expire_date"), datetime(1901, 1, 2, tzinfo=UTC)),
    )
