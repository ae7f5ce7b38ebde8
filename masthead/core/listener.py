"""A process's own copy of the generations, kept current by Redis pub/sub.

Asking the cache for the generations costs a network round trip on every
request, which is as much as the rest of a cached article. Instead each
app process subscribes to one channel on which every bump is published, and
reads its own copy. The copy is used only while the subscription is known to
be alive: it is (re)synchronised from the cache after each subscribe, and a
broken connection drops the process back to asking the cache per request
until it has subscribed and synchronised again. A bump reaches other
processes within the pub/sub latency (well under a millisecond on one
host); the per-request round trip had the same race between reading a
generation and the write that bumps it.

The same channel carries drops (``drop:<topic>:<key>``) for copies of values that
change one key at a time (``core.synced_memo``): each is handed to the dropper
registered for its topic. ``subscription`` counts the (re)subscriptions, so that
a copy can tell whether it was kept under the one that is listening now.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

RETRY_SECONDS = 1.0
DROP_PREFIX = "drop:"


class GenerationListener:
    def __init__(
        self,
        url: str,
        channel: str,
        read_values: Callable[[], dict[str, int]],
        *,
        on_sync: Callable[[], None] | None = None,
    ):
        self.url = url
        self.channel = channel
        self.read_values = read_values
        # Run at each (re)subscription, when Redis is reachable again.
        self.on_sync = on_sync
        self._values: dict[str, int] = {}
        self._droppers: dict[str, Callable[[str], None]] = {}
        # Moves at every (re)subscription: drops may have been lost in between.
        self.subscription = 0
        self._synced = False
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._client: redis.Redis | None = None
        self._stopped = threading.Event()
        # How the subscription's connection shows in Redis's CLIENT LIST.
        self.client_name = f"masthead-listener-{uuid.uuid4().hex[:12]}"

    def values(self) -> dict[str, int] | None:
        """The generations, or None when this process cannot vouch for them."""
        if self._pid != os.getpid():
            self._start()
        return self._values if self._synced else None

    def publish(self, name: str, value: int) -> None:
        # Listeners that miss it are resynchronised when they reconnect.
        self._publish(f"{name}={value}", "a generation bump")
        # This process's own copy moves now, not when its message comes back: the next
        # request this process serves (the page a write redirects to) must not wait on
        # the listener's thread being scheduled.
        self._apply_bump(name, value)

    def on_drop(self, topic: str, dropper: Callable[[str], None]) -> None:
        """Hand every ``topic`` drop heard on the channel to ``dropper`` (its key)."""
        self._droppers[topic] = dropper

    def publish_drop(self, topic: str, key: str) -> None:
        self._publish(f"{DROP_PREFIX}{topic}:{key}", f"a {topic} drop")

    def _publish(self, message: str, what: str) -> None:
        try:
            if self._client is None:
                self._client = redis.Redis.from_url(
                    self.url,
                    socket_timeout=settings.REDIS_TIMEOUT,
                    socket_connect_timeout=settings.REDIS_TIMEOUT,
                )
            self._client.publish(self.channel, message)
        except redis.RedisError:
            # Not the message: a drop's key may be a secret (a session id).
            logger.exception("could not publish %s", what)

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            # After a fork the parent's thread and connection are not ours.
            self._pid, self._synced, self._client = os.getpid(), False, None
            thread = threading.Thread(target=self._run, name="generation-listener", daemon=True)
            thread.start()

    def stop(self) -> None:
        self._stopped.set()

    def _run(self) -> None:
        failures = 0
        while not self._stopped.is_set():
            try:
                self._listen()
            except Exception as error:  # any failure: distrust the copy, resubscribe, resync
                failures += 1
                if failures == 1:
                    logger.warning("generation listener lost its subscription: %s", error)
            self._synced = False
            self._stopped.wait(RETRY_SECONDS)

    def _listen(self) -> None:
        client = redis.Redis.from_url(
            self.url,
            socket_connect_timeout=2,
            socket_keepalive=True,
            health_check_interval=5,
            client_name=self.client_name,
        )
        pubsub = client.pubsub()
        try:
            pubsub.subscribe(self.channel)
            confirmed = pubsub.get_message(timeout=2)
            if not confirmed or confirmed["type"] != "subscribe":
                raise redis.ConnectionError("no subscribe confirmation")
            # Subscribed first, read second: a bump in between arrives as a message.
            if self.on_sync is not None:
                # Before reading: what it bumps is then in the copy from the start.
                try:
                    self.on_sync()
                except Exception:  # the copy is still good; the next resync tries again
                    logger.exception("generation listener: on_sync failed")
            self._values = dict(self.read_values())
            self.subscription += 1
            self._synced = True
            while not self._stopped.is_set():
                message = pubsub.get_message(timeout=5)
                if message is None:
                    pubsub.ping()
                    continue
                if message["type"] == "message":
                    self._apply(message["data"])
        finally:
            pubsub.close()
            client.close()

    def _apply(self, data: bytes) -> None:
        text = data.decode()
        if text.startswith(DROP_PREFIX):
            topic, _, key = text.removeprefix(DROP_PREFIX).partition(":")
            dropper = self._droppers.get(topic)
            if dropper is not None:
                dropper(key)
            return
        name, _, value = text.partition("=")
        self._apply_bump(name, int(value))

    def _apply_bump(self, name: str, value: int) -> None:
        # Messages can overtake the resynchronising read; generations only grow.
        self._values = {**self._values, name: max(value, self._values.get(name, 0))}
