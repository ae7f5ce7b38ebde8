"""The newsletter sign-up at an article's foot costs anonymous readers nothing per view."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from masthead.content.tests.helpers import demo_article
from masthead.newsletters.models import Audience, Newsletter
from masthead.reading import slots

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsletter():
    return Newsletter.objects.create(
        name="Foot Brief", slug="foot-brief", audience=Audience.EVERYONE
    )


def test_the_foot_form_adds_no_query_and_no_cache_call_for_anonymous_readers(
    newsletter, monkeypatch, django_assert_num_queries
):
    article = demo_article("free")
    counted = count_cache_calls(monkeypatch)

    def warm_view() -> str:
        for _ in range(2):
            Client().get(article.url)
        counted.clear()
        with django_assert_num_queries(0):
            page = Client().get(article.url).content.decode()
        return page, sum(counted.values())

    with_form, calls_with = warm_view()
    monkeypatch.setitem(slots.FILLERS, "newsletter", lambda reading: "")
    without_form, calls_without = warm_view()
    assert "newsletter-foot" in with_form and "newsletter-foot" not in without_form
    assert calls_with == calls_without


def count_cache_calls(monkeypatch) -> dict:
    counted: dict[str, int] = {}
    backend = cache._connections[cache._alias] if hasattr(cache, "_connections") else None
    target = backend or cache
    for name in ("get", "get_many", "set", "set_many", "add", "incr", "delete", "has_key"):
        original = getattr(target, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            counted[_name] = counted.get(_name, 0) + 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(target, name, spy)
    return counted
