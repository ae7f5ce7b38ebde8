"""Signing up: the article's foot form, double opt-in by e-mail, the account page's ticks."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from masthead.content.tests.helpers import demo_article
from masthead.newsletters import tokens
from masthead.newsletters.models import Audience, Newsletter, NewsletterSubscription
from masthead.newsletters.tests.conftest import reader, subscribe

pytestmark = pytest.mark.django_db
SITE = "http://testserver"


def sign_up(client: Client, email: str, *newsletters: Newsletter, origin: str | None = SITE):
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    return client.post(
        "/newsletters/sign-up/",
        {"email": email, "newsletter": [n.pk for n in newsletters]},
        **headers,
    )


def confirm_link(smtp, email: str) -> str:
    return smtp.inbox.last_to(email).link("/newsletters/confirm/")


def test_an_anonymous_reader_confirms_by_the_link_and_only_then_is_subscribed(smtp, newsletter):
    client = Client(enforce_csrf_checks=True)
    response = sign_up(client, "New@Example.org", newsletter)
    assert response.status_code == 200 and b"Check your inbox" in response.content
    assert not NewsletterSubscription.objects.filter(email="new@example.org").exists()
    link = confirm_link(smtp, "new@example.org")
    # Opening the link (a person, or a mail scanner following it) changes nothing.
    assert client.get(link).status_code == 200
    assert not NewsletterSubscription.objects.filter(email="new@example.org").exists()
    page = client.get(link).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(link, {"csrfmiddlewaretoken": token})
    assert response.status_code == 200 and b"signed up" in response.content
    [row] = NewsletterSubscription.objects.filter(email="new@example.org")
    assert row.newsletter == newsletter
    # Without the CSRF token the confirmation is refused.
    assert Client(enforce_csrf_checks=True).post(link).status_code == 403


def test_confirming_says_nothing_about_an_account_and_creates_nothing_else(smtp, newsletter):
    reader("known")
    users_before = get_user_model().objects.count()
    pages = {}
    for email in ("known@example.org", "unknown@example.org"):
        signed = sign_up(Client(), email, newsletter).content.decode().replace(email, "ADDRESS")
        link = confirm_link(smtp, email)
        shown = Client().get(link).content.decode().replace(email, "ADDRESS")
        done = Client().post(link).content.decode()
        pages[email] = (_without_tokens(signed), _without_tokens(shown), _without_tokens(done))
    assert pages["known@example.org"] == pages["unknown@example.org"]
    mails = [
        smtp.inbox.last_to(e).body.replace(e, "A")
        for e in ("known@example.org", "unknown@example.org")
    ]
    assert _without_tokens(mails[0]) == _without_tokens(mails[1])
    assert get_user_model().objects.count() == users_before
    assert NewsletterSubscription.objects.filter(newsletter=newsletter).count() == 2


def _without_tokens(text: str) -> str:
    text = re.sub(r"/newsletters/confirm/[^/\s\"]+/", "/newsletters/confirm/T/", text)
    text = re.sub(r"%2Fnewsletters%2Fconfirm%2F[\w-]+(%3A[\w-]+)*%2F", "CONFIRM", text)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": SITE},
        {"HTTP_REFERER": "https://evil.example/page"},
        {},
    ],
    ids=["foreign origin", "cross-site fetch", "foreign referer", "no origin at all"],
)
def test_a_sign_up_posted_from_another_site_is_refused(smtp, newsletter, headers):
    response = Client().post(
        "/newsletters/sign-up/",
        {"email": "x@example.org", "newsletter": [newsletter.pk]},
        **headers,
    )
    assert response.status_code == 403
    assert smtp.inbox.messages == []


def test_sign_ups_for_one_address_are_rate_limited(smtp, newsletter):
    statuses = [sign_up(Client(), "flood@example.org", newsletter).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert len(smtp.inbox.to("flood@example.org")) == 3


def test_bad_input_gets_field_errors_not_a_mail(smtp, newsletter):
    response = sign_up(Client(), "not an address", newsletter)
    assert response.status_code == 400 and b"valid email" in response.content
    response = sign_up(Client(), "ok@example.org")
    assert response.status_code == 400 and b"Choose at least one newsletter" in response.content
    paid = Newsletter.objects.create(name="Paid", slug="paid-x", audience=Audience.PAID)
    assert sign_up(Client(), "ok@example.org", paid).status_code == 400
    assert smtp.inbox.messages == []


@pytest.mark.parametrize("kind", ["altered", "expired", "an unsubscribe token"])
def test_a_bad_confirmation_link_subscribes_nobody(newsletter, kind, monkeypatch):
    token = tokens.confirmation_token("x@example.org", [newsletter.pk])
    if kind == "altered":
        token = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    elif kind == "expired":
        monkeypatch.setattr(tokens, "CONFIRM_MAX_AGE", __import__("datetime").timedelta(seconds=-1))
    else:
        token = tokens.unsubscribe_token(1)
    response = Client().post(f"/newsletters/confirm/{token}/")
    assert response.status_code == 400
    assert not NewsletterSubscription.objects.filter(email="x@example.org").exists()


def test_a_signed_in_reader_ticks_newsletters_on_the_account_page(newsletter):
    user = reader("ticker")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get("/account/").content.decode()
    assert 'id="newsletters"' in page and newsletter.name in page
    paid = Newsletter.objects.get(slug="insider")
    assert paid.name not in page  # paid-only, and this reader has not paid
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    shown = [newsletter.pk, paid.pk]
    response = client.post(
        "/newsletters/preferences/",
        {"csrfmiddlewaretoken": token, "shown": shown, "newsletter": shown},
    )
    assert response.status_code == 302
    assert set(user.newsletter_subscriptions.values_list("newsletter_id", flat=True)) == {
        newsletter.pk
    }
    assert "checked" in _choice(client.get("/account/").content.decode(), newsletter)
    client.post("/newsletters/preferences/", {"csrfmiddlewaretoken": token, "shown": shown})
    assert not user.newsletter_subscriptions.exists()


def _choice(page: str, newsletter: Newsletter) -> str:
    return re.search(
        rf'<input type="checkbox" name="newsletter" value="{newsletter.pk}"[^>]*>', page
    ).group(0)


def test_the_foot_of_an_article_offers_a_static_form_to_anonymous_readers(newsletter):
    article = demo_article("free")
    client = Client()
    response = client.get(article.url)
    page = response.content.decode()
    assert 'action="/newsletters/sign-up/"' in page and newsletter.name in page
    assert "csrfmiddlewaretoken" not in page and "csrftoken" not in response.cookies
    assert "public" in response["Cache-Control"]


def test_a_signed_in_reader_gets_their_ticks_at_the_foot_with_a_csrf_token(newsletter):
    user = reader("footer")
    subscribe(newsletter, user.email, user)
    client = Client()
    client.force_login(user)
    page = client.get(demo_article("free").url).content.decode()
    assert 'action="/newsletters/preferences/"' in page
    assert "checked" in _choice(page, newsletter)
    assert "mh-newsletter-csrf" not in page and re.search(
        r'name="csrfmiddlewaretoken" value="\w+"', page
    )
