"""Copies kept per process and dropped by key across processes, against a real Redis."""

from __future__ import annotations

import time
import uuid

import pytest
import redis

from masthead.core import generations
from masthead.core.listener import GenerationListener
from masthead.core.synced_memo import SyncedMemo
from tests.support.subscriptions import REDIS_URL, cut_subscription
from tests.support.waiting import eventually

pytestmark = pytest.mark.redis


@pytest.fixture
def listener(monkeypatch):
    listener = GenerationListener(
        REDIS_URL, f"test-generations-{uuid.uuid4().hex}", lambda: {"site": 1}
    )
    monkeypatch.setattr(generations, "_listener", lambda: listener)
    eventually(listener.values)
    yield listener
    listener.stop()


def other_process_drops(listener: GenerationListener, topic: str, key: str) -> None:
    """What ``SyncedMemo.drop`` in another process sends."""
    redis.Redis.from_url(REDIS_URL).publish(listener.channel, f"drop:{topic}:{key}")


def kept(memo: SyncedMemo, key: str):
    token = memo.token()
    return None if token is None else memo.get(key, token)


def test_a_copy_is_kept_until_another_process_drops_it(listener):
    memo = SyncedMemo("thing", max_entries=10, max_age=60)
    memo.keep("a", "value of a", memo.token())
    memo.keep("b", "value of b", memo.token())
    assert kept(memo, "a") == "value of a"

    other_process_drops(listener, "thing", "a")

    assert eventually(lambda: kept(memo, "a") is None)
    assert kept(memo, "b") == "value of b", "a drop is for its own key only"


def test_a_drop_on_another_topic_leaves_the_copy_alone(listener):
    memo = SyncedMemo("thing", max_entries=10, max_age=60)
    other = SyncedMemo("other", max_entries=10, max_age=60)
    memo.keep("a", "value of a", memo.token())
    other.keep("a", "other a", other.token())

    other_process_drops(listener, "other", "a")

    eventually(lambda: kept(other, "a") is None)
    assert kept(memo, "a") == "value of a"


def test_a_value_read_while_a_drop_arrived_is_not_kept(listener):
    memo = SyncedMemo("thing", max_entries=10, max_age=60)
    token = memo.token()  # taken before reading the shared store...
    other_process_drops(listener, "thing", "a")  # ...which changes while it is read
    eventually(lambda: memo.token() != token)

    memo.keep("a", "the value before the change", token)

    assert kept(memo, "a") is None


def test_dropping_here_forgets_at_once_and_tells_the_others(listener):
    memo = SyncedMemo("thing", max_entries=10, max_age=60)
    memo.keep("a", "value of a", memo.token())
    heard = redis.Redis.from_url(REDIS_URL).pubsub()
    heard.subscribe(listener.channel)
    assert heard.get_message(timeout=2)["type"] == "subscribe"

    memo.drop("a")

    assert kept(memo, "a") is None
    message = heard.get_message(timeout=2)
    assert message is not None and message["data"] == b"drop:thing:a"
    heard.close()


def test_a_lost_subscription_distrusts_every_copy_kept_before_it(listener):
    memo = SyncedMemo("thing", max_entries=10, max_age=60)
    memo.keep("a", "value of a", memo.token())
    before = listener.subscription
    # Drops sent while the subscription is gone are lost; the copy must not outlive that.
    assert cut_subscription(REDIS_URL, listener) == 1

    eventually(lambda: listener.values() is not None and listener.subscription > before)

    assert kept(memo, "a") is None
    memo.keep("a", "read again", memo.token())
    assert kept(memo, "a") == "read again"


def test_a_copy_lives_no_longer_than_its_max_age(listener):
    memo = SyncedMemo("thing", max_entries=10, max_age=0.2)
    memo.keep("a", "value of a", memo.token())
    assert kept(memo, "a") == "value of a"
    time.sleep(0.25)
    assert kept(memo, "a") is None


def test_without_a_listener_nothing_is_trusted(monkeypatch):
    monkeypatch.setattr(generations, "_listener", lambda: None)
    memo = SyncedMemo("thing", max_entries=10, max_age=60)
    assert memo.token() is None
    memo.drop("a")  # nothing to tell: no error
