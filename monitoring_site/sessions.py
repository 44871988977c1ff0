"""Database sessions whose idle expiry is renewed at most once a minute.

SESSION_SAVE_EVERY_REQUEST renews the server-side expiry on each request (the idle limit).
Writing an unchanged session again a few seconds after its last write only moves that expiry
by those seconds, yet costs every signed-in request an UPDATE in a transaction of its own.
This store skips that write while the stored expiry is less than a minute behind the one a
write would set: a session then ends between SESSION_COOKIE_AGE minus one minute and
SESSION_COOKIE_AGE after the last request — never later than before. A changed session
(log-in, log-out, messages, language) is always written.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

RENEWAL_STEP = timedelta(minutes=1)


class SessionStore(DatabaseSessionStore):
    _stored_expiry = None

    def _get_session_from_db(self):
        stored = super()._get_session_from_db()  # type: ignore[misc]  # Django's, not in the stubs
        self._stored_expiry = stored.expire_date if stored is not None else None
        return stored

    def renewal_due(self) -> bool:
        self._get_session()  # type: ignore[attr-defined]  # (SessionBase's, not in the stubs) loads the row (and its expiry) if nothing has read the session yet
        if self.session_key is None or self._stored_expiry is None:
            return True
        return self._stored_expiry < self.get_expiry_date() - RENEWAL_STEP

    def save(self, must_create: bool = False) -> None:
        if must_create or self.modified or self.renewal_due():
            super().save(must_create=must_create)
            self._stored_expiry = None  # unknown until read again: the next save writes
