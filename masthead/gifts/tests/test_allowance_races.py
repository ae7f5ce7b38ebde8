"""The monthly allowance under 20 parallel "gift" requests by one subscriber.

Real requests from 20 threads, each with its own database connection, released
together by a barrier; the rows they make are committed, and deleted afterwards. The
giver's month row is locked (``SELECT ... FOR UPDATE``) while a gift is made, so the
requests take turns. On PostgreSQL every request must answer without a 5xx. SQLite's
in-memory test database answers a second writer "table is locked" at once, so there
a loser may get a 500 (or a 400 when the lock hits the session's save; as in
``billing/tests/test_trial_races.py``); the allowance must hold all the same.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.utils import timezone

from masthead.billing.models import Plan, Subscription, SubscriptionStatus
from masthead.content.models import ArticlePage
from masthead.gifts.models import Gift, GiftMonth
from masthead.insights.models import ReaderEvent

PARALLEL = 20
CONFIGURED_DATABASE = settings.DATABASES["default"]["NAME"]  # read before any test database


@pytest.fixture
def committed_giver(django_db_setup, django_db_blocker):
    """A committed subscriber with a logged-in session; every row made is deleted after."""
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"] != CONFIGURED_DATABASE, (
            "no test database: run this module together with a test that uses `db`"
        )
        last_event = ReaderEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
        user = get_user_model().objects.create_user("racer", "racer@example.org", None)
        Subscription.objects.create(
            user=user,
            plan=Plan.objects.order_by("pk").first(),
            status=SubscriptionStatus.ACTIVE,
            current_period_end=timezone.now() + timedelta(days=30),
        )
        browser = Client()
        browser.force_login(user)
        articles = list(ArticlePage.objects.live().order_by("pk")[:10])
        try:
            yield user, browser.cookies[settings.SESSION_COOKIE_NAME].value, articles
        finally:
            Gift.objects.filter(giver=user).delete()
            GiftMonth.objects.filter(giver=user).delete()
            Subscription.objects.filter(user=user).delete()
            ReaderEvent.objects.filter(pk__gt=last_event or 0).delete()
            user.delete()


def gift_at_once(session_cookie: str, article_ids: list[int]) -> list[tuple[int, str]]:
    """POST "Create gift link" for each article from a thread each, released together."""
    barrier = threading.Barrier(len(article_ids))
    results: list[tuple[int, str] | None] = [None] * len(article_ids)

    def post(index: int, article_id: int) -> None:
        try:
            tab = Client(raise_request_exception=False)
            tab.cookies[settings.SESSION_COOKIE_NAME] = session_cookie
            barrier.wait(timeout=20)
            response = tab.post("/gifts/new/", {"article": article_id})
            results[index] = (response.status_code, response.content.decode())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=item) for item in enumerate(article_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert None not in results, "a request never answered"
    if connection.vendor != "sqlite":
        assert all(status < 500 for status, _ in results), [s for s, _ in results]
    return results


def link_in(page: str) -> str | None:
    found = re.search(r'<input id="gift-link"[^>]* value="([^"]+)"', page)
    return found.group(1) if found else None


def test_twenty_parallel_gifts_of_ten_articles_never_pass_the_allowance(
    committed_giver, django_db_blocker, monkeypatch
):
    monkeypatch.setattr(settings, "GIFTS_PER_MONTH", 5)
    user, session, articles = committed_giver
    assert len(articles) == 10
    # Each article twice, interleaved: 20 requests, 10 distinct articles, room for 5.
    results = gift_at_once(session, [a.pk for a in articles] * 2)

    with django_db_blocker.unblock():
        gifts = list(Gift.objects.filter(giver=user))
        given = GiftMonth.objects.get(giver=user).given
    gifted = {g.article_id for g in gifts}
    assert given == len(gifts) <= 5
    assert len(gifted) == len(gifts)  # never two links for one article
    if connection.vendor != "sqlite":
        assert len(gifts) == 5  # nobody failed, so every gift on offer was taken
    for (status, page), article in zip(results, [a for a in articles] * 2, strict=True):
        if status == 200:
            assert article.pk in gifted and link_in(page)
        elif status == 403:
            assert "You have used all 5 gifts for this month." in page
            assert article.pk not in gifted
        else:
            # SQLite's "table is locked": a 500, or a 400 when it hits the session's save.
            assert connection.vendor == "sqlite" and status in (400, 500, 503), status


def test_twenty_parallel_gifts_of_one_article_make_one_link_and_cost_one_gift(
    committed_giver, django_db_blocker
):
    user, session, articles = committed_giver
    results = gift_at_once(session, [articles[0].pk] * PARALLEL)

    with django_db_blocker.unblock():
        [gift] = Gift.objects.filter(giver=user)
        assert GiftMonth.objects.get(giver=user).given == 1
    links = {link_in(page) for status, page in results if status == 200}
    assert len(links) == 1 and gift.key in links.pop()


@pytest.mark.django_db
def test_one_month_row_per_giver(django_db_blocker):
    # The uniqueness the lock relies on; being marked for the database, this test also
    # makes pytest-django create it for this module.
    user = get_user_model().objects.create_user("solo", "solo@example.org", None)
    month = timezone.now().date().replace(day=1)
    GiftMonth.objects.create(giver=user, month=month)
    with pytest.raises(IntegrityError), transaction.atomic():
        GiftMonth.objects.create(giver=user, month=month)
