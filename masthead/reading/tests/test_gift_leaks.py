"""The leak walk with gift links: gated text only on the one URL a working gift opens.

A reader who has opened a gift (and so carries the gift cookie) walks every route of
the URLconf, plus each gated article with a gift token that is tampered, cut short,
made for another article, revoked or for the article itself. Only the valid token on
its own article shows that article's gated text; nothing else shows any.
"""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from masthead.billing.models import Plan, Subscription, SubscriptionStatus
from masthead.content.tests.helpers import demo_article
from masthead.gifts import links
from masthead.gifts.models import Gift
from masthead.paywall.tests.conftest import gated_sentence, metered_articles
from masthead.paywall.tests.test_leaks import concrete_urls, content_of, encodings, fetch

pytestmark = pytest.mark.django_db


def made_gift(giver, article) -> str:
    response = giver.post("/gifts/new/", {"article": article.pk})
    assert response.status_code == 200
    value = response.content.decode().split('id="gift-link"', 1)[1].split('value="', 1)[1]
    return html.unescape(value.split('"', 1)[0]).split("gift=", 1)[1]


def test_gated_text_leaves_the_server_only_through_a_working_gift_for_that_article():
    gifted = metered_articles()[6]
    revoked_article = metered_articles()[7]
    subscribers_only = demo_article("subscribers")
    gated = [gifted, revoked_article, subscribers_only]
    user = get_user_model().objects.create_user("leakgiver", "lg@example.org", None)
    Subscription.objects.create(
        user=user,
        plan=Plan.objects.order_by("pk").first(),
        status=SubscriptionStatus.ACTIVE,
        current_period_end=timezone.now() + timedelta(days=30),
    )
    giver = Client()
    giver.force_login(user)
    token = made_gift(giver, gifted)
    revoked = made_gift(giver, revoked_article)
    Gift.objects.filter(article=revoked_article).update(revoked_at=timezone.now())

    reader = Client()
    for article in metered_articles()[:4]:  # over the daily limit
        reader.get(article.url, follow=True)
    valid_url = f"{gifted.url}?gift={token}"
    opened = reader.get(valid_url)
    assert gated_sentence(gifted) in html.unescape(opened.content.decode())
    assert links.OPENED_COOKIE in reader.cookies

    article_id, key, signature = token.split(".")
    broken = [
        f"{article_id}.{key}.{signature[::-1]}",
        token[:-1],
        revoked,
        f"{subscribers_only.pk}.{key}.{signature}",
        token.upper(),
    ]
    gift_urls = {f"{a.url}?gift={t}" for a in gated for t in [*broken, token]} - {valid_url}
    walk = [(url, reader) for url in sorted(concrete_urls(gated) | gift_urls)]
    # The gift URLs also without any cookie (test_leaks walks the rest that way).
    walk += [(url, None) for url in sorted(gift_urls)]
    markers = {a.slug: encodings(gated_sentence(a)) for a in gated}
    for url, client in walk:
        response = fetch(client, url)
        assert response.status_code < 500, url
        text = content_of(response)
        for slug, forms in markers.items():
            leaked = [form for form in forms if form in text]
            assert not leaked, f"{url} leaks the gated text of {slug}"
    assert Gift.objects.get(article=gifted).opened == 1  # only the one valid opening counted
