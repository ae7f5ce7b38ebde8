""" "Most read" from real reader events, on the home page and at the foot of articles."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.test import Client

from masthead.content import most_read
from masthead.content.models import ArticlePage
from masthead.insights import events
from masthead.insights.models import EventKind, ReaderEvent
from masthead.paywall.tests.conftest import metered_articles

pytestmark = pytest.mark.django_db

BLOCK = re.compile(r'<section class="most-read".*?</section>', re.S)
GPTBOT = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2)"


@pytest.fixture(autouse=True)
def _fresh_most_read(db):
    # Per-process copies outlive the test's cache.clear() and database rollback, and
    # views other tests left in this process's event buffer would count here.
    events.flush()
    ReaderEvent.objects.all().delete()
    most_read.forget()
    yield
    events.flush()
    most_read.forget()


def recount() -> None:
    """Forget every copy of the block, as if its time to live had run out everywhere."""
    most_read.forget()
    cache.clear()


class CountingCache:
    def __init__(self, real):
        self.real, self.asked = real, []

    def get(self, *args, **kwargs):
        self.asked.append(args)
        return self.real.get(*args, **kwargs)

    def set(self, *args, **kwargs):
        self.asked.append(args)
        return self.real.set(*args, **kwargs)


def free_articles() -> list[ArticlePage]:
    return list(ArticlePage.objects.live().filter(access_level="free").order_by("pk"))


def titles_in_block(page: str) -> list[str]:
    found = BLOCK.findall(page)
    if not found:
        return []
    [block] = found
    return re.findall(r'class="most-read__title" href="[^"]+">([^<]+)</a>', block)


def read_times(article: ArticlePage, readers: int, **headers) -> None:
    for _ in range(readers):
        assert Client(**headers).get(article.url, follow=True).status_code == 200


def test_most_read_ranks_the_last_day_of_views_on_home_and_article_pages(settings):
    settings.MASTHEAD_MOST_READ_SECONDS = 300
    free, metered = free_articles(), metered_articles()
    first, second, third, crawled = free[0], metered[0], metered[1], free[1]
    other = metered[2]
    read_times(first, 3)
    read_times(second, 2)  # metered: each reader is sent round once for a cookie
    read_times(third, 1)
    read_times(crawled, 4, HTTP_USER_AGENT=GPTBOT)  # bots are not readers
    # Yesterday's hit no longer counts.
    old = datetime.now(UTC) - timedelta(hours=25)
    ReaderEvent.objects.bulk_create(
        ReaderEvent(
            occurred_at=old,
            day=old.date(),
            kind=EventKind.ARTICLE_VIEW,
            article_id=other.pk,
            reader_class="anonymous",
        )
        for _ in range(9)
    )
    events.flush()
    recount()
    expected = [first.title, second.title, third.title]
    home = Client().get("/").content.decode()
    assert titles_in_block(home) == expected
    article_page = Client().get(free[1].url).content.decode()
    assert titles_in_block(article_page) == expected
    assert article_page.index('class="most-read"') > article_page.index('class="article__body"')


class FakeClock:
    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now


def test_the_block_is_kept_for_its_ttl_then_counted_again(settings, monkeypatch):
    settings.MASTHEAD_MOST_READ_SECONDS = 300
    clock = FakeClock(1_800_000_000.0)
    monkeypatch.setattr(most_read, "time", clock)
    free = free_articles()
    read_times(free[0], 1)
    events.flush()
    recount()
    assert titles_in_block(Client().get("/").content.decode()) == [free[0].title]
    read_times(free[1], 3)
    events.flush()
    clock.now += 299
    # The home page itself is a cached page; the block in it is filled as it leaves.
    assert titles_in_block(Client().get("/").content.decode()) == [free[0].title]
    clock.now += 1
    assert titles_in_block(Client().get("/").content.decode()) == [free[1].title, free[0].title]


def test_an_unpublished_article_leaves_the_block_at_once(settings):
    settings.MASTHEAD_MOST_READ_SECONDS = 300
    free = free_articles()
    read_times(free[0], 2)
    read_times(free[1], 1)
    events.flush()
    recount()
    assert titles_in_block(Client().get("/").content.decode()) == [free[0].title, free[1].title]
    ArticlePage.objects.get(pk=free[0].pk).unpublish()
    assert titles_in_block(Client().get("/").content.decode()) == [free[1].title]


def test_a_warm_article_or_home_page_asks_neither_the_database_nor_the_cache_for_it(
    settings, monkeypatch, django_assert_num_queries
):
    settings.MASTHEAD_MOST_READ_SECONDS = 300
    free = free_articles()
    read_times(free[0], 2)
    events.flush()
    recount()
    Client().get("/")
    Client().get(free[1].url)  # the article's route and variant are cached now

    counting = CountingCache(most_read.cache)
    monkeypatch.setattr(most_read, "cache", counting)
    with django_assert_num_queries(0):
        article_page = Client().get(free[1].url).content.decode()
        home = Client().get("/").content.decode()
    assert counting.asked == []
    assert titles_in_block(article_page) == titles_in_block(home) == [free[0].title]
    events.flush()


def test_logged_in_readers_see_the_block_on_the_home_page_too(django_user_model):
    free = free_articles()
    read_times(free[0], 1)
    events.flush()
    recount()
    client = Client()
    client.force_login(django_user_model.objects.create_user("homer", "homer@example.org", None))
    page = client.get("/").content.decode()
    assert titles_in_block(page) == [free[0].title]
    assert "<!--mh:" not in page
