"""Sitemaps for a large archive: an index, files of at most 50,000 URLs, a news sitemap.

``/sitemap.xml`` is a sitemap index (the protocol's limit is 50,000 URLs and 50 MB per
file) naming ``/sitemaps/pages.xml`` (home, sections, writers), one file per block of
``FILE_SIZE`` article ids (``/sitemaps/articles-N.xml``: ids ``N*FILE_SIZE`` up to the
next block, so a file's URLs never move to another file and a publish changes one
file), and ``/sitemaps/news.xml``, Google News' sitemap of the articles published in
the last 48 hours. Every ``lastmod`` is the last publish of the article
(``ArticlePage.modified_at``), or of the newest article in a file.

Each file is built from the article table's own columns (no page objects) and kept in
the shared cache under the site generation and a version of its own, which a publish,
unpublish, move or deletion of an article in it replaces (``article_changed``), with
the index's and the news sitemap's. A request with a query string is built afresh and
not kept (the same rule as the page cache).
"""

from __future__ import annotations

import time
from datetime import UTC, timedelta
from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.db.models import F, Max
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from wagtail.models import Page, PageViewRestriction, Site, get_page_models

from masthead.content.models import SITEMAP_FILE_SIZE, ArticlePage, PublicationSettings
from masthead.core import generations

# The protocol allows 50,000. Files of 2,000 ids keep both sides small at a million
# articles: a file is built in the time of a small archive's, and the index names 500.
FILE_SIZE = SITEMAP_FILE_SIZE
NEWS_WINDOW = timedelta(hours=48)
NEWS_MAX = 1000
ENTRY_TIMEOUT = 7 * 24 * 3600
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
CONTENT_TYPE = "application/xml; charset=utf-8"


def _version_key(name: str) -> str:
    return f"sitemap-version:{name}"


def _block_name(article_id: int) -> str:
    return f"articles-{article_id // FILE_SIZE}"


def article_changed(sender=None, instance=None, **_signal_kwargs) -> None:
    """A new version for the file holding this article, the index and the news sitemap."""
    if instance is None or not (
        isinstance(instance, ArticlePage)
        or getattr(instance, "specific_class", None) is ArticlePage
    ):
        return
    stamp = time.time_ns()
    names = (_block_name(instance.pk), "index", "news")
    cache.set_many({_version_key(name): stamp for name in names}, ENTRY_TIMEOUT)


class _Site:
    """The site's address and where its pages' URLs start."""

    def __init__(self, request):
        site = Site.find_for_request(request) or Site.objects.get(is_default_site=True)
        self.site = site
        self.root_url = site.root_url
        self.root_path = site.root_page.url_path

    def url(self, url_path: str) -> str:
        return self.root_url + "/" + url_path[len(self.root_path) :]


def _restricted_paths() -> list[str]:
    return list(PageViewRestriction.objects.values_list("page__path", flat=True))


def _public(path: str, restricted: list[str]) -> bool:
    return not restricted or not path.startswith(tuple(restricted))


def _w3c(moment) -> str:
    if moment.utcoffset():
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds")


def _urlset(entries, *, news: bool = False) -> str:
    namespaces = f'xmlns="{SITEMAP_NS}"' + (f' xmlns:news="{NEWS_NS}"' if news else "")
    body = "".join(entries)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {namespaces}>\n{body}</urlset>\n'


def _url_entry(loc: str, lastmod) -> str:
    modified = f"<lastmod>{_w3c(lastmod)}</lastmod>" if lastmod else ""
    return f"<url><loc>{escape(loc)}</loc>{modified}</url>\n"


def _other_pages():
    """Live pages other than articles (home, sections, writers): found by their types'
    index, not by reading past every article as ``not_type`` would."""
    types = ContentType.objects.get_for_models(
        *[model for model in get_page_models() if not issubclass(model, ArticlePage)]
    )
    return Page.objects.live().filter(content_type__in=[t.pk for t in types.values()])


def _blocks_grouped() -> list[tuple[int, object]]:
    """Each block of ids with listed articles, and its last publish (reads every article)."""
    # Integer division on both databases.
    return list(
        ArticlePage.objects.filter(listed=True)
        .annotate(block=F("page_ptr_id") / FILE_SIZE)
        .values("block")
        .annotate(modified=Max("modified_at"))
        .order_by("block")
        .values_list("block", "modified")
    )


def _blocks_postgresql() -> list[tuple[int, object]]:
    """The same, one probe of ``article_sitemap_block_2k`` per block (the index's divisor
    is ``SITEMAP_FILE_SIZE``; a test that changes ``FILE_SIZE`` gets the grouped query)."""
    if FILE_SIZE != SITEMAP_FILE_SIZE:
        return _blocks_grouped()
    size = int(SITEMAP_FILE_SIZE)
    with connection.cursor() as cursor:
        cursor.execute(
            # The divisor written in, not bound: the planner matches it to the index's.
            "SELECT b.block, (SELECT max(a.modified_at) FROM content_articlepage a"  # noqa: S608
            f"  WHERE a.listed AND a.page_ptr_id / {size} = b.block)"
            " FROM generate_series("
            f"  (SELECT min(page_ptr_id) FROM content_articlepage WHERE listed) / {size},"
            f"  (SELECT max(page_ptr_id) FROM content_articlepage WHERE listed) / {size}"
            " ) AS b(block)"
        )
        rows = cursor.fetchall()
    # A block whose articles are all unpublished has no file.
    return [(block, modified) for block, modified in rows if modified is not None]


def build_index(place: _Site) -> str:
    blocks = _blocks_postgresql() if connection.vendor == "postgresql" else _blocks_grouped()
    pages_modified = (
        _other_pages().order_by("-last_published_at").values_list("last_published_at", flat=True)
    ).first()
    names = [("pages", pages_modified)]
    names += [(f"articles-{block}", modified) for block, modified in blocks]
    names.append(("news", None))
    entries = "".join(
        f"<sitemap><loc>{escape(place.root_url)}/sitemaps/{name}.xml</loc>"
        + (f"<lastmod>{_w3c(modified)}</lastmod>" if modified else "")
        + "</sitemap>\n"
        for name, modified in names
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="{SITEMAP_NS}">\n{entries}</sitemapindex>\n'
    )


def build_pages(place: _Site) -> str:
    restricted = _restricted_paths()
    pages = (
        _other_pages()
        .descendant_of(place.site.root_page, inclusive=True)
        .order_by("path")
        .values_list("path", "url_path", "last_published_at")
    )
    return _urlset(
        _url_entry(place.url(url_path), modified)
        for path, url_path, modified in pages
        if _public(path, restricted)
    )


def build_articles(place: _Site, block: int) -> str | None:
    restricted = _restricted_paths()
    rows = list(
        ArticlePage.objects.filter(
            listed=True,
            page_ptr_id__gte=block * FILE_SIZE,
            page_ptr_id__lt=(block + 1) * FILE_SIZE,
        )
        .order_by("page_ptr_id")
        .values_list("path", "url_path", "modified_at")
    )
    if not rows:
        return None
    return _urlset(
        _url_entry(place.url(url_path), modified)
        for path, url_path, modified in rows
        if path.startswith(place.site.root_page.path) and _public(path, restricted)
    )


def build_news(place: _Site) -> str:
    """Google News: articles first published in the last 48 hours, at most 1,000."""
    restricted = _restricted_paths()
    publication = PublicationSettings.for_site(place.site)
    language = settings.LANGUAGE_CODE.split("-")[0]
    since = timezone.now() - NEWS_WINDOW
    articles = (
        ArticlePage.objects.filter(listed=True, published_at__gte=since)
        .order_by("-published_at", "-page_ptr_id")
        .values_list("path", "url_path", "title", "published_at")[:NEWS_MAX]
    )
    entries = (
        f"<url><loc>{escape(place.url(url_path))}</loc><news:news>"
        f"<news:publication><news:name>{escape(publication.name)}</news:name>"
        f"<news:language>{language}</news:language></news:publication>"
        f"<news:publication_date>{_w3c(published)}</news:publication_date>"
        f"<news:title>{escape(title)}</news:title></news:news></url>\n"
        for path, url_path, title, published in articles
        if _public(path, restricted)
    )
    return _urlset(entries, news=True)


def _respond(request, name: str, build) -> HttpResponse:
    place = _Site(request)
    fresh = bool(request.META.get("QUERY_STRING"))
    key = None
    if not fresh:
        version_key = _version_key(name)
        site_generation = generations.current(request, generations.SITE)
        version = cache.get(version_key, 0)
        key = f"sitemap:{place.site.pk}:{name}:{site_generation}:{version}"
        body = cache.get(key)
        if body is not None:
            return HttpResponse(body, content_type=CONTENT_TYPE)
    body = build(place)
    if body is None:
        raise Http404("No such sitemap.")
    if key is not None:
        cache.set(key, body, ENTRY_TIMEOUT)
    return HttpResponse(body, content_type=CONTENT_TYPE)


@require_safe
def sitemap_index(request):
    return _respond(request, "index", build_index)


@require_safe
def pages_sitemap(request):
    return _respond(request, "pages", build_pages)


@require_safe
def articles_sitemap(request, block: int):
    return _respond(request, f"articles-{block}", lambda place: build_articles(place, block))


@require_safe
def news_sitemap(request):
    return _respond(request, "news", build_news)
