"""METER_REDIS_URL: the meter in a Redis of its own, apart from the cache's REDIS_URL."""

from __future__ import annotations

import html
import os

import pytest
import redis
from django.test import Client, override_settings

from masthead.paywall.tests.conftest import gated_sentence, metered_articles

pytestmark = pytest.mark.django_db

METER_REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
NOWHERE = "redis://127.0.0.1:1/0"


@pytest.fixture
def new_meter_sets():
    """The readers' meter sets a test made in the meter's Redis (deleted afterwards)."""
    client = redis.Redis.from_url(METER_REDIS)
    before = set(client.scan_iter("meter:*"))

    def made() -> dict[bytes, set[bytes]]:
        keys = set(client.scan_iter("meter:*")) - before
        return {key: client.smembers(key) for key in keys if client.type(key) == b"set"}

    yield made
    if keys := set(client.scan_iter("meter:*")) - before:
        client.delete(*keys)


def test_the_meter_counts_in_its_own_redis_while_the_caches_redis_is_elsewhere(
    new_meter_sets,
):
    article = metered_articles()[0]
    # The cache's Redis leads nowhere: a meter still on REDIS_URL would be unavailable
    # and the reader would get the teaser.
    with override_settings(
        METER_REDIS_URL=METER_REDIS, REDIS_URL=NOWHERE, PAYWALL_METER_STORE="auto"
    ):
        page = html.unescape(Client().get(article.url, follow=True).content.decode())
    assert gated_sentence(article) in page
    assert list(new_meter_sets().values()) == [{str(article.pk).encode()}]


def test_without_its_own_url_the_meter_shares_the_caches_redis(new_meter_sets):
    article = metered_articles()[1]
    with override_settings(METER_REDIS_URL="", REDIS_URL=METER_REDIS, PAYWALL_METER_STORE="auto"):
        page = html.unescape(Client().get(article.url, follow=True).content.decode())
    assert gated_sentence(article) in page
    assert list(new_meter_sets().values()) == [{str(article.pk).encode()}]


def test_a_redis_that_forgot_the_meter_script_still_counts_the_read(new_meter_sets):
    """A restarted (or SCRIPT FLUSHed) Redis no longer knows the script's SHA the
    processes loaded; the next read loads it again instead of failing to the teaser."""
    articles = metered_articles()[2:4]
    with override_settings(METER_REDIS_URL=METER_REDIS, PAYWALL_METER_STORE="auto"):
        reader = Client()
        first = html.unescape(reader.get(articles[0].url, follow=True).content.decode())
        redis.Redis.from_url(METER_REDIS).script_flush()
        second = html.unescape(reader.get(articles[1].url, follow=True).content.decode())
    assert gated_sentence(articles[0]) in first
    assert gated_sentence(articles[1]) in second
    assert list(new_meter_sets().values()) == [{str(a.pk).encode() for a in articles}]
