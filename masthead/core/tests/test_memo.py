"""The per-process memo: least-recently-used eviction, and reads without the lock."""

from __future__ import annotations

import sys
import threading

from masthead.core.memo import Memo


def test_the_least_recently_read_entry_is_the_one_evicted():
    memo = Memo(max_entries=2)
    memo.set("a", 1)
    memo.set("b", 2)
    assert memo.get("a") == 1  # "b" is now the least recently used
    memo.set("c", 3)
    assert (memo.get("a"), memo.get("b"), memo.get("c")) == (1, None, 3)


def test_readers_and_writers_in_many_threads_see_only_values_that_were_set():
    memo = Memo(max_entries=8)
    errors: list[BaseException] = []
    wrong: list[tuple] = []

    def work(offset: int) -> None:
        try:
            for n in range(20_000):
                key = (n + offset) % 32
                memo.set(key, key * 10)
                value = memo.get((key + 7) % 32)
                if value is not None and value != ((key + 7) % 32) * 10:
                    wrong.append((key, value))
        except BaseException as error:  # noqa: BLE001 - any error in a thread fails the test
            errors.append(error)

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(6)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch between almost any two bytecodes
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    assert wrong == []
    assert len(memo._entries) <= 8
