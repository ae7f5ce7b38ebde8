"""Cutting one generation listener's subscription on a real Redis, as a network fault would.

Only the listener's own connection: other test processes on the same Redis (the other
CI pass, live sites) keep theirs.
"""

from __future__ import annotations

import redis


def cut_subscription(redis_url: str, listener) -> int:
    """Kill the listener's pub/sub connection; how many connections were killed."""
    admin = redis.Redis.from_url(redis_url)
    killed = 0
    for client in admin.client_list(_type="pubsub"):
        if client.get("name") == listener.client_name:
            killed += admin.client_kill_filter(_id=client["id"])
    return killed
