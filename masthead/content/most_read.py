""" "Most read": the articles with the most views in the last 24 hours.

The block is the same for every reader and every page, and it may be a few minutes
old. It is counted once per window of ``MASTHEAD_MOST_READ_SECONDS`` (and per content
generation, so an unpublished article leaves it at once); each process keeps the
window's rendering, asking the shared cache first and the events table only if the
shared cache has none. So
an article view or a cached home page adds no query and no round trip while the
process's copy is fresh: it is filled into a slot, not rendered into the page's bytes.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from masthead.content import selectors
from masthead.content.models import ArticlePage
from masthead.core import generations, requests
from masthead.core.memo import Memo
from masthead.insights.popular import most_read_article_ids

MOST_READ_COUNT = 5
_memo = Memo(max_entries=64)


def ttl() -> int:
    return settings.MASTHEAD_MOST_READ_SECONDS


def window() -> int:
    """The window of time this block is counted in (its key, with the generations)."""
    return int(time.time() // ttl())


def most_read_articles(*, now=None, count: int = MOST_READ_COUNT) -> list[ArticlePage]:
    """The live, public articles read most in the last 24 hours, most read first."""
    # More ids than shown: some may since have been unpublished or restricted.
    ids = most_read_article_ids(now=now or timezone.now(), limit=count * 3)
    if not ids:
        return []
    found = ArticlePage.objects.live().public().in_bulk(ids)
    articles = [found[pk] for pk in ids if pk in found][:count]
    return selectors.attach_sections(articles)


def most_read_html(request: HttpRequest) -> str:
    host = requests.host(request)
    content = generations.current(request, generations.CONTENT)
    # Every process counts again in the same window, and finds the first one's count.
    current = window()
    key = (host, content, current)
    html = _memo.get(key)
    if html is not None:
        return html
    shared_key = f"most_read:{host}:{content}:{current}"
    html = cache.get(shared_key)
    if html is None:
        html = render_to_string(
            "content/includes/most_read.html",
            {"most_read": most_read_articles(), "request": request},
        )
        cache.set(shared_key, html, ttl())
    _memo.set(key, html)
    return html


def forget() -> None:
    """Drop this process's copy (tests; the shared copy runs out on its own)."""
    _memo.clear()
