"""The search page as an attacker uses it to read a paywall: by asking whether a phrase matches.

A result count for a sentence from the gated part of an article confirms what the article
says. Every test types a quoted phrase into ``/search/`` through the HTTP client, as each
class of reader would (PAYWALL.md, "Where text can leak"); the phrases are checked to occur
in exactly one place of the demo, so "no articles found" is the only answer that keeps it.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from wagtail.models import Site

from masthead.billing.models import Plan, Subscription, SubscriptionStatus
from masthead.content import demo_data
from masthead.content.models import ArticlePage
from masthead.content.search import INDEXED_TEASER_BLOCKS
from masthead.paywall.models import PaywallSettings

pytestmark = pytest.mark.django_db

GATED = ("metered", "subscribers")
NOTHING = "No articles found for"


def _plain(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>|[^\w\s]", " ", text).lower().split())


def _texts(spec: dict) -> list[str]:
    return [block["text"] for block in spec["body"] if "text" in block]


def _everywhere_else(spec: dict, *, skip_block: int) -> str:
    """Every text of the demo but one block of one article, for checking a phrase is unique."""
    parts = []
    for other in demo_data.ARTICLES:
        parts += [other["title"], other.get("dek", "")]
        blocks = [b for b in other["body"] if "text" in b]
        parts += [b["text"] for i, b in enumerate(blocks) if other is not spec or i != skip_block]
    return _plain(" ".join(parts))


def unique_phrase(spec: dict, block: int) -> str:
    """Five words in a row from one block of one article, found nowhere else in the demo."""
    words = _plain(_texts(spec)[block]).split()
    elsewhere = _everywhere_else(spec, skip_block=block)
    for start in range(len(words) - 5, 0, -1):
        phrase = " ".join(words[start : start + 5])
        if phrase not in elsewhere:
            return phrase
    raise AssertionError(f"no unique phrase in block {block} of {spec['slug']}")


def spec_of(access: str) -> dict:
    return next(a for a in demo_data.ARTICLES if a["access"] == access)


def gated_phrase(access: str) -> tuple[dict, str]:
    """A phrase from the last block of an article of this access level: the gated part."""
    spec = spec_of(access)
    return spec, unique_phrase(spec, len(_texts(spec)) - 1)


def search(client: Client, q: str) -> str:
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def finds(client: Client, spec: dict, q: str) -> bool:
    return f">{spec['title']}</a>" in search(client, q)


def make_user(name: str, *, paid: bool = False, **fields):
    user = get_user_model().objects.create_user(name, f"{name}@example.org", None, **fields)
    if paid:
        Subscription.objects.create(
            user=user,
            plan=Plan.objects.order_by("pk").first(),
            status=SubscriptionStatus.ACTIVE,
            current_period_end=timezone.now() + timedelta(days=30),
        )
    return user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def read_whole(client: Client, article: ArticlePage) -> str:
    # follow: the paywall first redirects a new reader to set its cookie.
    response = client.get(article.url, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def reader(kind: str) -> Client:
    if kind == "anonymous":
        return Client()
    if kind == "registered":
        return logged_in(make_user("registered"))
    if kind == "subscriber":
        return logged_in(make_user("subscriber", paid=True))
    return logged_in(make_user("editor", is_staff=True))


@pytest.mark.parametrize("access", GATED)
@pytest.mark.parametrize("kind", ["anonymous", "registered"])
def test_searching_a_gated_phrase_confirms_nothing_to_a_reader_without_paid_access(kind, access):
    spec, phrase = gated_phrase(access)
    page = search(reader(kind), f'"{phrase}"')
    assert f">{spec['title']}</a>" not in page
    assert NOTHING in page


@pytest.mark.parametrize("access", GATED)
def test_searching_a_gated_phrase_after_reading_the_article_whole_still_confirms_nothing(access):
    """A metered article read whole unlocks that article, not a search over every gated text."""
    spec, phrase = gated_phrase(access)
    client = Client()
    read_whole(client, ArticlePage.objects.get(slug=spec["slug"]))
    assert NOTHING in search(client, f'"{phrase}"')


def test_searching_a_gated_phrase_over_the_meter_limit_confirms_nothing():
    spec, phrase = gated_phrase("metered")
    client = Client()
    others = ArticlePage.objects.live().filter(access_level="metered").exclude(slug=spec["slug"])
    for article in others.order_by("pk")[:4]:
        read_whole(client, article)
    assert "You've reached your daily free article limit." in read_whole(
        client, ArticlePage.objects.get(slug=spec["slug"])
    )
    assert NOTHING in search(client, f'"{phrase}"')


@pytest.mark.parametrize("access", GATED)
@pytest.mark.parametrize("kind", ["subscriber", "staff"])
def test_searching_a_gated_phrase_finds_the_article_for_subscribers_and_staff(kind, access):
    spec, phrase = gated_phrase(access)
    assert finds(reader(kind), spec, f'"{phrase}"')


def test_searching_a_lapsed_subscribers_session_for_a_gated_phrase_confirms_nothing():
    spec, phrase = gated_phrase("subscribers")
    user = make_user("lapsed", paid=True)
    client = logged_in(user)
    assert finds(client, spec, f'"{phrase}"')
    Subscription.objects.filter(user=user).update(status=SubscriptionStatus.CANCELED)
    assert NOTHING in search(client, f'"{phrase}"')


@pytest.mark.parametrize("access", GATED)
def test_the_teaser_title_tags_and_authors_of_a_gated_article_find_it_for_everyone(access):
    spec = spec_of(access)
    teaser = unique_phrase(spec, INDEXED_TEASER_BLOCKS - 1)
    author = next(a["name"] for a in demo_data.AUTHORS if a["slug"] == spec["authors"][0])
    client = Client()
    assert finds(client, spec, f'"{teaser}"')
    # Words only: PostgreSQL indexes "21-17" as "21" and "-17", which no typed query matches.
    assert finds(client, spec, " ".join(w for w in spec["title"].split() if w.isalpha()))
    assert finds(client, spec, f'"{author}" "{spec["tags"][0]}"')


def test_a_free_articles_whole_text_finds_it_for_everyone():
    spec = spec_of("free")
    phrase = unique_phrase(spec, len(_texts(spec)) - 1)
    assert finds(Client(), spec, f'"{phrase}"')


def test_searching_the_last_teaser_block_after_the_editor_shortens_the_teaser_confirms_nothing():
    """The index keeps the default teaser; a shorter one in force must not be outmatched."""
    spec = spec_of("subscribers")
    phrase = unique_phrase(spec, INDEXED_TEASER_BLOCKS - 1)
    row = PaywallSettings.for_site(Site.objects.get(is_default_site=True))
    row.teaser_blocks = INDEXED_TEASER_BLOCKS - 1
    row.save()
    assert NOTHING in search(Client(), f'"{phrase}"')
    assert finds(reader("subscriber"), spec, f'"{phrase}"')


def test_the_page_search_used_by_wagtail_and_its_api_holds_no_gated_text():
    """``ArticlePage``'s own index entry is the public one; only the view asks for more."""
    for access in GATED:
        _spec, phrase = gated_phrase(access)
        words = phrase.split()
        assert not ArticlePage.objects.live().search(" ".join(words)).results()


def test_search_results_are_never_kept_in_a_shared_cache():
    response = Client().get("/search/", {"q": "budget"})
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]
