"""A read path in front of Wagtail for listing pages every reader sees alike.

Home, section and author pages are rendered once and served from the cache
to readers whose page cannot differ (no session). Each entry records the
site, content and comments generations it was rendered under (see
``masthead.core.generations``); a bump of any of them makes it stale, in
every app process sharing the cache. Articles do not use this cache: the
reading layer serves them from their per-revision variants.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

from masthead.core import generations, requests
from masthead.core.memo import Memo

ENTRY_TIMEOUT = 60 * 60 * 24
SHARED_MAX_AGE = 60
# How long nginx's micro-cache (deploy/nginx) keeps a public page: X-Accel-Expires wins
# over max-age there and is not passed on. Short, so that an unpublish or an access
# change reaches the few readers it serves within seconds.
MICRO_CACHE_SECONDS = 5
KEPT_HEADERS = (
    "Content-Type",
    "X-Frame-Options",
    "Vary",
    "Cache-Control",
    "Content-Language",
    "X-Accel-Expires",
)
CACHEABLE_ATTRIBUTE = "_masthead_cacheable_page"
# A listing page (cached or not) whose slots ``CachedPageMiddleware`` fills on the way out.
LISTING_ATTRIBUTE = "_masthead_listing_page"
_pages = Memo(max_entries=256)


def is_shared_request(request: HttpRequest) -> bool:
    """True when nothing about the reader can change the page."""
    return (
        request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def location(request: HttpRequest) -> str:
    """Scheme, host and path for a cache key (a page's absolute links carry the first
    two), hashed when too long for every cache backend."""
    value = f"{request.scheme}://{requests.host(request)}:{request.path}"
    if len(value) > 160:
        value = hashlib.sha256(value.encode()).hexdigest()
    return value


def page_key(request: HttpRequest) -> str:
    return f"page:{location(request)}"


def fetch(request: HttpRequest) -> HttpResponse | None:
    """The cached response if fresh; one round trip fetches it with the generations.

    A process that vouches for its own generations keeps pages it has fetched.
    """
    key = page_key(request)
    stamp = generations.local_stamp()
    entry = _pages.get((key, stamp)) if stamp is not None else None
    if entry is None:
        found = generations.lookup(request, key)
        entry = found.get(key)
        if entry is None or entry[0] != generations.stamp(request):
            return None
        if stamp is not None:
            _pages.set((key, entry[0]), entry)
    _, content, headers = entry
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    return response


def mark_cacheable(*, request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Flag a freshly rendered page for the middleware to keep, and say who may cache it."""
    shared = is_shared_request(request) and not getattr(request, "is_preview", False)
    setattr(response, LISTING_ATTRIBUTE, True)
    if shared and response.status_code == 200:
        setattr(response, CACHEABLE_ATTRIBUTE, True)
    set_cache_headers(response, shared=shared)
    return response


def store_if_marked(request: HttpRequest, response: HttpResponse, stamp: tuple | None) -> None:
    """Keep a marked response under the generations read before it was rendered.

    Using the earlier generations means a publish during rendering leaves the
    entry already stale rather than fresh with old content.
    """
    if not getattr(response, CACHEABLE_ATTRIBUTE, False) or response.streaming:
        return
    if response.cookies:
        return
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    headers = [(name, response[name]) for name in KEPT_HEADERS if name in response]
    cache.set(page_key(request), (stamp, response.content, headers), ENTRY_TIMEOUT)


def set_cache_headers(response: HttpResponse, *, shared: bool) -> None:
    """Public caching only for what every anonymous reader sees alike; private otherwise."""
    if "Vary" not in response and "Cache-Control" not in response:
        # A fresh response (every article): the same two headers as below, without parsing.
        response["Vary"] = "Cookie"
        response["Cache-Control"] = _PUBLIC if shared else _PRIVATE
        if shared:
            response["X-Accel-Expires"] = _MICRO
        return
    patch_vary_headers(response, ["Cookie"])
    if shared:
        patch_cache_control(response, public=True, max_age=SHARED_MAX_AGE)
        response["X-Accel-Expires"] = _MICRO
    else:
        patch_cache_control(response, private=True, no_cache=True, max_age=0)


def _cache_control(**directives) -> str:
    response = HttpResponse()
    patch_cache_control(response, **directives)
    return response["Cache-Control"]


_PUBLIC = _cache_control(public=True, max_age=SHARED_MAX_AGE)
_PRIVATE = _cache_control(private=True, no_cache=True, max_age=0)
_MICRO = str(MICRO_CACHE_SECONDS)
