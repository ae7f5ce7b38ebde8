"""Unsubscribing: a personal signed link, RFC 8058's one-click POST, no login."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core import signing
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masthead.content.tests.helpers import demo_article
from masthead.newsletters import sending, tokens
from masthead.newsletters.models import Delivery, NewsletterSubscription
from masthead.newsletters.tests.conftest import subscribe

pytestmark = pytest.mark.django_db
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def sent(smtp, newsletter, django_capture_on_commit_callbacks, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://news.example.org"
    for name in ("ann", "bob"):
        subscribe(newsletter, f"{name}@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        issue, _ = sending.issue_for_article(
            newsletter=newsletter, article=demo_article("metered"), audience="all"
        )
    return {d.email: d for d in Delivery.objects.filter(issue=issue)}


def path_of(url: str) -> str:
    return url.removeprefix("https://news.example.org")


def test_every_email_carries_rfc_8058_headers_and_a_personal_link(smtp, sent):
    for address, delivery in sent.items():
        [mail] = smtp.inbox.to(address)
        header = mail.header("List-Unsubscribe")
        assert header.startswith("<https://news.example.org/newsletters/unsubscribe/")
        url = header[1:-1]
        assert tokens.read_unsubscribe(url.rstrip("/").rpartition("/")[2]) == delivery.pk
        assert mail.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
        assert url in mail.body and url in mail.html


def test_one_click_post_unsubscribes_without_login_or_csrf_token(smtp, sent, newsletter):
    url = path_of(sending.unsubscribe_url(sent["ann@example.org"].pk))
    response = Client(enforce_csrf_checks=True).post(url, ONE_CLICK)
    assert response.status_code == 200 and b"unsubscribed" in response.content
    assert b"no longer receives" in Client().get(url).content
    emails = set(
        NewsletterSubscription.objects.filter(newsletter=newsletter).values_list("email", flat=True)
    )
    assert emails == {"bob@example.org"}
    assert Delivery.objects.get(pk=sent["ann@example.org"].pk).unsubscribed_at is not None
    # Pressing again is harmless.
    assert Client().post(url, ONE_CLICK).status_code == 200


def test_opening_the_link_asks_and_changes_nothing(smtp, sent, newsletter):
    url = path_of(sending.unsubscribe_url(sent["ann@example.org"].pk))
    response = Client().get(url)
    assert response.status_code == 200 and b'<form method="post"' in response.content
    assert NewsletterSubscription.objects.filter(email="ann@example.org").exists()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(position=st.integers(min_value=0, max_value=200), char=st.sampled_from("AbZ09-_:x"))
def test_a_tampered_token_unsubscribes_nobody(smtp, sent, position, char):
    token = tokens.unsubscribe_token(sent["ann@example.org"].pk)
    position %= len(token)
    tampered = token[:position] + char + token[position + 1 :]
    if tampered == token:
        return
    response = Client().post(f"/newsletters/unsubscribe/{tampered}/", ONE_CLICK)
    assert response.status_code in (400, 404)
    assert NewsletterSubscription.objects.filter(email__in=list(sent)).count() == 2


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(delivery_id=st.integers(min_value=-(2**40), max_value=2**40))
def test_a_token_made_without_the_key_or_for_another_purpose_is_refused(smtp, sent, delivery_id):
    """Another reader's id in a token signed with the wrong key or salt does nothing."""
    forged = [
        signing.dumps(delivery_id, key="not-the-secret-key", salt=tokens.UNSUBSCRIBE_SALT),
        signing.dumps(delivery_id, salt=tokens.CONFIRM_SALT),
        signing.dumps(delivery_id),
    ]
    for token in forged:
        response = Client().post(f"/newsletters/unsubscribe/{token}/", ONE_CLICK)
        assert response.status_code == 400
    assert NewsletterSubscription.objects.filter(email__in=list(sent)).count() == 2


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(days_late=st.integers(min_value=1, max_value=3000))
def test_an_expired_token_is_refused(smtp, sent, days_late, monkeypatch):
    made_at = time.time() - tokens.UNSUBSCRIBE_MAX_AGE.total_seconds() - days_late * 86400
    with monkeypatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: made_at)
        token = tokens.unsubscribe_token(sent["ann@example.org"].pk)
    response = Client().post(f"/newsletters/unsubscribe/{token}/", ONE_CLICK)
    assert response.status_code == 400 and b"expired" in response.content
    assert NewsletterSubscription.objects.filter(email="ann@example.org").exists()


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_a_readers_token_unsubscribes_that_reader_only(smtp, sent, data):
    who = data.draw(st.sampled_from(sorted(sent)))
    other = next(e for e in sent if e != who)
    token = tokens.unsubscribe_token(sent[who].pk)
    Client().post(f"/newsletters/unsubscribe/{token}/", ONE_CLICK)
    assert not NewsletterSubscription.objects.filter(email=who).exists()
    assert NewsletterSubscription.objects.filter(email=other).exists()
    # Put the reader back for the next example.
    NewsletterSubscription.objects.create(newsletter=sent[who].issue.newsletter, email=who)


def test_unsubscribe_tokens_live_a_year():
    assert tokens.UNSUBSCRIBE_MAX_AGE == datetime.timedelta(days=365)
