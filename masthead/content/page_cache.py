"""A read path in front of Wagtail for pages every reader sees alike.

Rendering an article through Wagtail's router and templates costs about ten
times what Django itself costs per request, so a rendered article is kept in
the cache and served straight from there to readers whose page cannot
differ (no session). Every publish, unpublish, move or delete bumps one
generation number that each entry records, so one increment invalidates
all cached pages at once, in every app process sharing the cache.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

GENERATION_KEY = "content:generation"
ENTRY_TIMEOUT = 60 * 60 * 24
SHARED_MAX_AGE = 60
KEPT_HEADERS = ("Content-Type", "X-Frame-Options", "Vary", "Cache-Control", "Content-Language")
CACHEABLE_ATTRIBUTE = "_masthead_cacheable_page"
# What the early cache lookup found, so later middleware needs no second round trip.
PREFETCHED_ATTRIBUTE = "_masthead_cache_lookup"


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = int(time.time() * 1000)
        cache.add(GENERATION_KEY, value, None)
        value = cache.get(GENERATION_KEY, value)
    return value


def request_generation(request: HttpRequest) -> int:
    """The generation this request works with: read once, then kept on the request."""
    found = getattr(request, PREFETCHED_ATTRIBUTE, None)
    gen = found.get(GENERATION_KEY) if found else None
    if gen is None:
        gen = generation()
        setattr(request, PREFETCHED_ATTRIBUTE, {**(found or {}), GENERATION_KEY: gen})
    return gen


class GenerationMemo:
    """A per-process memo of values derived from cached content, keyed by generation.

    Saves a cache round trip per request for small things every request
    needs (settings, prompts); a new generation simply misses.
    """

    def __init__(self, max_entries: int = 2000):
        self.max_entries = max_entries
        self.entries: dict = {}

    def get_or_set(self, key: tuple, make):
        value = self.entries.get(key)
        if value is None:
            if len(self.entries) >= self.max_entries:
                self.entries.clear()
            value = self.entries[key] = make()
        return value


def bump_generation(**_signal_kwargs) -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, int(time.time() * 1000), None)


def is_shared_request(request: HttpRequest) -> bool:
    """True when nothing about the reader can change the page."""
    return (
        request.method in ("GET", "HEAD")
        and not request.GET
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def location(request: HttpRequest) -> str:
    """Host and path for a cache key, hashed when too long for every cache backend."""
    value = f"{request.get_host()}:{request.path}"
    if len(value) > 160:
        value = hashlib.sha256(value.encode()).hexdigest()
    return value


def _key(request: HttpRequest) -> str:
    return f"page:{location(request)}"


def fetch(request: HttpRequest, also: list[str] = ()) -> tuple[HttpResponse | None, int | None]:
    """The cached response, if fresh, and the generation it was checked against.

    Keys in ``also`` are fetched in the same round trip and left on the request.
    """
    # One round trip for all: an entry from an older generation is stale.
    key = _key(request)
    found = cache.get_many([GENERATION_KEY, key, *also])
    setattr(request, PREFETCHED_ATTRIBUTE, found)
    current, entry = found.get(GENERATION_KEY), found.get(key)
    if entry is None or current != entry[0]:
        return None, current
    _, content, headers = entry
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    return response, current


def mark_cacheable(*, request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Flag a freshly rendered page for the middleware to keep, and say who may cache it."""
    shared = is_shared_request(request) and not getattr(request, "is_preview", False)
    if shared and response.status_code == 200:
        setattr(response, CACHEABLE_ATTRIBUTE, True)
    set_cache_headers(response, shared=shared)
    return response


def store_if_marked(request: HttpRequest, response: HttpResponse, gen: int | None) -> None:
    """Keep a marked response under the generation read before it was rendered.

    Using the earlier generation means a publish during rendering leaves the
    entry already stale rather than fresh with old content.
    """
    if not getattr(response, CACHEABLE_ATTRIBUTE, False) or response.streaming:
        return
    if response.cookies:
        return
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    headers = [(name, response[name]) for name in KEPT_HEADERS if name in response]
    if gen is None:
        gen = generation()
    cache.set(_key(request), (gen, response.content, headers), ENTRY_TIMEOUT)


def set_cache_headers(response: HttpResponse, *, shared: bool) -> None:
    """Public caching only for what every anonymous reader sees alike; private otherwise."""
    patch_vary_headers(response, ["Cookie"])
    if shared:
        patch_cache_control(response, public=True, max_age=SHARED_MAX_AGE)
    else:
        patch_cache_control(response, private=True, no_cache=True, max_age=0)
