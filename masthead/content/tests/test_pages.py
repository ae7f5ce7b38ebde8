import html
import re
from datetime import UTC, datetime

import pytest
from django.core.cache import cache

from masthead.content import demo_data
from masthead.content.models import (
    AccessLevel,
    ArticlePage,
    AuthorPage,
    PublicationSettings,
    SectionPage,
)
from masthead.content.tests.helpers import demo_article, parse_tags

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def test_home_page_leads_with_the_newest_story_then_groups_by_section(client):
    page = text(client.get("/"))
    newest = min(demo_data.ARTICLES, key=lambda a: a["hours_ago"])
    assert 'aria-label="Top story"' in page
    lead_part = page.split('aria-label="Top story"')[1].split("section-block")[0]
    assert newest["title"] in lead_part
    for section in demo_data.SECTIONS:
        assert f'id="section-{section["slug"]}"' in page
    # Each card carries headline, dek, byline and date.
    second = sorted(demo_data.ARTICLES, key=lambda a: a["hours_ago"])[1]
    assert second["title"] in page and second["dek"] in page
    assert "<time datetime=" in page


def test_section_page_lists_its_articles_newest_first_and_paginates(client):
    section = SectionPage.objects.get(slug=demo_data.SECTIONS[0]["slug"])
    expected = [
        a["title"]
        for a in sorted(demo_data.ARTICLES, key=lambda a: a["hours_ago"])
        if a["section"] == section.slug
    ]
    page = text(client.get(section.url))
    positions = [page.index(title) for title in expected]
    assert positions == sorted(positions)
    others = [a["title"] for a in demo_data.ARTICLES if a["section"] != section.slug]
    assert not any(f">{title}</a>" in page for title in others)

    from masthead.content.synthetic import add_synthetic_articles

    add_synthetic_articles(count=len(demo_data.SECTIONS) * 14)
    listed = ArticlePage.objects.live().child_of(section).count()
    pages = -(-listed // 12)
    assert pages >= 2
    first, second = text(client.get(section.url)), text(client.get(section.url + "?page=2"))
    assert f"Page 1 of {pages}" in first and 'rel="next"' in first
    assert f"Page 2 of {pages}" in second and 'rel="prev"' in second


def test_article_page_shows_everything_a_reader_expects(client):
    article = demo_article("free")
    spec = next(a for a in demo_data.ARTICLES if a["slug"] == article.slug)
    response = client.get(article.url, follow=True)
    page = text(response)
    assert "<article" in page and "</article>" in page
    section = article.get_parent()
    assert f'<a class="kicker" href="{section.url}">{section.title}</a>' in page
    assert f">{spec['title']}</h1>" in page
    assert spec["dek"] in page
    for author_slug in spec["authors"]:
        author = AuthorPage.objects.get(slug=author_slug)
        assert f'<a rel="author" href="{author.url}">{author.title}</a>' in page
        assert f"View all posts by {author.title}" in page
        assert author.short_bio in page
    paragraphs = [b["text"] for b in spec["body"] if b["type"] == "paragraph"]
    for paragraph in paragraphs:
        assert f"<p>{paragraph}</p>" in page
    image = spec["image"]
    assert image["caption"] in page
    assert (
        f'Image by {image["credit"]} via <a href="{image["source_url"]}" rel="noopener">'
        f"{image['source_name']}</a>"
    ) in page
    for tag in spec["tags"]:
        assert f">{tag}</a>" in page
    assert "Published <time" in page
    publication = PublicationSettings.objects.get()
    assert f"More from {publication.name}" in page


def test_article_dates_are_shown_in_the_publications_time_zone(client):
    article = demo_article("free")
    moment = datetime(2026, 7, 4, 3, 30, tzinfo=UTC)
    ArticlePage.objects.filter(pk=article.pk).update(
        first_published_at=moment, last_published_at=moment
    )
    publication = PublicationSettings.objects.get()
    publication.time_zone = "America/Chicago"
    publication.save()
    page = text(client.get(article.url, follow=True))
    assert "July 3, 2026, 10:30 p.m. CDT" in page


def test_more_from_block_has_four_related_articles_never_the_article_itself(client):
    for article in (demo_article("metered"), demo_article("free")):
        page = text(client.get(article.url, follow=True))
        related = page.split('id="more-from-heading"')[1]
        shown = re.findall(r'<h3 class="card__title"><a href="([^"]+)"', related)
        tags = set(article.tags.names())
        section_path = article.get_parent().path
        others = ArticlePage.objects.live().exclude(pk=article.pk)
        newest_first = sorted(others, key=lambda a: a.first_published_at, reverse=True)
        matching = [
            a.url
            for a in newest_first
            if a.path.startswith(section_path) or tags & set(a.tags.names())
        ]
        # Same section or shared tags first, newest first; the newest others fill the block.
        filler = [a.url for a in newest_first if a.url not in matching]
        assert shown == (matching + filler)[:4]
        assert article.url not in shown


def test_lead_image_is_responsive_with_dimensions_and_lower_images_are_lazy(client):
    article = demo_article("metered")
    tags = parse_tags(text(client.get(article.url, follow=True)))
    images = tags.find("img")
    lead = images[0]
    assert lead.get("srcset") and lead.get("width") and lead.get("height")
    assert lead.get("loading") != "lazy"
    later = images[1:]
    assert later and all(img.get("loading") == "lazy" for img in later)
    assert all(img.get("width") and img.get("height") for img in images)


def test_author_page_shows_bio_and_all_their_articles(client):
    spec = demo_data.AUTHORS[0]
    author = AuthorPage.objects.get(slug=spec["slug"])
    page = text(client.get(author.url))
    assert f"<h1>{spec['name']}</h1>" in page
    assert spec["role"] in page
    for paragraph in spec["bio"]:
        assert paragraph in page
    assert f'alt="Portrait of {spec["name"]}"' in page
    mine = [a["title"] for a in demo_data.ARTICLES if spec["slug"] in a["authors"]]
    assert mine and all(title in page for title in mine)
    others = [a["title"] for a in demo_data.ARTICLES if spec["slug"] not in a["authors"]]
    assert not any(f">{title}</a>" in page for title in others)


def test_author_index_lists_every_writer(client):
    page = text(client.get("/authors/"))
    assert all(author["name"] in page for author in demo_data.AUTHORS)


def test_tag_page_lists_the_tagged_articles(client):
    tag = demo_data.ARTICLES[0]["tags"][0]
    from taggit.models import Tag

    slug = Tag.objects.get(name__iexact=tag).slug
    page = text(client.get(f"/tags/{slug}/"))
    tagged = [a["title"] for a in demo_data.ARTICLES if tag in a["tags"]]
    untagged = [a["title"] for a in demo_data.ARTICLES if tag not in a["tags"]]
    assert all(title in page for title in tagged)
    assert not any(f">{title}</a>" in page for title in untagged)
    assert client.get("/tags/no-such-tag/").status_code == 404


def test_search_finds_articles_by_words_in_their_text(client):
    spec = demo_data.ARTICLES[3]
    word = max(spec["title"].split(), key=len).strip(",.:;'\"")
    page = text(client.get("/search/", {"q": word}))
    assert spec["title"] in page
    assert "result" in page
    empty = text(client.get("/search/", {"q": "zzzyqqxnotaword"}))
    assert "No articles match your search." in empty


def test_header_has_sections_search_box_and_account_links(client):
    page = text(client.get("/"))
    for section in demo_data.SECTIONS:
        assert f">{section['title']}</a></li>" in page
    assert 'role="search"' in page and 'action="/search/"' in page
    assert ">Log in</a>" in page and ">Subscribe</a>" in page


def _queries_per_page(client, urls) -> list[int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from masthead.insights import events

    for url in urls:
        client.get(url, follow=True)  # creates image renditions once
    cache.clear()
    counts = []
    for url in urls:
        events.flush()  # the batched event writer must not land inside one measurement
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, follow=True).status_code == 200
        counts.append(len(queries))
    return counts


def test_page_queries_are_bounded_whatever_the_number_of_articles(client):
    from masthead.content.synthetic import add_synthetic_articles

    article = demo_article("metered")
    author = AuthorPage.objects.get(slug=demo_data.AUTHORS[0]["slug"])
    urls = ("/", article.get_parent().url, article.url, author.url, "/search/?q=reservoir")
    before = _queries_per_page(client, urls)
    add_synthetic_articles(count=300)
    after = _queries_per_page(client, urls)
    assert after == before, dict(zip(urls, zip(before, after, strict=False), strict=False))
    # Wagtail routes through the page tree level by level; the count stays flat.
    # (An article's first render also reads the ads' spacing setting, the active plans
    # for the house ad's offer and the newsletters its foot offers, once per site generation.)
    assert max(after) <= 38, dict(zip(urls, after, strict=False))


def test_a_cached_page_is_served_without_queries_and_refreshed_on_publish(
    client, django_assert_num_queries
):
    article = demo_article("free")
    client.get(article.url)
    with django_assert_num_queries(0):
        cached = client.get(article.url)
    assert article.title in cached.content.decode()
    article.title = "A headline the editor just changed"
    article.save_revision().publish()
    assert (
        "A headline the editor just changed"
        in client.get(article.url, follow=True).content.decode()
    )


def test_unpublished_article_disappears_from_lists_and_404s(client):
    article = demo_article("metered")
    url = article.url
    client.get("/")
    article.unpublish()
    assert client.get(url).status_code == 404
    assert article.title not in client.get("/").content.decode()


def test_access_level_defaults_to_metered():
    assert ArticlePage._meta.get_field("access_level").default == AccessLevel.METERED
