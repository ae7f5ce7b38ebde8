"""Share links and reading time, as a reader's browser receives them over HTTP."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from masthead.content import reading_time, sharing
from masthead.content.models import ArticlePage
from masthead.content.tests.helpers import demo_article, parse_tags

pytestmark = pytest.mark.django_db

SHARE_SECTION = re.compile(r'<section class="share".*?</section>', re.S)
CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)">')


def share_section(page: str) -> str:
    [section] = SHARE_SECTION.findall(page)
    return section


def staff_client() -> Client:
    """A reader who gets the whole of every article (content's tests know no plans)."""
    user = get_user_model().objects.create_user("sharer", "sharer@example.org", None)
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_share_links_carry_the_canonical_url_for_each_configured_network(client):
    article = demo_article("free")
    page = client.get(article.url + "?utm_source=newsletter").content.decode()
    [canonical] = CANONICAL.findall(page)
    assert canonical == f"http://testserver{article.url}"
    section = share_section(page)
    links = {a["class"].split("--")[-1]: a["href"] for a in parse_tags(section).find("a")}
    assert list(links) == ["email", "x", "facebook", "linkedin", "bluesky", "whatsapp", "reddit"]
    for name, href in links.items():
        if name == "email":
            continue
        query = parse_qs(urlsplit(href).query)
        shared = " ".join(v for values in query.values() for v in values)
        assert canonical in shared, name
        assert "utm_source" not in href, name
        assert urlsplit(href).scheme == "https", name
    mail = parse_qs(urlsplit(links["email"]).query)
    assert links["email"].startswith("mailto:?")
    assert mail["subject"] == [article.title]
    assert canonical in mail["body"][0]
    # Network links open in a new tab without handing it this page.
    for anchor in parse_tags(section).find("a")[1:]:
        assert anchor["rel"] == "noopener noreferrer"


def test_copy_link_works_without_javascript_and_loads_no_third_party_script(client):
    article = demo_article("free")
    page = client.get(article.url).content.decode()
    section = share_section(page)
    [field] = parse_tags(section).find("input")
    assert field["value"] == f"http://testserver{article.url}"
    assert "readonly" in field
    # The button is for the script to reveal; without it the field is the way to copy.
    [button] = parse_tags(section).find("button")
    assert "hidden" in button
    scripts = [a.get("src") for a in parse_tags(page).find("script") if a.get("type") is None]
    assert "/static/masthead/share.js" in scripts
    assert all(src and src.startswith("/static/") for src in scripts)
    assert finders.find("masthead/share.js")
    assert "script-src 'self'" in client.get(article.url)["Content-Security-Policy"]


def test_the_share_bar_is_the_same_for_every_reader():
    """It is in the cached variant, not a per-reader slot: teaser and whole agree."""
    article = demo_article("subscribers")
    anonymous = Client().get(article.url).content.decode()
    whole = staff_client().get(article.url).content.decode()
    assert "This article is for subscribers." in anonymous
    assert "This article is for subscribers." not in whole
    assert share_section(anonymous) == share_section(whole)


def test_the_network_list_is_a_setting_and_an_unknown_name_is_refused(settings):
    settings.MASTHEAD_SHARE_NETWORKS = ["reddit", "telegram"]
    links = sharing.network_links("https://news.example/a/", "A & B")
    assert [link.label for link in links] == ["Reddit", "Telegram"]
    assert links[0].href == (
        "https://www.reddit.com/submit?url=https%3A%2F%2Fnews.example%2Fa%2F&title=A%20%26%20B"
    )
    settings.MASTHEAD_SHARE_NETWORKS = ["reddit", "myspace"]
    with pytest.raises(ImproperlyConfigured, match="myspace"):
        sharing.network_links("https://news.example/a/", "A")


def words_of(article: ArticlePage) -> int:
    return reading_time.words(" ".join((article.title, article.dek, article.whole_body())))


def test_reading_time_is_shown_on_the_article_and_its_cards(client):
    article = demo_article("metered")
    minutes = reading_time.minutes(" ".join((article.title, article.dek, article.whole_body())))
    assert article.reading_time == minutes
    page = html.unescape(Client().get(article.url, follow=True).content.decode())
    assert f'<p class="reading-time">{minutes} min read</p>' in page
    section_page = client.get(article.get_parent().url).content.decode()
    card = section_page.split(f'href="{article.url}"', 1)[1].split("</article>", 1)[0]
    assert f"{minutes} min read" in card


def test_reading_time_follows_the_text_when_a_revision_is_published(client):
    article = ArticlePage.objects.get(pk=demo_article("free").pk)
    before = article.reading_time
    paragraph = "<p>" + " ".join(["word"] * (reading_time.WORDS_PER_MINUTE * 4)) + "</p>"
    article.body.append(("paragraph", paragraph))
    article.save_revision().publish()
    article.refresh_from_db()
    assert article.reading_time == reading_time.minutes(
        " ".join((article.title, article.dek, article.whole_body()))
    )
    assert article.reading_time >= before + 4
    page = client.get(article.url).content.decode()
    assert f"{article.reading_time} min read" in page


def test_the_migration_backfills_articles_saved_before_the_field():
    migration = __import__(
        "masthead.content.migrations.0007_article_reading_time", fromlist=["backfill"]
    )
    ArticlePage.objects.update(reading_time=1)
    migration.backfill(apps, None)
    for article in ArticlePage.objects.all():
        expected = max(1, -(-words_of(article) // reading_time.WORDS_PER_MINUTE))
        assert article.reading_time == expected, article.slug
    assert ArticlePage.objects.filter(reading_time__gt=1).exists()


def test_words_ignore_markup():
    assert reading_time.words("<p>Three <b>short</b> words</p>") == 3
    assert reading_time.words("It's a rock’n’roll") == 3
    assert reading_time.minutes("") == 1
    assert reading_time.minutes(" ".join(["w"] * 231)) == 2
