"""``ProcessConnection``: one command, one reply, on a connection of the process's own."""

from __future__ import annotations

import pytest
import redis

from masthead.core.redis_connection import ProcessConnection, connection_factory
from masthead.core.tests.test_cache_get import REDIS_URL, server  # noqa: F401

pytestmark = pytest.mark.redis


def test_commands_go_out_as_redis_py_sends_them_and_bad_arguments_are_refused(server):  # noqa: F811
    client = redis.Redis.from_url(REDIS_URL)
    connection = ProcessConnection(connection_factory(client))
    key = "test-process-connection"
    assert connection.execute("SET", key, "Café – naïve") == b"OK"
    assert connection.execute("SADD", f"{key}:set", 1, 2, 2, "3") == 3
    assert client.smembers(f"{key}:set") == {b"1", b"2", b"3"}
    assert connection.execute("GET", key).decode() == "Café – naïve"
    with pytest.raises(redis.DataError):
        connection.execute("SET", key, {"not": "sendable"})
    with pytest.raises(redis.ResponseError):
        connection.execute("INCR", key)  # not an integer: the server's own error
    # Neither error leaves the connection unusable.
    assert connection.execute("GET", key).decode() == "Café – naïve"
    client.delete(key, f"{key}:set")
