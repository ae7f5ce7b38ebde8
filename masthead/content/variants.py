"""The *whole* and *teaser* variants of an article, rendered once per revision.

A variant is the article page's bytes with its per-reader slots still
empty. It depends on the page's live revision, on what is on every page
(the site generation: settings, menu, author boxes, images) and on the
origin it was asked for (its canonical, og:url, JSON-LD and share links are
absolute URLs on that scheme and host), so its key holds all three;
publishing the article makes a new key, and nothing else does.
Variants live in a per-process LRU in front of the shared cache, so a
warm process serves one without moving the page's bytes over the network.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from wagtail.models import Page

from masthead.content.jsonld import GATED_CSS_CLASS
from masthead.content.models import AccessLevel, ArticlePage
from masthead.core import generations, requests
from masthead.core.memo import Memo

WHOLE, TEASER = "whole", "teaser"
ENTRY_TIMEOUT = 24 * 3600
_local = Memo(max_entries=512)


@dataclass(frozen=True)
class ArticleRoute:
    """What the fast path needs to know about the live article at a URL."""

    page_id: int
    access: str
    version: str
    comments_open: bool


def route_of(page: ArticlePage) -> ArticleRoute:
    return ArticleRoute(page.pk, page.access_level, page_version(page), page.comments_open)


def page_version(page: ArticlePage) -> str:
    """The live revision; bulk-loaded pages without one fall back to their publish time."""
    published = page.last_published_at.timestamp() if page.last_published_at else 0
    return f"{page.live_revision_id or 0}.{published:.0f}"


def origin(request: HttpRequest) -> str:
    """Scheme and host, as the page's absolute URLs carry them; hashed when long."""
    value = f"{request.scheme}://{requests.host(request)}"
    return value if len(value) <= 100 else hashlib.sha256(value.encode()).hexdigest()


def variant_key(
    route: ArticleRoute, variant: str, site_generation: int, teaser_blocks: int, origin: str
) -> str:
    return (
        f"variant:{route.page_id}:{route.version}:{site_generation}:{teaser_blocks}:{variant}"
        f":{origin}"
    )


def _key_now(request: HttpRequest, route: ArticleRoute, variant: str, teaser_blocks: int) -> str:
    site = generations.current(request, generations.SITE)
    return variant_key(route, variant, site, teaser_blocks, origin(request))


def cached(request: HttpRequest, route: ArticleRoute, variant: str, teaser_blocks: int):
    """The variant's bytes if a process or the shared cache has them, else None."""
    key = _key_now(request, route, variant, teaser_blocks)
    html = _local.get(key)
    if html is None:
        html = cache.get(key)
        if html is not None:
            _local.set(key, html)
    return html


def render(
    request: HttpRequest, page: ArticlePage, variant: str, *, teaser_blocks: int, store: bool
) -> str:
    """Render a variant; ``store`` it only when every reader allowed it may share the bytes."""
    context = page.get_context(request) | variant_context(page, variant, teaser_blocks)
    html = render_to_string(page.get_template(request), context, request=request)
    if store:
        key = _key_now(request, route_of(page), variant, teaser_blocks)
        _local.set(key, html)
        cache.set(key, html, ENTRY_TIMEOUT)
    return html


def page_changed(sender=None, instance=None, **_signal_kwargs) -> None:
    """Any page change shows in listings, "More from" blocks and the URL map.

    An article shows only on its own page (its variants move with its revision);
    anything else (a section, an author, the home page) shows on every page.
    """
    generations.bump_now_and_at_commit(generations.CONTENT)
    if not issubclass(getattr(instance, "specific_class", None) or Page, ArticlePage):
        generations.bump_now_and_at_commit(generations.SITE)


def variant_context(page: ArticlePage, variant: str, teaser_blocks: int | None) -> dict:
    """``teaser_blocks=None``: the body uncut, as an editor's preview shows it."""
    blocks = list(page.body)
    free = page.access_level == AccessLevel.FREE
    if teaser_blocks is None or (free and variant == WHOLE):
        open_blocks, gated_blocks = blocks, []
    elif free:
        # Only for crawlers the editor allows no more than a teaser.
        open_blocks, gated_blocks = blocks[:teaser_blocks], []
    else:
        # The teaser variant is cut here, on the server: the rest is never rendered.
        open_blocks = blocks[:teaser_blocks]
        gated_blocks = blocks[teaser_blocks:] if variant == WHOLE else []
    return {
        "open_blocks": open_blocks,
        "gated_blocks": gated_blocks,
        "paywall_variant": WHOLE if teaser_blocks is None else variant,
        "gated_css_class": GATED_CSS_CLASS,
    }
