"""Generation numbers: how every app process learns that cached bytes went stale.

A cached thing records the generations it was made under; bumping one makes
everything that recorded it stale at once, in every process sharing the cache.
Three generations, so that a change invalidates no more than it must:

- ``SITE``: anything on every page (publication and paywall settings, plans,
  ads, images, the section menu, author boxes). Keys the article variants.
- ``CONTENT``: any page published, unpublished, moved, deleted or restricted.
  Keys listings, "More from" blocks and the URL → article map.
- ``COMMENTS``: any visible comment count changed. Keys the counts on cards.

A request reads all three once, in the same cache round trip as whatever
else its fast path needs, and keeps them on the request.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

SITE, CONTENT, COMMENTS = "site", "content", "comments"
NAMES = (SITE, CONTENT, COMMENTS)
_REQUEST_ATTRIBUTE = "_masthead_cache_lookup"


def key(name: str) -> str:
    return f"gen:{name}"


KEYS = tuple(key(name) for name in NAMES)


def _seed(name: str) -> int:
    value = int(time.time() * 1000)
    cache.add(key(name), value, None)
    return cache.get(key(name), value)


def lookup(request: HttpRequest, *extra_keys: str) -> dict:
    """The generations and ``extra_keys`` in one cache round trip, kept on the request.

    A later call on the same request with keys already fetched costs nothing.
    """
    found = getattr(request, _REQUEST_ATTRIBUTE, None)
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
        value = cache.get(key(name))
        return value if value is not None else _seed(name)
    return lookup(request)[key(name)]


def stamp(request: HttpRequest | None) -> tuple[int, int, int]:
    """All three generations, for an entry that depends on all of them."""
    if request is None:
        return tuple(current(None, name) for name in NAMES)
    found = lookup(request)
    return tuple(found[k] for k in KEYS)


def bump(name: str) -> None:
    try:
        cache.incr(key(name))
    except ValueError:
        cache.set(key(name), int(time.time() * 1000), None)


# Signal receivers. Module-level on purpose: signals hold receivers weakly.
def site_changed(**_signal_kwargs) -> None:
    bump(SITE)


def settings_changed(created: bool = False, **_signal_kwargs) -> None:
    """For site settings rows, which Wagtail creates with their defaults on first read.

    A row just created holds the defaults every page was already made with.
    """
    if not created:
        bump(SITE)
        bump(CONTENT)


def content_changed(**_signal_kwargs) -> None:
    bump(CONTENT)


def comments_changed(**_signal_kwargs) -> None:
    bump(COMMENTS)
