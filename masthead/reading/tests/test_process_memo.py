"""Pages every anonymous reader sees alike, answered again from the app process's memory.

Runs with a real Redis as the shared cache and a real generation listener, the
only setting in which a process keeps pages (it must vouch for its generations).
"""

from __future__ import annotations

import html

import pytest
from django.test import Client

from masthead.content.tests.helpers import demo_article
from masthead.core import generations
from masthead.insights import events
from masthead.insights.models import EventKind, ReaderEvent
from masthead.paywall.tests.conftest import gated_sentence, metered_articles
from masthead.reading import article as article_response
from masthead.reading import middleware
from masthead.reading.tests.test_article import subscriber
from tests.support.subscriptions import REDIS_URL, listening_on_redis
from tests.support.waiting import eventually

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture
def vouched(monkeypatch):
    """This process on Redis, with a listener that vouches for its generations."""
    middleware._kept.clear()
    with listening_on_redis(REDIS_URL, monkeypatch) as listener:
        yield listener
    middleware._kept.clear()


def kept_paths() -> set[str]:
    return {key[2] for key in middleware._kept._entries}


def test_a_free_article_is_kept_counted_on_every_answer_and_dropped_on_publish(vouched):
    article = demo_article("free")
    events.flush()
    ReaderEvent.objects.all().delete()
    first = Client().get(article.url)
    assert first.status_code == 200
    assert article.url in kept_paths()
    again = Client().get(article.url, HTTP_REFERER="https://news.example.net/story")
    assert again.content == first.content
    assert again["Cache-Control"] == first["Cache-Control"]
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    events.flush()
    views = ReaderEvent.objects.filter(kind=EventKind.ARTICLE_VIEW, article_id=article.pk)
    assert views.count() == 2
    assert set(views.values_list("referrer_host", flat=True)) == {None, "news.example.net"}

    content_before = vouched.values()[generations.CONTENT]
    article.title = "Reservoir drawdown: the desk's new headline"
    article.save_revision().publish()
    eventually(lambda: vouched.values()[generations.CONTENT] != content_before)
    page = Client().get(article.url).content.decode()
    assert "Reservoir drawdown: the desk&#x27;s new headline" in page or (
        "Reservoir drawdown: the desk's new headline" in page
    )


def test_a_reader_with_a_session_never_gets_the_kept_anonymous_page(vouched):
    article = demo_article("free")
    anonymous = Client().get(article.url).content.decode()
    assert article.url in kept_paths()
    user, client = subscriber("memo")
    page = client.get(article.url).content.decode()
    assert page != anonymous
    assert "Log out" in page or "Account" in page


def test_a_metered_article_is_never_kept(vouched):
    article = metered_articles()[0]
    first, second = Client(), Client()
    for reader in (first, second):
        assert reader.get(article.url).status_code == 302  # the reader cookie first
        response = reader.get(article.url)
        assert response.status_code == 200
        assert "private" in response["Cache-Control"]
    assert article.url not in kept_paths()


def test_a_query_string_or_a_prefetch_goes_the_full_way(vouched):
    article = demo_article("free")
    Client().get(article.url + "?utm_source=x")
    Client().get(article.url, headers={"Sec-Purpose": "prefetch"})
    assert article.url not in kept_paths()


def test_nothing_is_kept_when_the_process_cannot_vouch_for_its_generations(monkeypatch):
    monkeypatch.setattr(generations, "_listener", lambda: None)
    middleware._kept.clear()
    article = demo_article("free")
    assert Client().get(article.url).status_code == 200
    assert not kept_paths()


def test_a_crawlers_request_neither_fills_nor_reads_the_kept_page(vouched):
    article = demo_article("free")
    bot = {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)"}
    Client().get(article.url, **bot)
    assert article.url not in kept_paths()
    Client().get(article.url)
    assert article.url in kept_paths()
    events.flush()
    ReaderEvent.objects.all().delete()
    assert Client().get(article.url, **bot).status_code == 200
    events.flush()
    classes = set(ReaderEvent.objects.values_list("reader_class", flat=True))
    assert "anonymous" not in classes


def test_anonymous_readers_share_a_filled_page_only_when_their_decision_is_the_same(vouched):
    """The article filled for one anonymous reader is the next one's only when the policy
    decided the same for both: the notice's count and the teaser follow each reader."""
    article_response._anonymous_pages.clear()
    articles = metered_articles()
    target, others = articles[0], articles[1:]

    def read(reader: Client, page) -> str:
        return html.unescape(reader.get(page.url, follow=True).content.decode())

    first, second, third, spent = Client(), Client(), Client(), Client()
    page_first = read(first, target)  # the reader's first article of 3: 2 left
    page_third = read(third, target)  # also a first article: the same page, kept
    read(second, others[0])
    page_second = read(second, target)  # a second article: 1 left
    for other in others[:3]:
        read(spent, other)
    page_spent = read(spent, target)  # over the limit: the teaser

    assert "You have 2 free articles left" in page_first
    assert page_third == page_first
    assert "You have 1 free article left" in page_second
    assert gated_sentence(target) in page_first and gated_sentence(target) in page_second
    assert gated_sentence(target) not in page_spent
    assert "daily free article limit" in page_spent
    # One page kept per decision; the reader past the limit got no whole-text page.
    decisions = {key[3] for key in article_response._anonymous_pages._entries}
    assert {d.remaining for d in decisions if d.whole} == {1, 2}
    assert any(not d.whole for d in decisions)
