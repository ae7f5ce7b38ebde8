"""A generation listener for in-process tests on a real Redis, and cutting its
subscription as a network fault would.

Only the listener's own connection is cut: other test processes on the same Redis (the
other CI pass, live sites) keep theirs.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from django.core.cache import cache
from django.test import override_settings

from masthead.core import generations
from masthead.core.listener import GenerationListener
from masthead.settings import redis_cache
from tests.support.waiting import eventually

# The Redis that in-process tests needing a real one use.
REDIS_URL = os.environ.get("TEST_REDIS_URL") or os.environ.get(
    "REDIS_URL", "redis://127.0.0.1:6379/13"
)


@contextmanager
def listening_on_redis(redis_url: str, monkeypatch) -> Iterator[GenerationListener]:
    """This process on Redis as its cache, with a listener of its own that vouches for
    its generations (and so lets the per-process copies be used)."""
    with override_settings(CACHES={"default": redis_cache(redis_url)}):
        cache.clear()
        listener = GenerationListener(
            redis_url, f"test-generations-{uuid.uuid4().hex}", generations._read_all
        )
        monkeypatch.setattr(generations, "_listener", lambda: listener)
        try:
            eventually(listener.values)
            yield listener
        finally:
            listener.stop()
            cache.clear()


def cut_subscription(redis_url: str, listener) -> int:
    """Kill the listener's pub/sub connection; how many connections were killed."""
    admin = redis.Redis.from_url(redis_url)
    killed = 0
    for client in admin.client_list(_type="pubsub"):
        if client.get("name") == listener.client_name:
            killed += admin.client_kill_filter(_id=client["id"])
    return killed
