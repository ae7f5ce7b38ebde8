"""Waiting in tests for something another thread or process makes true."""

from __future__ import annotations

import time


def eventually(check, seconds: float = 5.0):
    """``check()``'s first truthy value within ``seconds``; fails the test otherwise."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("condition not met in time")
