import html

import feedparser
import pytest

from masthead.content import demo_data
from masthead.content.models import ArticlePage
from masthead.content.tests.helpers import last_paragraph, parse_tags

pytestmark = pytest.mark.django_db


def parsed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed, response.content.decode()


def test_site_rss_lists_articles_with_title_link_dek_author_and_date(client):
    feed, _ = parsed(client, "/feeds/rss/")
    assert feed.version == "rss20"
    by_title = {entry.title: entry for entry in feed.entries}
    for spec in demo_data.ARTICLES:
        entry = by_title[spec["title"]]
        assert entry.link.endswith(f"/{spec['section']}/{spec['slug']}/")
        assert entry.published_parsed
        names = [a["name"] for a in demo_data.AUTHORS if a["slug"] in spec["authors"]]
        assert all(name in entry.author for name in names)


@pytest.mark.parametrize("url", ["/feeds/rss/", "/feeds/atom/"])
def test_feeds_carry_the_body_only_for_free_articles(client, url):
    feed, raw = parsed(client, url)
    by_title = {entry.title: entry for entry in feed.entries}
    for spec in demo_data.ARTICLES:
        entry = by_title[spec["title"]]
        closing = last_paragraph(spec["slug"])
        paragraphs = [b["text"] for b in spec["body"] if b["type"] == "paragraph"]
        if spec["access"] == "free":
            assert closing in entry.summary
        else:
            # The dek and the teaser (the first two blocks, both paragraphs), nothing more.
            summary = html.unescape(entry.summary)
            assert spec["dek"] in summary
            assert paragraphs[0] in summary and paragraphs[1] in summary
            assert paragraphs[2][:60] not in raw
            assert closing[:60] not in raw


def test_atom_feed_is_atom(client):
    feed, _ = parsed(client, "/feeds/atom/")
    assert feed.version == "atom10"
    assert len(feed.entries) == len(demo_data.ARTICLES)


def test_section_feed_lists_only_that_section(client):
    section = demo_data.SECTIONS[1]["slug"]
    feed, _ = parsed(client, f"/feeds/{section}/rss/")
    titles = {entry.title for entry in feed.entries}
    assert titles == {a["title"] for a in demo_data.ARTICLES if a["section"] == section}
    assert client.get("/feeds/no-such-section/rss/").status_code == 404


def test_every_page_announces_its_feeds(client):
    article = ArticlePage.objects.live().first()
    for url in ("/", article.url, article.get_parent().url, "/search/?q=port"):
        links = parse_tags(client.get(url, follow=True).content.decode()).find(
            "link", rel="alternate"
        )
        types = {link["type"] for link in links}
        assert {"application/rss+xml", "application/atom+xml"} <= types, url
