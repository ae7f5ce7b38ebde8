"""Django's cached-database sessions, with a copy of each in the process that read it.

A signed-in reader's every request reads the session from the cache first: one
network round trip, the only one a subscriber's cached article page makes. Each
process keeps the sessions it has read for an article page (``core.synced_memo``);
saving or deleting a session drops it here at once and in every other process over
the generation listener's channel. A logout, a login's new session id and a renewal
are all saves or deletes, so an old cookie stops working everywhere within the
pub/sub latency.

Only a read the fast path marks (``allow_kept_copy``: a signed-in reader's article)
uses a copy. Every other request reads the shared cache, so a page that follows a
write made by another process (a multi-step login, the admin's preview, which keeps
its form in the session) always sees it; the pub/sub latency is a window only for
article pages, which nothing writes to a session before.

A copy is pickled: the session a request gets is its own dict, which it may change.
Copies live at most ``MAX_AGE`` seconds: long enough to span a reader's time on an
article, and no risk in itself: a logout and a new id are drops, and a password change
ends the other sessions through the user row, checked against the session on every
request (``accounts.users``). What drops do not carry is a session's expiry, which a
process that keeps the session may let it outlive by ``MAX_AGE`` (a session lasts two
weeks), and a write whose drop could not be published (logged). The faults that stop a
publish (Redis unreachable) mostly stop the write reaching the shared cache too, and the
cache then serves the old session to every process for longer than this anyway.
Without a listener (no Redis, or tests) nothing is kept.
"""

from __future__ import annotations

import pickle

from asgiref.sync import sync_to_async
from django.contrib.sessions.backends import cached_db

from masthead.core.synced_memo import SyncedMemo

MAX_AGE = 300.0

_sessions = SyncedMemo("session", max_entries=20000, max_age=MAX_AGE)


def allow_kept_copy(session) -> None:
    """Let ``session`` be loaded from this process's copy (for an article page)."""
    if isinstance(session, SessionStore):
        session.kept_copy_allowed = True


class SessionStore(cached_db.SessionStore):
    kept_copy_allowed = False

    def load(self):
        key = self.session_key
        token = _sessions.token() if key and self.kept_copy_allowed else None
        if token is None:
            return super().load()
        kept = _sessions.get(key, token)
        if kept is not None:
            return pickle.loads(kept)  # noqa: S301 (bytes this process pickled itself)
        data = super().load()
        # An unknown or expired key loads empty (and is forgotten): nothing to keep.
        if data and self.session_key == key:
            _sessions.keep(key, pickle.dumps(data, pickle.HIGHEST_PROTOCOL), token)
        return data

    def save(self, must_create=False):
        super().save(must_create=must_create)
        if not must_create:  # a new key: no process has a copy of it
            _sessions.drop(self.session_key)

    def delete(self, session_key=None):
        key = session_key if session_key is not None else self.session_key
        super().delete(session_key)
        if key is not None:
            _sessions.drop(key)

    async def asave(self, must_create=False):
        await super().asave(must_create=must_create)
        if not must_create:
            await sync_to_async(_sessions.drop)(self.session_key)

    async def adelete(self, session_key=None):
        key = session_key if session_key is not None else self.session_key
        await super().adelete(session_key)
        if key is not None:
            await sync_to_async(_sessions.drop)(key)
