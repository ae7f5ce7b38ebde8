"""``ReadingLane``: the process page memo answered before Django's handler.

Driven as the WSGI server drives it (``masthead.wsgi.application`` is the lane
around Django's handler): a kept page comes back with the same status, headers
and bytes as Django's own answer, the read is still recorded, and everything the
memo does not hold goes the full way.
"""

from __future__ import annotations

import io
import sys

import pytest
from django.core.handlers.wsgi import WSGIHandler

from masthead.content.tests.helpers import demo_article
from masthead.insights import events
from masthead.insights.models import EventKind, ReaderEvent
from masthead.paywall.tests.conftest import metered_articles
from masthead.reading import lane, middleware
from masthead.reading.tests.test_process_memo import kept_paths, vouched  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


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


def test_a_kept_page_is_answered_before_django_with_the_same_status_headers_and_bytes(vouched):  # noqa: F811
    django = CountingHandler()
    app = lane.ReadingLane(django)
    for path in (demo_article("free").url, "/"):
        first = get(app, path)
        assert first["status"] == "200 OK"
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


def test_what_the_memo_does_not_hold_goes_to_django(vouched):  # noqa: F811
    django = CountingHandler()
    app = lane.ReadingLane(django)
    free = demo_article("free").url
    get(app, free)
    metered = metered_articles()[0].url
    for path, query, cookie in [
        (free, "utm_source=x", ""),  # a query string
        (free, "", "sessionid=abc"),  # a session
        (free, "", "messages=abc"),  # a flash message waiting
        (metered, "", ""),  # never kept
    ]:
        calls = django.calls
        answer = get(app, path, query=query, cookie=cookie)
        assert django.calls == calls + 1, (path, query, cookie)
        assert answer["status"].split()[0] in {"200", "302"}
    assert metered not in kept_paths()


def test_nothing_is_answered_by_the_lane_when_the_process_cannot_vouch(monkeypatch):
    from masthead.core import generations

    monkeypatch.setattr(generations, "_listener", lambda: None)
    middleware._kept.clear()
    django = CountingHandler()
    app = lane.ReadingLane(django)
    path = demo_article("free").url
    get(app, path)
    get(app, path)
    assert django.calls == 2


def test_the_sites_wsgi_application_is_the_lane_around_django():
    from masthead import wsgi

    assert isinstance(wsgi.application, lane.ReadingLane)
    assert wsgi.application.application is wsgi.django_application
