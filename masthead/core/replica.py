"""Reads that may be served by a PostgreSQL read replica, and the router that sends them.

A replica lags the primary by a moment, so only reads that can be a little old go there:
a view opts in with ``replica_view`` (the list is in ``masthead/urls.py`` and the
publisher's dashboard), and even inside such a view the apps below always read from the
primary, because a reader's access or a read right after a write depends on them:

- the meter and the paywall's records (``paywall``), entitlements and subscriptions
  (``billing``), users, sessions and e-mail addresses (``auth``, ``sessions``, ``account``);
- comments (a reader expects to see the one they just posted), the e-mail outbox and the
  task queue, and the missed cache-generation bumps (``core``).

Everything else a listing, a feed, a sitemap, search or the insights dashboard reads
(pages, sections, tags, images, search index, events and rollups) may come from the
replica. Pages served through the page cache are never rendered from the replica: a
render from a lagging replica would be cached under the new generation and outlive the lag.

Writes always go to the primary. With ``DATABASE_REPLICA_URL`` unset there is no
``replica`` database and no router (``settings.py``): everything reads from the primary.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

REPLICA = "replica"

PRIMARY_ONLY_APPS = frozenset(
    {
        "paywall",
        "billing",
        "auth",
        "sessions",
        "account",
        "comments",
        "mail",
        "django_tasks_db",
        "core",
    }
)

_replica_allowed: ContextVar[bool] = ContextVar("replica_allowed", default=False)


@contextmanager
def replica_reads():
    """Within this block, reads of the apps not listed above may go to the replica."""
    token = _replica_allowed.set(True)
    try:
        yield
    finally:
        _replica_allowed.reset(token)


def replica_view(view: Callable) -> Callable:
    """A view whose reads may come from the replica, its template's included.

    A ``TemplateResponse`` is rendered here rather than after the view returns, so the
    querysets its template evaluates are read inside ``replica_reads`` too.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with replica_reads():
            response = view(request, *args, **kwargs)
            if callable(getattr(response, "render", None)):
                response = response.render()
            return response

    return wrapper


class ReplicaRouter:
    """Sends the reads ``replica_reads`` allows to the replica; everything else to default."""

    def db_for_read(self, model, **hints) -> str | None:
        if not _replica_allowed.get():
            return None
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return None
        instance = hints.get("instance")
        if instance is not None and instance._state.db:
            return instance._state.db  # a related object is read where its parent was
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica holds the primary's rows: an object read there may be linked to one
        # read from the primary.
        if {obj1._state.db, obj2._state.db} <= {"default", REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        # The replica gets its tables from the primary through replication.
        return db != REPLICA
