"""Django's close_caches after every response is dropped only where it would close nothing."""

from __future__ import annotations

from django.core import signals
from django.core.cache import close_caches
from django.test import override_settings

from masthead.core.apps import closing_caches_does_nothing
from masthead.settings import redis_cache


def test_the_site_caches_close_nothing_so_django_does_not_walk_them_after_each_response():
    assert closing_caches_does_nothing({"default": redis_cache("redis://127.0.0.1:6379/0")})
    assert closing_caches_does_nothing(
        {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache"}}
    )
    # disconnect() says whether the receiver was connected.
    assert signals.request_finished.disconnect(close_caches) is False


def test_a_cache_that_closes_its_connections_keeps_djangos_close_caches():
    memcached = {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache"}
    assert not closing_caches_does_nothing({"default": memcached})
    closing = redis_cache("redis://127.0.0.1:6379/0")
    closing["OPTIONS"] = {**closing["OPTIONS"], "CLOSE_CONNECTION": True}
    assert not closing_caches_does_nothing({"default": closing})
    with override_settings(DJANGO_REDIS_CLOSE_CONNECTION=True):
        assert not closing_caches_does_nothing({"default": redis_cache("redis://h:1/0")})
