"""The article response as readers meet it: invalidation, query counts, events, slots."""

from __future__ import annotations

import html
import os
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from masthead.billing.models import Plan, Subscription, SubscriptionStatus
from masthead.comments import counts
from masthead.comments.models import Comment
from masthead.comments.rendering import render_markdown
from masthead.content import variants
from masthead.content.models import ArticlePage
from masthead.content.tests.helpers import demo_article
from masthead.core import generations
from masthead.insights import events
from masthead.insights.models import EventKind, ReaderEvent
from masthead.paywall.gate import site_paywall
from masthead.paywall.tests.conftest import metered_articles
from masthead.reading import checks, slots

pytestmark = pytest.mark.django_db

TEST_REDIS_URL = os.environ.get("REDIS_URL") or os.environ.get(
    "TEST_REDIS_URL", "redis://127.0.0.1:6379/13"
)


def subscriber(name: str = "sam"):
    user = get_user_model().objects.create_user(name, f"{name}@example.org", None)
    Subscription.objects.create(
        user=user,
        plan=Plan.objects.order_by("pk").first(),
        status=SubscriptionStatus.ACTIVE,
        current_period_end=timezone.now() + timedelta(days=30),
    )
    client = Client()
    client.force_login(user)
    return user, client


# The origin Django's test Client asks for.
TEST_ORIGIN = "http://testserver"


def variant_in_cache(client: Client, article: ArticlePage, variant: str) -> bool:
    """Whether the shared cache still holds this article's variant, as the fast path asks."""
    request = client.get(article.url, follow=True).wsgi_request
    route = variants.route_of(ArticlePage.objects.get(pk=article.pk))
    blocks = site_paywall(request).policy.teaser_blocks
    site = generations.current(None, generations.SITE)
    key = variants.variant_key(route, variant, site, blocks, variants.origin(request))
    return cache.get(key) is not None


def test_a_comment_on_one_article_leaves_every_cached_variant_in_place():
    a, b = metered_articles()[:2]
    _, client = subscriber()
    anonymous = Client()
    for article in (a, b):
        assert client.get(article.url).status_code == 200
        assert anonymous.get(article.url, follow=True).status_code == 200
    site_before = generations.current(None, generations.SITE)
    content_before = generations.current(None, generations.CONTENT)
    key_b = variants.variant_key(
        variants.route_of(b), variants.WHOLE, site_before, site_paywall_blocks(), TEST_ORIGIN
    )
    assert cache.get(key_b) is not None

    response = client.post(reverse("comments:post", args=[a.pk]), {"body": "A fair point."})
    assert response.status_code == 302

    # Neither the site nor the content generation moved: no variant and no route went stale.
    assert generations.current(None, generations.SITE) == site_before
    assert generations.current(None, generations.CONTENT) == content_before
    assert cache.get(key_b) is not None
    # Article A shows the new comment and count; its own variant was not re-rendered either.
    page = client.get(a.url).content.decode()
    assert "A fair point." in page
    gate = anonymous.get(a.url, follow=True).content.decode()
    assert '<span class="comments__count">(1)</span>' in gate


def site_paywall_blocks() -> int:
    return site_paywall(Client().get("/").wsgi_request).policy.teaser_blocks


def test_publishing_an_article_changes_its_variant_and_no_other_articles():
    a, b = metered_articles()[:2]
    reader = Client()
    for article in (a, b):
        reader.get(article.url, follow=True)
    blocks = site_paywall_blocks()
    site = generations.current(None, generations.SITE)
    key_b = variants.variant_key(variants.route_of(b), variants.WHOLE, site, blocks, TEST_ORIGIN)
    assert cache.get(key_b) is not None
    a.title = "A headline changed by the desk"
    a.save_revision().publish()
    assert generations.current(None, generations.SITE) == site
    assert cache.get(key_b) is not None
    assert "A headline changed by the desk" in reader.get(a.url, follow=True).content.decode()


def _warm(article: ArticlePage) -> None:
    """Render both variants once (a reader over the limit and one within it)."""
    Client().get(article.url, follow=True)
    over = Client()
    for other in [a for a in metered_articles() if a != article][:3]:
        over.get(other.url, follow=True)
    over.get(article.url, follow=True)


# PostgreSQL answers every meter call with one query: a function holds the check and
# the record (paywall migration 0003). SQLite, the one-machine demo's database, has no
# functions: a re-read or a reader over the limit is one query (the reader's bucket row,
# locked, with whether this article is in it) and a new read adds the read and the count
# under that lock. The first refusal also reads the reader's final list of reads, after
# which this process answers that reader without the store. Redis answers them all itself.
QUERY_BUDGET = {
    "postgresql": {"new read": 1, "re-read": 1, "over the limit": 2, "over the limit again": 0},
    "sqlite": {"new read": 3, "re-read": 1, "over the limit": 2, "over the limit again": 0},
    "redis": {"new read": 0, "re-read": 0, "over the limit": 0, "over the limit again": 0},
}
# Savepoints count as queries inside a test's transaction; in production the lock's
# transaction is a BEGIN and a COMMIT around the same statements. The function needs none.
SAVEPOINTS = {"postgresql": 0, "sqlite": 2, "redis": 0}


@pytest.mark.parametrize("store", ["database", "redis"])
def test_an_anonymous_metered_read_costs_at_most_one_query(store, django_assert_max_num_queries):
    env = {"PAYWALL_METER_STORE": store}
    if store == "redis":
        env["REDIS_URL"] = TEST_REDIS_URL
    articles = metered_articles()
    with override_settings(**env):
        for article in articles:
            _warm(article)
        reader = Client()
        reader.get(articles[0].url, follow=True)  # the cookie round trip, and a first read
        events.flush()
        steps = [
            ("new read", articles[1], "left today"),
            ("re-read", articles[1], "still free to read again"),
            ("new read", articles[2], "last free article today"),
            ("over the limit", articles[3], "You've reached your daily free article limit"),
            ("over the limit again", articles[3], "You've reached your daily free article limit"),
            ("over the limit again", articles[4], "You've reached your daily free article limit"),
            ("over the limit again", articles[1], "still free to read again"),
        ]
        budgets = store if store == "redis" else connection.vendor
        for kind, article, wording in steps:
            budget = QUERY_BUDGET[budgets][kind]
            budget += SAVEPOINTS[budgets] if budget else 0
            with django_assert_max_num_queries(budget, info=kind):
                response = reader.get(article.url)
            assert response.status_code == 200
            assert wording in html.unescape(response.content.decode()), kind


def test_a_subscriber_reads_an_article_with_fifty_comments_in_four_queries(
    django_assert_max_num_queries,
):
    article = demo_article("metered")
    shown_before = Comment.objects.filter(article=article, status="visible").count()
    threads_before = Comment.objects.filter(article=article, parent=None).count()
    user, client = subscriber()
    authors = [subscriber(f"writer{i}")[0] for i in range(5)]
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author=authors[i % 5],
            body_markdown=f"Comment number {i}",
            body_html=render_markdown(f"Comment number {i}"),
            parent=None,
        )
        for i in range(50)
    )
    counts.forget_count(article.pk)
    client.get(article.url)
    client.get(article.url)
    events.flush()
    with django_assert_max_num_queries(4):
        page = client.get(article.url).content.decode()
    assert page.count("Comment number") == 20 - threads_before
    assert f'<span class="comments__count">({50 + shown_before})</span>' in page
    assert "Page 1 of 3" in page
    assert "paywall-prompt" not in page


@pytest.fixture
def reader():
    """A client that already holds a reader cookie."""
    client = Client()
    assert client.get(metered_articles()[0].url).status_code == 302
    return client


def test_head_and_prefetch_record_no_view_and_no_paywall_event(reader):
    events.flush()
    ReaderEvent.objects.all().delete()
    article = metered_articles()[1]
    assert reader.head(article.url).status_code == 200
    prefetch = reader.get(article.url, headers={"Sec-Purpose": "prefetch"})
    assert prefetch.status_code == 503
    events.flush()
    assert not ReaderEvent.objects.exists()
    reader.get(article.url)
    events.flush()
    kinds = set(ReaderEvent.objects.values_list("kind", flat=True))
    # Read within the meter: the view, and the "N left" notice it showed.
    assert kinds == {EventKind.ARTICLE_VIEW, EventKind.METER_NOTICE}


def test_the_system_check_names_a_slot_without_a_filler(monkeypatch):
    assert checks.every_slot_has_a_filler() == []
    without_comments = {k: v for k, v in slots.FILLERS.items() if k != "comments"}
    monkeypatch.setattr(checks, "FILLERS", without_comments)
    errors = checks.every_slot_has_a_filler()
    assert [e.id for e in errors] == ["masthead.E001"]
    assert "'comments'" in errors[0].msg


def test_every_slot_is_filled_and_no_marker_reaches_a_reader(reader):
    for article in metered_articles()[:4] + [demo_article("free")]:
        page = reader.get(article.url, follow=True).content.decode()
        assert "<!--mh:" not in page


def test_a_reader_at_the_limit_is_answered_without_the_store_until_the_limit_changes(
    monkeypatch,
):
    from masthead.paywall import meter
    from masthead.paywall.models import PaywallSettings

    articles = metered_articles()
    reader = Client()
    for article in articles[:3]:
        assert reader.get(article.url, follow=True).status_code == 200
    over = reader.get(articles[3].url).content.decode()
    assert "You've reached your daily free article limit" in html.unescape(over)

    def unreachable(*args, **kwargs):
        raise meter.MeterUnavailable("down")

    for store in (meter.DatabaseMeterStore, meter.RedisMeterStore):
        for call in ("peek", "record", "reads"):
            monkeypatch.setattr(store, call, unreachable)
    # The reads of a meter at its limit are final: no store needed to answer either way.
    again = html.unescape(reader.get(articles[4].url).content.decode())
    assert "You've reached your daily free article limit" in again
    reread = html.unescape(reader.get(articles[1].url).content.decode())
    assert "still free to read again" in reread
    # A higher limit is another meter state: the store is asked (and is down: teaser).
    settings_row = PaywallSettings.objects.first() or PaywallSettings.objects.create(
        site_id=articles[0].get_site().pk
    )
    settings_row.anonymous_limit = 10
    settings_row.save()
    fresh = html.unescape(reader.get(articles[4].url).content.decode())
    assert "You've reached your daily free article limit" not in fresh
    assert "paywall-prompt" in fresh


@pytest.mark.parametrize("access", ["free", "metered"])
def test_each_host_and_scheme_gets_its_own_absolute_links_from_the_cached_variant(access):
    """The canonical link, og:url, JSON-LD and share links are absolute URLs: a variant
    rendered for one allowed host must not give another host (or http for https) its
    address, whichever asked first."""
    article = demo_article("free") if access == "free" else metered_articles()[0]
    asked = [("localhost", False), ("127.0.0.1", False), ("localhost", True)]
    for host, secure in asked * 2:  # the second round is served from the cached variants
        page = html.unescape(_read_following_redirects(Client(HTTP_HOST=host), article.url, secure))
        origin = f"{'https' if secure else 'http'}://{host}"
        own = f"{origin}{article.url}"
        assert f'<link rel="canonical" href="{own}">' in page
        assert f'<meta property="og:url" content="{own}">' in page
        assert f'"@id": "{own}"' in page or f'"@id":"{own}"' in page
        for other_host, other_secure in asked:
            other = f"{'https' if other_secure else 'http'}://{other_host}{article.url}"
            if other != own:
                assert other not in page


def _read_following_redirects(client: Client, url: str, secure: bool) -> str:
    """The page at the end of the reader-cookie round trip, on the scheme asked for
    (the test Client's ``follow`` drops ``secure`` after a relative redirect)."""
    for _ in range(4):
        response = client.get(url, secure=secure)
        if response.status_code != 302:
            assert response.status_code == 200
            return response.content.decode()
        url = response["Location"]
    raise AssertionError(f"{url} kept redirecting")
