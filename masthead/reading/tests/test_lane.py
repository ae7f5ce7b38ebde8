"""``ReadingLane``: anonymous reads answered before Django's handler.

Driven as the WSGI server drives it (``masthead.wsgi.application`` is the lane
around Django's handler): a kept page, and an article for a reader without a
session, come back with the same status, headers and bytes as Django's own
answer, reads are still recorded and metered, and everything else goes the
full way.
"""

from __future__ import annotations

import html
import io
import sys

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections

from masthead.content.tests.helpers import demo_article
from masthead.insights import events
from masthead.insights.models import EventKind, ReaderEvent
from masthead.paywall.tests.conftest import gated_sentence, metered_articles
from masthead.reading import article as article_response
from masthead.reading import lane, middleware
from masthead.reading.tests.test_process_memo import REDIS_URL, kept_paths, vouched  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture(autouse=True)
def connections_kept_open(monkeypatch):
    """As Django's test client does: the test's transaction holds the connection, which
    closing old connections at the end of a request would drop (on PostgreSQL)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    closed: list[bool] = []
    monkeypatch.setattr(lane, "close_old_connections", lambda: closed.append(True))
    yield closed
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


class CountingHandler:
    """Django's handler, counting the requests that reach it."""

    def __init__(self):
        self.handler = WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.handler(environ, start_response)


def get(app, path: str, *, query: str = "", cookie: str = "", referer: str = ""):
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    if referer:
        environ["HTTP_REFERER"] = referer
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, headers

    body = app(environ, start_response)
    try:
        answer["body"] = b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()
    return answer


def assert_length_given(answer) -> None:
    """A page with its length, so the server sends it as it is (not in chunks)."""
    lengths = [value for name, value in answer["headers"] if name == "Content-Length"]
    assert lengths == [str(len(answer["body"]))]


def test_a_kept_page_is_answered_before_django_with_the_same_status_headers_and_bytes(vouched):  # noqa: F811
    django = CountingHandler()
    app = lane.ReadingLane(django)
    for path in (demo_article("free").url, "/"):
        first = get(app, path)
        assert first["status"] == "200 OK"
        assert_length_given(first)
        assert path in kept_paths()
        calls = django.calls
        again = get(app, path)
        assert django.calls == calls, "a kept page reached Django's handler"
        assert again == first
        # And the same as Django's own answer from the memo, header for header.
        assert get(django, path) == first


def test_a_page_answered_by_the_lane_still_counts_as_a_read(vouched):  # noqa: F811
    article = demo_article("free")
    app = lane.ReadingLane(CountingHandler())
    get(app, article.url)
    events.flush()
    ReaderEvent.objects.all().delete()
    get(app, article.url, referer="https://news.example.net/story")
    events.flush()
    views = ReaderEvent.objects.filter(kind=EventKind.ARTICLE_VIEW, article_id=article.pk)
    assert list(views.values_list("referrer_host", flat=True)) == ["news.example.net"]


def test_what_needs_more_than_the_lane_goes_to_django(vouched):  # noqa: F811
    django = CountingHandler()
    app = lane.ReadingLane(django)
    free = demo_article("free").url
    get(app, free)
    for path, query, cookie in [
        (free, "", "sessionid=abc"),  # a session
        (free, "", "messages=abc"),  # a flash message waiting
        ("/politics/", "", ""),  # a listing the memo does not hold yet
    ]:
        calls = django.calls
        get(app, path, query=query, cookie=cookie)
        assert django.calls == calls + 1, (path, query, cookie)


def test_an_anonymous_metered_read_is_answered_by_the_lane_as_django_answers_it(vouched):  # noqa: F811
    django = CountingHandler()
    app = lane.ReadingLane(django)
    article = metered_articles()[0]
    # The first read of the article goes through Wagtail's router, which records its route.
    get(app, article.url)
    assert django.calls == 1
    # A client without a cookie is sent round once for one, by the lane.
    first = get(app, article.url)
    assert first["status"].startswith("302")
    assert any(name == "Set-Cookie" and "mh_reader=" in value for name, value in first["headers"])
    assert django.calls == 1
    # Two new readers, the same decision: the lane answers one, Django the other.
    lane_reader, django_reader = (f"mh_reader={c}" for c in _new_reader_cookies(2))
    by_lane = get(app, article.url, cookie=lane_reader)
    assert django.calls == 1
    by_django = get(django, article.url, cookie=django_reader)
    assert by_lane["status"] == "200 OK"
    assert by_lane == by_django
    assert_length_given(by_lane)
    assert gated_sentence(article) in html.unescape(by_lane["body"].decode())
    assert article.url not in kept_paths()
    # The read was metered: the same reader over the limit gets the teaser from the lane.
    for other in metered_articles()[1:3]:
        get(app, other.url, cookie=lane_reader)
    teaser = get(app, metered_articles()[3].url, cookie=lane_reader)
    assert "daily free article limit" in html.unescape(teaser["body"].decode())


def test_readers_given_the_same_decision_get_the_answer_the_lane_kept_and_are_metered(
    vouched,  # noqa: F811
    settings,
):
    from masthead.paywall import meter

    settings.PAYWALL_METER_STORE, settings.METER_REDIS_URL = "auto", REDIS_URL
    django = CountingHandler()
    app = lane.ReadingLane(django)
    article, *others = metered_articles()
    get(app, article.url)  # Wagtail's router records the route
    first_reader, second_reader = (f"mh_reader={c}" for c in _new_reader_cookies(2))
    second_id = _reader_id(second_reader)
    first = get(app, article.url, cookie=first_reader)
    events.flush()
    ReaderEvent.objects.all().delete()

    def no_middlewares(request):
        raise AssertionError("a read the lane had answered before ran the middlewares")

    chain, app.chain = app.chain, no_middlewares
    second = get(app, article.url, cookie=second_reader, referer="https://news.example.net/")
    assert second == first and gated_sentence(article) in html.unescape(second["body"].decode())
    # The read was counted on the second reader's meter and recorded for insights.
    store = meter.get_store()
    assert store.reads(meter.MeterKey(f"a:{second_id}", _period())) == {article.pk}
    events.flush()
    kinds = set(ReaderEvent.objects.values_list("kind", "referrer_host"))
    assert (EventKind.ARTICLE_VIEW, "news.example.net") in kinds
    assert any(kind == EventKind.METER_NOTICE for kind, _ in kinds)
    # The same reader further on gets another decision, so not that answer: the teaser.
    app.chain = chain
    for other in others[:2]:
        get(app, other.url, cookie=second_reader)
    teaser = get(app, others[2].url, cookie=second_reader)
    assert "daily free article limit" in html.unescape(teaser["body"].decode())
    again = get(app, article.url, cookie=second_reader)  # a re-read of a counted article
    assert gated_sentence(article) in html.unescape(again["body"].decode())


def _reader_id(cookie: str) -> str:
    from django.test import RequestFactory

    from masthead.paywall import identity

    return identity.anonymous_id(RequestFactory().get("/", HTTP_COOKIE=cookie))


def _period() -> str:
    from django.test import RequestFactory
    from django.utils import timezone

    from masthead.paywall import gate, policy

    site = gate.site_paywall(RequestFactory().get("/"))
    return policy.period_key(timezone.now(), site.policy.period, site.zone)


def test_an_error_in_the_lane_is_djangos_error_page_and_is_logged(vouched, monkeypatch, caplog):  # noqa: F811
    def broken(*args, **kwargs):
        raise RuntimeError("a filler failed")

    app = lane.ReadingLane(CountingHandler())
    path = metered_articles()[0].url
    get(app, path, cookie=f"mh_reader={_new_reader_cookies(1)[0]}")  # the route is known
    monkeypatch.setattr(article_response, "respond", broken)
    with caplog.at_level("ERROR", logger="django.request"):
        answer = get(app, path, cookie=f"mh_reader={_new_reader_cookies(1)[0]}")
    assert answer["status"].startswith("500")
    assert "a filler failed" in caplog.text
    headers = dict(answer["headers"])
    assert "Content-Security-Policy" in headers and "X-Content-Type-Options" in headers


def test_a_request_that_reached_the_database_closes_old_connections(
    vouched,  # noqa: F811
    monkeypatch,
    settings,
    connections_kept_open,
):
    from masthead.content import variants

    closed = connections_kept_open
    # The meter in Redis, as in production: a read then needs no query at all.
    settings.PAYWALL_METER_STORE, settings.METER_REDIS_URL = "auto", REDIS_URL
    django = CountingHandler()
    app = lane.ReadingLane(django)
    path = metered_articles()[0].url
    get(app, path, cookie=f"mh_reader={_new_reader_cookies(1)[0]}")  # Django learns the route
    get(app, path, cookie=f"mh_reader={_new_reader_cookies(1)[0]}")  # warm
    calls, before = django.calls, len(closed)
    get(app, path, cookie=f"mh_reader={_new_reader_cookies(1)[0]}")
    assert (django.calls, len(closed)) == (calls, before), "a cached read touched the database"
    # No variant cached anywhere: the lane renders it from the page, with queries.
    monkeypatch.setattr(variants, "cached", lambda *args, **kwargs: None)
    monkeypatch.setattr(article_response, "_anonymous_pages", middleware.Memo(max_entries=1))
    monkeypatch.setattr(lane, "_answers", middleware.Memo(max_entries=1))
    answer = get(app, path, cookie=f"mh_reader={_new_reader_cookies(1)[0]}")
    assert answer["status"] == "200 OK" and django.calls == calls
    assert len(closed) == before + 1


def _new_reader_cookies(count: int) -> list[str]:
    from django.http import HttpResponse

    from masthead.paywall import identity

    cookies = []
    for _ in range(count):
        response = HttpResponse()
        identity.set_reader_cookie(response, identity.new_reader_id())
        cookies.append(response.cookies[identity.READER_COOKIE].value)
    return cookies


def test_nothing_is_kept_by_the_lane_when_the_process_cannot_vouch(monkeypatch):
    from masthead.core import generations

    monkeypatch.setattr(generations, "_listener", lambda: None)
    middleware._kept.clear()
    django = CountingHandler()
    app = lane.ReadingLane(django)
    path = demo_article("free").url
    first, again = get(app, path), get(app, path)
    assert first["body"] == again["body"]
    assert not kept_paths()


def test_the_sites_wsgi_application_is_the_lane_around_django():
    from masthead import wsgi

    assert isinstance(wsgi.application, lane.ReadingLane)
    assert wsgi.application.application is wsgi.django_application
