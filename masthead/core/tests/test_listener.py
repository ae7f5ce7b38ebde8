"""The per-process copy of the generations, against a real Redis server."""

from __future__ import annotations

import time
import uuid

import pytest
import redis

from masthead.core.listener import GenerationListener
from tests.support.subscriptions import REDIS_URL, cut_subscription
from tests.support.waiting import eventually

pytestmark = pytest.mark.redis


@pytest.fixture
def shared():
    """A stand-in for the shared cache the listener reads from when it (re)synchronises."""
    return {"site": 10, "content": 20, "comments": 30}


@pytest.fixture
def listener(shared):
    channel = f"test-generations-{uuid.uuid4().hex}"
    listener = GenerationListener(REDIS_URL, channel, lambda: dict(shared))
    yield listener
    listener.stop()


def test_a_bump_published_by_another_process_reaches_this_one(listener, shared):
    # Not vouched for until subscribed and synchronised (the unreachable test shows None).
    assert eventually(listener.values) == {"site": 10, "content": 20, "comments": 30}
    other_process = redis.Redis.from_url(REDIS_URL)
    other_process.publish(listener.channel, "content=21")
    eventually(lambda: listener.values()["content"] == 21)
    # A late message never moves a generation backwards.
    other_process.publish(listener.channel, "content=19")
    other_process.publish(listener.channel, "site=11")
    eventually(lambda: listener.values()["site"] == 11)
    assert listener.values()["content"] == 21


def test_a_bump_this_process_publishes_is_in_its_own_copy_at_once(listener, shared, monkeypatch):
    eventually(listener.values)
    # The listener's thread applies nothing it hears: only the publish can move the copy.
    monkeypatch.setattr(listener, "_apply", lambda data: None)

    listener.publish("content", 25)

    assert listener.values()["content"] == 25


def test_a_lost_subscription_is_distrusted_then_resynchronised(listener, shared):
    eventually(listener.values)
    # A bump this process cannot hear: made while its subscription is gone.
    assert cut_subscription(REDIS_URL, listener) == 1
    shared["content"] = 99
    # Back to asking the cache per request until it has subscribed and read again...
    eventually(lambda: listener.values() is None or listener.values()["content"] == 99)
    # ...and then it knows the bump it missed.
    assert eventually(lambda: (listener.values() or {}).get("content") == 99)


def test_an_unreachable_redis_means_the_copy_is_never_trusted(shared):
    listener = GenerationListener("redis://127.0.0.1:1/0", "nowhere", lambda: dict(shared))
    time.sleep(0.3)
    assert listener.values() is None
    listener.publish("site", 12)  # logs, never raises into the request
    listener.stop()


def test_each_subscription_runs_on_sync_before_the_copy_is_read(shared):
    calls = []

    def on_sync():
        calls.append(dict(shared))
        shared["content"] = 99  # what a replayed bump would do to the shared cache

    channel = f"test-generations-{uuid.uuid4().hex}"
    listener = GenerationListener(REDIS_URL, channel, lambda: dict(shared), on_sync=on_sync)
    try:
        assert eventually(listener.values)["content"] == 99
        assert len(calls) == 1
        assert cut_subscription(REDIS_URL, listener) == 1
        eventually(lambda: len(calls) == 2)
    finally:
        listener.stop()
