"""The paywall's register offer over HTTP: counted in the funnel when an account is made
from it, credited to the article whose wall made it, and only then."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from masthead.accounts.tests.conftest import PASSWORD
from masthead.content import demo_data
from masthead.content.models import ArticlePage
from masthead.insights import events
from masthead.insights.models import EventKind, ReaderEvent

pytestmark = pytest.mark.django_db

ANONYMOUS_LIMIT = 3


@pytest.fixture(autouse=True)
def _no_earlier_events():
    # Events other tests left in this process's buffer are written (in this test's
    # transaction) and dropped, so only this test's are counted.
    events.flush()
    ReaderEvent.objects.all().delete()


def _offers() -> list[ReaderEvent]:
    events.flush()
    return list(ReaderEvent.objects.filter(kind=EventKind.REGISTER_OFFER_TAKEN))


def _wall(client: Client) -> tuple[ArticlePage, str]:
    """Reads metered articles to the anonymous limit; the article stopped at and its page."""
    slugs = [a["slug"] for a in demo_data.ARTICLES if a["access"] == "metered"]
    articles = list(ArticlePage.objects.filter(slug__in=slugs).order_by("slug"))
    for article in articles[:ANONYMOUS_LIMIT]:
        assert client.get(article.url, follow=True).status_code == 200
    stopped_at = articles[ANONYMOUS_LIMIT]
    return stopped_at, client.get(stopped_at.url, follow=True).content.decode()


def _signup(client: Client, form_page: str, email: str, **extra):
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form_page))
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD, **hidden, **extra}
    return client.post("/accounts/signup/", data)


def test_an_account_made_from_the_register_offer_is_counted_for_its_article(inbox):
    client = Client()
    stopped_at, page = _wall(client)
    link = re.search(r'class="paywall-prompt__register"><a href="([^"]+)"', page)
    assert link, "the prompt offers a free account"
    offer = unescape(link.group(1))
    assert parse_qs(urlsplit(offer).query) == {"next": [stopped_at.url], "from": ["paywall"]}
    # Opening the form is not taking the offer.
    form_page = client.get(offer).content.decode()
    assert _offers() == []

    # A form sent back with an error keeps where it came from.
    refused = _signup(client, form_page, "offer@example.com", password2="not the same one")
    assert refused.status_code == 200
    assert _offers() == []
    signed_up = _signup(client, refused.content.decode(), "offer@example.com")

    assert signed_up.status_code == 302
    user = get_user_model().objects.get(email="offer@example.com")
    [taken] = _offers()
    assert (taken.article_id, taken.user_id) == (stopped_at.pk, user.pk)


def test_a_sign_up_from_anywhere_else_is_not_a_register_offer(inbox):
    client = Client()
    form_page = client.get("/accounts/signup/?next=/").content.decode()
    assert 'name="from"' not in form_page
    assert _signup(client, form_page, "plain@example.com").status_code == 302
    # Nor does a hand-made marker on another door count: only the sign-up form's field.
    assert _signup(Client(), "", "other@example.com", next="/?from=paywall").status_code == 302
    assert (
        get_user_model()
        .objects.filter(email__in=["plain@example.com", "other@example.com"])
        .count()
        == 2
    )
    assert _offers() == []
