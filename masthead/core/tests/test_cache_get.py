"""The shared cache's single-key read over the process's own Redis connection."""

from __future__ import annotations

import logging
import os

import pytest
import redis

from masthead.core.cache import DegradingRedisCache

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def _cache(url: str = REDIS_URL, **options) -> DegradingRedisCache:
    return DegradingRedisCache(
        url,
        {
            "KEY_PREFIX": "test-cache-get",
            "OPTIONS": {"SOCKET_TIMEOUT": 1, "SOCKET_CONNECT_TIMEOUT": 1, **options},
        },
    )


@pytest.fixture
def server():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.fail(f"these tests need a Redis at {REDIS_URL}")
    return redis.Redis.from_url(REDIS_URL)


def test_it_reads_what_django_redis_wrote_with_versions_and_defaults(server):
    cache = _cache()
    value = {"user": 7, "text": "Café – naïve"}
    cache.set("session-a", value)
    cache.set("session-a", "v2", version=2)
    assert cache.get("session-a") == value
    assert cache.get("session-a", version=2) == "v2"
    assert cache.get("no-such-key") is None
    assert cache.get("no-such-key", default="fallback") == "fallback"
    cache.set("small-int", 5)
    assert cache.get("small-int") == 5
    cache.delete("session-a")
    assert cache.get("session-a") is None


def test_a_dropped_connection_is_one_miss_and_the_next_read_reconnects(server, caplog):
    cache = _cache(IGNORE_EXCEPTIONS=True)
    cache._log_ignored_exceptions = True
    cache.set("kept", "value")
    assert cache.get("kept") == "value"
    # The server closes the cache's connection, as a restart would (only that one:
    # other test runs share this server).
    own_id = cache._process_connection.execute("CLIENT", "ID")
    server.client_kill_filter(_id=own_id)
    with caplog.at_level(logging.ERROR):
        first = cache.get("kept")
    assert first is None
    assert "Exception ignored" in caplog.text
    assert cache.get("kept") == "value"
    assert cache._process_connection.execute("CLIENT", "ID") != own_id


def test_without_ignore_exceptions_an_unreachable_server_raises():
    cache = _cache("redis://127.0.0.1:1/0")
    with pytest.raises(redis.ConnectionError):
        cache.get("anything")


def test_with_ignore_exceptions_an_unreachable_server_is_a_logged_miss(caplog):
    cache = _cache("redis://127.0.0.1:1/0", IGNORE_EXCEPTIONS=True)
    cache._log_ignored_exceptions = True
    with caplog.at_level(logging.ERROR):
        assert cache.get("anything", default="d") == "d"
    assert "Exception ignored" in caplog.text
