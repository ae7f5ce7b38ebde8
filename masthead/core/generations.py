"""Generation numbers: how every app process learns that cached bytes went stale.

A cached thing records the generations it was made under; bumping one makes
everything that recorded it stale at once, in every process sharing the cache.
Four generations, so that a change invalidates no more than it must:

- ``SITE``: anything on every page (publication and paywall settings, plans,
  ads, images, the section menu, author boxes). Keys the article variants.
- ``CONTENT``: any page published, unpublished, moved, deleted or restricted.
  Keys listings, "More from" blocks and the URL → article map.
- ``COMMENTS``: any visible comment count changed. Keys the counts on cards.
- ``ACCOUNTS``: any user row or subscription saved or deleted. Keys the
  per-process copies of signed-in users and their entitlements; pages do not
  depend on it, so a login re-renders nothing.

A request reads all four once, in the same cache round trip as whatever
else its fast path needs, and keeps them on the request. With Redis, each
process keeps its own copy current through pub/sub (``core.listener``) and
needs no round trip for them at all.
"""

from __future__ import annotations

import functools
import logging
import time
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections, transaction
from django.http import HttpRequest

from masthead.core.listener import GenerationListener
from masthead.core.models import MissedBump

logger = logging.getLogger(__name__)

SITE, CONTENT, COMMENTS, ACCOUNTS = "site", "content", "comments", "accounts"
# What cached pages depend on; a login or a renewal leaves them alone.
PAGE_NAMES = (SITE, CONTENT, COMMENTS)
NAMES = (*PAGE_NAMES, ACCOUNTS)
_REQUEST_ATTRIBUTE = "_masthead_cache_lookup"


def key(name: str) -> str:
    return f"gen:{name}"


KEYS = tuple(key(name) for name in NAMES)


def _seed(name: str) -> int:
    value = int(time.time() * 1000)
    if cache.add(key(name), value, None):
        _announce(name, value)
    found = cache.get(key(name))
    if found is None:
        # The cache is unreachable (its errors are misses): a value no entry was ever
        # made under, so nothing kept before the outage is trusted during it.
        return -time.time_ns()
    return found


@functools.cache
def _listener() -> GenerationListener | None:
    if not getattr(settings, "GENERATION_LISTENER", False) or not settings.REDIS_URL:
        return None
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    return GenerationListener(
        settings.REDIS_URL, f"{prefix}:generations", _read_all, on_sync=_replay_in_thread
    )


def listener() -> GenerationListener | None:
    """This process's listener; None when the site runs without one."""
    return _listener()


def _replay_in_thread() -> None:
    """``replay_missed`` from the listener's thread, which must not keep a connection open."""
    try:
        replay_missed()
    finally:
        connections.close_all()


def _read_all() -> dict[str, int]:
    found = cache.get_many(list(KEYS))
    return {name: found.get(key(name)) or _seed(name) for name in NAMES}


def _announce(name: str, value: int) -> None:
    listener = _listener()
    if listener is not None:
        listener.publish(name, value)


def local_values() -> dict[str, int] | None:
    """This process's own copy of the generations, when it can vouch for it."""
    listener = _listener()
    return listener.values() if listener is not None else None


class _LocalView:
    """The listener's copy of the generations as ``lookup`` and ``local_stamp`` give them.

    The listener replaces its dict on every change, so the forms derived from one
    dict hold until the next change: made once per change, not per request.
    """

    def __init__(self, values: dict[str, int]):
        self.values = values
        self.keyed = {key(name): values[name] for name in NAMES}
        self.stamp = tuple(values[name] for name in PAGE_NAMES)


_local_view: _LocalView | None = None


def _local() -> _LocalView | None:
    global _local_view
    values = local_values()
    if values is None:
        return None
    view = _local_view
    if view is None or view.values is not values:
        view = _local_view = _LocalView(values)
    return view


# Read-your-writes for the browser that made a change. Another process hears the bump
# only after the pub/sub latency, so the page a write redirects to, served there, could
# show the old state. The writer's response carries the generations its bumps reached
# (SEEN_COOKIE); a process whose own copy is behind them reads the shared cache for
# that browser's requests instead, until the cookie lapses.
SEEN_COOKIE = "mh_seen"
SEEN_MAX_AGE = 60
_bumped: ContextVar[dict[str, int] | None] = ContextVar("generations_bumped", default=None)


def parse_seen(raw: str | None) -> dict[str, int]:
    """``comments:17|content:9`` as a dict; anything malformed is ignored."""
    seen: dict[str, int] = {}
    for part in (raw or "")[:200].split("|"):
        name, _, value = part.partition(":")
        if name in NAMES and value.isdigit() and len(value) < 20:
            seen[name] = int(value)
    return seen


def format_seen(seen: dict[str, int]) -> str:
    return "|".join(f"{name}:{value}" for name, value in sorted(seen.items()))


def _behind(request: HttpRequest, values: dict[str, int]) -> bool:
    """Whether this process's copy predates a change this browser made."""
    raw = request.COOKIES.get(SEEN_COOKIE)
    if not raw:
        return False
    return any(values.get(name, 0) < value for name, value in parse_seen(raw).items())


class ReadYourWritesMiddleware:
    """Gives a response the generations its request's bumps reached (``SEEN_COOKIE``).

    Last in MIDDLEWARE: only views write, and the reads the fast paths answer never
    reach it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _bumped.set({})
        try:
            response = self.get_response(request)
            bumped = _bumped.get()
        finally:
            _bumped.reset(token)
        if bumped:
            seen = parse_seen(request.COOKIES.get(SEEN_COOKIE))
            for name, value in bumped.items():
                seen[name] = max(value, seen.get(name, 0))
            response.set_cookie(
                SEEN_COOKIE,
                format_seen(seen),
                max_age=SEEN_MAX_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def lookup(request: HttpRequest, *extra_keys: str) -> dict:
    """The generations and ``extra_keys`` in one cache round trip, kept on the request.

    A later call on the same request with keys already fetched costs nothing; a
    process whose listener vouches for its copy of the generations fetches only
    ``extra_keys``.
    """
    found = getattr(request, _REQUEST_ATTRIBUTE, None)
    if found is not None and not extra_keys:
        return found
    if found is None:
        local = _local()
        if local is not None and not _behind(request, local.values):
            found = local.keyed  # shared: nothing below changes it in place
            if not extra_keys:
                setattr(request, _REQUEST_ATTRIBUTE, found)
                return found
    missing = [k for k in (*KEYS, *extra_keys) if found is None or k not in found]
    if missing:
        fetched = cache.get_many(missing)
        found = {**(found or {}), **{k: fetched.get(k) for k in missing}}
        for name in NAMES:
            if found[key(name)] is None:
                found[key(name)] = _seed(name)
    setattr(request, _REQUEST_ATTRIBUTE, found)
    return found


def current(request: HttpRequest | None, name: str) -> int:
    """One generation, from the request's lookup when there is a request."""
    if request is None:
        local = local_values()
        if local is not None:
            return local[name]
        value = cache.get(key(name))
        return value if value is not None else _seed(name)
    return lookup(request)[key(name)]


def stamp(request: HttpRequest) -> tuple[int, int, int]:
    """The generations a cached page depends on."""
    found = lookup(request)
    return tuple(found[key(name)] for name in PAGE_NAMES)


def local_stamp() -> tuple[int, int, int] | None:
    """The same, from this process's own copy; None when it cannot vouch for it."""
    local = _local()
    return local.stamp if local is not None else None


def bump(name: str, *, keep_missed: bool = True) -> bool:
    """Move one generation on; False when the cache is unreachable (the bump is kept)."""
    try:
        value = cache.incr(key(name))
    except ValueError:  # no such key yet
        value = int(time.time() * 1000)
        cache.set(key(name), value, None)
    if value is None:
        # The cache is unreachable (its errors are misses). Keep the bump with the
        # change that needed it, to be made when the cache is back (replay_missed).
        if keep_missed:
            _keep_missed(name)
        return False
    _announce(name, value)
    bumped = _bumped.get()
    if bumped is not None and value > bumped.get(name, 0):
        bumped[name] = value
    return True


def _keep_missed(name: str) -> None:
    try:
        MissedBump.objects.create(name=name)
    except DatabaseError:
        logger.exception("could not keep a missed %s bump", name)


def replay_missed() -> int:
    """Make the bumps that could not reach the cache; how many generations moved.

    Every process's listener calls this when it has (re)subscribed, which is
    when Redis has come back. Two processes replaying at once only bump twice.
    """
    missed = list(MissedBump.objects.values_list("pk", "name"))
    if not missed:
        return 0
    names = {name for _, name in missed}
    if not all([bump(name) for name in sorted(names)]):
        return 0
    MissedBump.objects.filter(pk__in=[pk for pk, _ in missed]).delete()
    return len(names)


def bump_now_and_at_commit(name: str) -> None:
    """Bump now, for this process's next request, and again once the change is committed.

    A request in another process that starts between the two reads the new
    generation but the old rows; the second bump makes whatever it kept stale.
    """
    # A bump that missed is already kept, in the same transaction as the change.
    missed = not bump(name)
    transaction.on_commit(lambda: bump(name, keep_missed=not missed))


# Signal receivers. Module-level on purpose: signals hold receivers weakly.
def site_changed(**_signal_kwargs) -> None:
    bump_now_and_at_commit(SITE)


def settings_changed(created: bool = False, **_signal_kwargs) -> None:
    """For site settings rows, which Wagtail creates with their defaults on first read.

    A row just created holds the defaults every page was already made with.
    """
    if not created:
        bump_now_and_at_commit(SITE)
        bump_now_and_at_commit(CONTENT)


def content_changed(**_signal_kwargs) -> None:
    bump_now_and_at_commit(CONTENT)


def comments_changed(**_signal_kwargs) -> None:
    bump_now_and_at_commit(COMMENTS)


def accounts_changed(**_signal_kwargs) -> None:
    bump_now_and_at_commit(ACCOUNTS)
