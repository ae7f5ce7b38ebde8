"""What a feed item carries: a way to read on, and the lead image, never gated text."""

from urllib.parse import urlsplit

import pytest
from defusedxml import ElementTree as ET

from masthead.content import demo_data
from masthead.content.tests.helpers import last_paragraph

pytestmark = pytest.mark.django_db

MEDIA = "{http://search.yahoo.com/mrss/}"
ATOM = "{http://www.w3.org/2005/Atom}"


def rss_items(client, url="/feeds/rss/") -> dict:
    response = client.get(url)
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return {item.findtext("title"): item for item in root.iter("item")}


def article_url(spec) -> str:
    return f"http://testserver/{spec['section']}/{spec['slug']}/"


@pytest.mark.parametrize("access", ["metered", "subscribers"])
def test_a_gated_item_ends_with_a_continue_reading_link_and_no_gated_text(client, access):
    items = rss_items(client)
    for spec in (a for a in demo_data.ARTICLES if a["access"] == access):
        description = items[spec["title"]].findtext("description")
        assert f'<a href="{article_url(spec)}">Continue reading on ' in description
        assert description.rstrip().endswith("</a></p>")
        assert last_paragraph(spec["slug"]) not in description


def test_a_free_item_carries_the_whole_body_without_a_continue_link(client):
    items = rss_items(client)
    spec = next(a for a in demo_data.ARTICLES if a["access"] == "free")
    description = items[spec["title"]].findtext("description")
    assert "Continue reading" not in description
    assert last_paragraph(spec["slug"]).split()[0] in description


@pytest.mark.parametrize("url", ["/feeds/rss/", f"/feeds/{demo_data.SECTIONS[0]['slug']}/rss/"])
def test_rss_items_carry_the_lead_image_as_enclosure_and_media_content(client, url):
    items = rss_items(client, url)
    assert items
    for item in items.values():
        enclosure = item.find("enclosure")
        media = item.find(f"{MEDIA}content")
        assert enclosure is not None and media is not None, item.findtext("title")
        assert enclosure.get("url") == media.get("url")
        assert enclosure.get("url").startswith("http://testserver/")
        assert enclosure.get("type") == media.get("type") == "image/jpeg"
        assert int(enclosure.get("length")) > 0
        assert media.get("medium") == "image" and int(media.get("width")) == 1200
        image = client.get(urlsplit(enclosure.get("url")).path)
        assert image.status_code == 200


def test_atom_entries_link_the_lead_image_as_an_enclosure(client):
    response = client.get("/feeds/atom/")
    root = ET.fromstring(response.content)
    entries = list(root.iter(f"{ATOM}entry"))
    assert entries
    for entry in entries:
        links = [link for link in entry.iter(f"{ATOM}link") if link.get("rel") == "enclosure"]
        assert len(links) == 1 and links[0].get("href").startswith("http://testserver/")


def test_a_section_feed_is_kept_until_a_publish_and_then_shows_it(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from masthead.content.models import ArticlePage, SectionPage

    section = SectionPage.objects.get(slug=demo_data.SECTIONS[0]["slug"])
    url = f"/feeds/{section.slug}/rss/"
    first = client.get(url).content
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).content == first
    assert not [q for q in queries.captured_queries if "content_articlepage" in q["sql"]]
    # Another section's feed is kept apart.
    other = SectionPage.objects.exclude(pk=section.pk).first()
    assert client.get(f"/feeds/{other.slug}/rss/").content != first

    article = section.add_child(instance=ArticlePage(title="Fresh off the press", slug="fresh"))
    article.save_revision().publish()
    assert "Fresh off the press" in rss_items(client, url)
    assert "Fresh off the press" in rss_items(client)
