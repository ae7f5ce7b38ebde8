"""A small per-process memo for values derived from cached content.

Keys carry the generations the value was made under, so a bump simply
misses; old entries fall out in least-recently-used order.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


class Memo:
    def __init__(self, max_entries: int = 2000):
        self.max_entries = max_entries
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        # No lock: a read is asked for many times on every request, and each of these
        # OrderedDict calls is atomic under the GIL. Only the writer's evict loop locks.
        value = self._entries.get(key)
        if value is not None:
            try:
                self._entries.move_to_end(key)
            except KeyError:  # evicted by another thread in between; still a good value
                pass
        return value

    def set(self, key: Hashable, value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def get_or_set(self, key: Hashable, make: Callable[[], T]) -> T:
        value = self.get(key)
        if value is None:
            value = make()
            self.set(key, value)
        return value

    def pop(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
