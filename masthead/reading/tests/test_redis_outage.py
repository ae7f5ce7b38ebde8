"""Redis gone: the site degrades to the database instead of answering 500.

The shared cache and the meter point at a port where nothing listens, as when
Redis has been killed. Free pages are still served whole, metered articles get
the teaser (the meter cannot vouch for a read), subscribers and logins work
from the database, and comment posting works.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from masthead.billing.models import Plan, Subscription, SubscriptionStatus
from masthead.content.tests.helpers import demo_article, last_paragraph
from masthead.paywall.tests.conftest import gated_sentence, metered_articles
from masthead.settings import redis_cache

pytestmark = pytest.mark.django_db

NOWHERE = "redis://127.0.0.1:1/0"
PASSWORD = "a long enough pass phrase 9"


@pytest.fixture
def redis_gone():
    with override_settings(
        CACHES={"default": redis_cache(NOWHERE)},
        REDIS_URL=NOWHERE,
        PAYWALL_METER_STORE="auto",
    ):
        yield


def subscriber() -> get_user_model():
    user = get_user_model().objects.create_user("oda", "oda@example.org", PASSWORD)
    user.emailaddress_set.create(email=user.email, verified=True, primary=True)
    Subscription.objects.create(
        user=user,
        plan=Plan.objects.order_by("pk").first(),
        status=SubscriptionStatus.ACTIVE,
        current_period_end=timezone.now() + timedelta(days=30),
    )
    return user


def test_free_pages_are_served_whole_while_redis_is_gone(redis_gone):
    article = demo_article("free")
    for _ in range(2):
        response = Client().get(article.url)
        assert response.status_code == 200
        assert last_paragraph(article.slug) in response.content.decode()
    assert Client().get("/").status_code == 200
    assert Client().get(article.get_parent().url).status_code == 200
    assert Client().get(reverse("feed-rss")).status_code == 200


def test_a_metered_article_gets_the_teaser_while_the_meter_is_gone(redis_gone):
    article = metered_articles()[0]
    reader = Client()
    response = reader.get(article.url, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "paywall-prompt" in page
    assert gated_sentence(article) not in page


def test_subscribers_log_in_and_read_whole_while_redis_is_gone(redis_gone):
    subscriber()
    article = demo_article("subscribers")
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": "oda@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    page = client.get(article.url).content.decode()
    assert "paywall-prompt" not in page
    assert last_paragraph(article.slug) in page
    posted = client.post(reverse("comments:post", args=[article.pk]), {"body": "Still reading."})
    assert posted.status_code in (302, 503)
    assert posted.status_code == 302 or "try again" in posted.content.decode().lower()
