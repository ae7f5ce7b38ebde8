"""Per-process copies of shared values that change one key at a time, dropped in every
process when one changes.

The other memos are keyed by generations: a change moves a generation and everything
made under it misses. That suits values that change rarely and together. Sessions
change one at a time (a login, a logout, a renewal) and there are as many as
readers; one generation for all of them would empty every process's copies at each
login. Here a change drops its one key here at once, and in every other process
when the generation listener hears it on its channel.

Fail closed, as the generations do:

- A copy is trusted only while the listener vouches for its subscription, and only
  if it was kept under that same subscription: a lost subscription may have lost
  drops, so every copy kept before it is distrusted.
- A value read from the shared store is kept only if no drop was heard while it was
  being read, so a drop that overtakes the read cannot be undone by it.
- A copy lives at most ``max_age`` seconds whatever happens.

A change reaches other processes within the pub/sub latency (well under a
millisecond on one host), as a generation bump does.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Hashable

from masthead.core import generations
from masthead.core.memo import Memo


class SyncedMemo:
    def __init__(self, topic: str, *, max_entries: int, max_age: float):
        if ":" in topic:
            raise ValueError("a topic is the part of a drop message before its key's colon")
        self.topic = topic
        self.max_age = max_age
        self._entries = Memo(max_entries=max_entries)
        self._drops = itertools.count(1)
        self._last_drop = 0
        # Keeping checks the token and stores in one step, so that no drop falls between.
        self._lock = threading.Lock()

    def token(self) -> tuple[int, int] | None:
        """What ``get`` and ``keep`` need; None when no copy may be trusted now.

        Take it before reading the shared store, and give it to ``keep`` after.
        """
        listener = generations.listener()
        if listener is None or listener.values() is None:
            return None
        listener.on_drop(self.topic, self._heard)
        return (listener.subscription, self._last_drop)

    def get(self, key: str, token: tuple[int, int]):
        entry = self._entries.get(key)
        if entry is None:
            return None
        subscription, expires_at, value = entry
        if subscription != token[0] or expires_at <= time.monotonic():
            return None
        return value

    def keep(self, key: str, value, token: tuple[int, int]) -> None:
        """Keep ``value`` unless a drop was heard (or the subscription changed) since ``token``."""
        with self._lock:
            if self.token() != token:
                return
            self._entries.set(key, (token[0], time.monotonic() + self.max_age, value))

    def drop(self, key: str) -> None:
        """Forget ``key`` here, now, and in every other process as soon as it hears."""
        self._heard(key)
        listener = generations.listener()
        if listener is not None:
            listener.publish_drop(self.topic, key)

    def _heard(self, key: Hashable) -> None:
        with self._lock:
            self._last_drop = next(self._drops)
            self._entries.pop(key)
