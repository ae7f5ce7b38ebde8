"""Sitemaps a search engine can use, checked against the protocol's rules.

sitemaps.org: a sitemap index of sitemap files, each at most 50,000 URLs and 50 MB
uncompressed, absolute URLs on the site's own address, W3C datetimes in lastmod.
Google News: articles from the last 48 hours with news:publication (name, language),
news:publication_date and news:title.
"""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from defusedxml import ElementTree as ET
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Site

from masthead.content import sitemaps
from masthead.content.models import ArticlePage, PublicationSettings, SectionPage
from masthead.content.synthetic import add_synthetic_articles

pytestmark = pytest.mark.django_db

NS = {"s": sitemaps.SITEMAP_NS, "news": sitemaps.NEWS_NS}
MAX_URLS, MAX_BYTES = 50_000, 50 * 1024 * 1024


def _get(client, url: str) -> bytes:
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return response.content


def _lastmod_ok(text: str) -> bool:
    parsed = datetime.fromisoformat(text)
    return parsed.tzinfo is not None


def _all_files(client) -> dict:
    index = ET.fromstring(_get(client, "/sitemap.xml"))
    assert index.tag == f"{{{sitemaps.SITEMAP_NS}}}sitemapindex"
    files = {}
    for entry in index.findall("s:sitemap", NS):
        loc = entry.find("s:loc", NS).text
        lastmod = entry.find("s:lastmod", NS)
        assert lastmod is None or _lastmod_ok(lastmod.text)
        body = _get(client, loc)
        assert len(body) < MAX_BYTES
        files[loc] = ET.fromstring(body)
    return files


@pytest.mark.parametrize("file_size", [40, sitemaps.FILE_SIZE])
def test_the_index_names_files_that_cover_every_article_within_the_protocols_limits(
    client, monkeypatch, file_size
):
    # Small files: several of them; the real size: PostgreSQL's indexed path for lastmod.
    monkeypatch.setattr(sitemaps, "FILE_SIZE", file_size)
    add_synthetic_articles(count=150, seed=21)
    hidden = ArticlePage.objects.live().order_by("pk").last()
    hidden.unpublish()
    root_url = Site.objects.get(is_default_site=True).root_url

    files = _all_files(client)
    assert all(loc.startswith(root_url + "/sitemaps/") for loc in files)
    article_files = [tree for loc, tree in files.items() if "/sitemaps/articles-" in loc]
    assert len(article_files) >= (150 // file_size or 1)
    locs: dict[str, list[str]] = {"articles": [], "other": []}
    for loc, tree in files.items():
        urls = tree.findall("s:url", NS)
        assert len(urls) <= MAX_URLS
        if "/sitemaps/articles-" in loc:
            assert len(urls) <= sitemaps.FILE_SIZE
        for url in urls:
            page_loc = url.find("s:loc", NS).text
            assert page_loc.startswith(root_url + "/"), page_loc
            lastmod = url.find("s:lastmod", NS)
            assert lastmod is None or _lastmod_ok(lastmod.text)
            kind = "articles" if "/sitemaps/articles-" in loc else "other"
            locs[kind].append(page_loc)
    # Every live article exactly once, and nothing else, in the article files.
    expected = {root_url + a.url for a in ArticlePage.objects.live()}
    assert len(locs["articles"]) == len(set(locs["articles"]))
    assert set(locs["articles"]) == expected
    assert root_url + hidden.url not in locs["articles"]
    for section in SectionPage.objects.live():
        assert root_url + section.url in locs["other"]


def test_the_news_sitemap_lists_the_last_48_hours_with_googles_fields(client):
    add_synthetic_articles(count=20, seed=22)
    section = SectionPage.objects.order_by("path").first()
    fresh = section.add_child(instance=ArticlePage(title="Harbor vote tonight", slug="fresh-vote"))
    fresh.save_revision().publish()
    old = ArticlePage.objects.order_by("first_published_at").first()
    name = PublicationSettings.for_site(Site.objects.get(is_default_site=True)).name

    tree = ET.fromstring(_get(client, "/sitemaps/news.xml"))
    entries = {
        url.find("s:loc", NS).text: url.find("news:news", NS) for url in tree.findall("s:url", NS)
    }
    fresh_loc = next(loc for loc in entries if loc.endswith(fresh.url))
    news = entries[fresh_loc]
    assert news.find("news:publication/news:name", NS).text == name
    assert news.find("news:publication/news:language", NS).text == "en"
    assert news.find("news:title", NS).text == "Harbor vote tonight"
    published = datetime.fromisoformat(news.find("news:publication_date", NS).text)
    assert timezone.now() - published < timedelta(minutes=5)
    assert not any(loc.endswith(old.url) for loc in entries)
    since = timezone.now() - timedelta(hours=48)
    assert len(entries) == ArticlePage.objects.live().filter(first_published_at__gte=since).count()


def test_a_file_is_served_from_the_cache_until_an_article_in_it_is_published(client):
    article = ArticlePage.objects.live().order_by("pk").first()
    path = f"/sitemaps/articles-{article.pk // sitemaps.FILE_SIZE}.xml"
    first = client.get(path).content.decode()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).content.decode() == first
    assert not [q for q in queries.captured_queries if "content_articlepage" in q["sql"]]

    article.title = "A new headline"
    article.save_revision().publish()
    article.refresh_from_db()
    after = client.get(path).content.decode()
    assert after != first
    assert sitemaps._w3c(article.last_published_at) in after


def test_robots_txt_names_the_index_and_the_news_sitemap(client):
    body = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Sitemap: http://testserver/sitemaps/news.xml" in body
