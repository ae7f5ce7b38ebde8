"""Queries per page do not grow with the archive: N articles, then 3N, same counts.

Each page is fetched uncached (the shared cache emptied, and a query string the page
cache never serves), as a reader meets it after a publish.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from masthead.content import most_read, selectors, sitemaps
from masthead.content.models import ArticlePage, AuthorPage, SectionPage
from masthead.content.synthetic import add_synthetic_articles
from masthead.insights import events

pytestmark = pytest.mark.django_db

FIRST, THEN = 800, 1600


def _pages() -> dict[str, str]:
    section = max(SectionPage.objects.live(), key=lambda s: s.numchild)
    author = AuthorPage.objects.annotate(n=Count("article_links")).order_by("-n").first()
    tag = Tag.objects.annotate(n=Count("content_articlepagetag_items")).order_by("-n").first()
    article = ArticlePage.objects.live().order_by("first_published_at").first()
    return {
        "home": "/",
        "section": section.url,
        "section, page 5": f"{section.url}?page=5",
        "author": author.url,
        "tag": f"/tags/{tag.slug}/",
        "search": "/search/?q=council+budget",
        "rss": "/feeds/rss/",
        "section rss": f"/feeds/{section.slug}/rss/",
        "sitemap index": "/sitemap.xml",
        "sitemap file": f"/sitemaps/articles-{article.pk // sitemaps.FILE_SIZE}.xml",
        "news sitemap": "/sitemaps/news.xml",
        "article": article.url,
    }


def _queries(client, pages: dict[str, str]) -> dict[str, int]:
    counts = {}
    for name, url in pages.items():
        cache.clear()
        # Counted afresh for every page, as after a publish: what a process kept in
        # its memo would otherwise depend on when the events were written.
        most_read.forget()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, follow=True)
        assert response.status_code == 200, (name, url)
        # The insights buffer writes its batch of reader events when it fills, on
        # whichever request that is: not a query of the page.
        counts[name] = len([q for q in queries.captured_queries if not _events(q["sql"])])
    return counts


def _events(sql: str) -> bool:
    return "SAVEPOINT" in sql or "readerevent" in sql


def test_queries_per_page_do_not_grow_with_the_archive(client, monkeypatch):
    # Several sitemap files and deep pages at this size, as at a million.
    monkeypatch.setattr(sitemaps, "FILE_SIZE", 500)
    monkeypatch.setattr(selectors, "MAX_PAGES", 20)
    add_synthetic_articles(count=FIRST, seed=31)
    pages = _pages()
    # Views in the last day, so "most read" has articles to show from the start.
    for article in ArticlePage.objects.live().public().order_by("pk")[:5]:
        events.record(events.EventKind.ARTICLE_VIEW, article_id=article.pk)
    events.flush()
    # Once first: image renditions are made on their first use, once for all.
    _queries(client, pages)
    before = _queries(client, pages)
    add_synthetic_articles(count=THEN, seed=32)
    after = _queries(client, pages)
    assert after == before
