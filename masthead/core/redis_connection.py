"""One connection per process to a Redis server, for the calls nearly every request makes."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import hiredis
import redis


class ProcessConnection:
    """A connection of this process's own, outside redis-py's pool.

    The pool costs as much again as the round trip itself for each command: a
    readiness poll of the socket, two timeout changes, its lock. The meter's
    check-and-record and the session read run on every request that carries
    them, so each keeps one connection per process, opened on first use, and
    dropped on any error; the next call opens a new one, so an outage and a
    restart behave as with the pool (an error now, a working call later).
    """

    def __init__(self, make_connection: Callable[[], redis.Connection]):
        self._make_connection = make_connection
        self._lock = threading.Lock()
        self._connection: redis.Connection | None = None
        self._pid = 0

    def execute(self, *args):
        """The reply to one command; a server error (ResponseError) leaves the connection open."""
        with self._lock:
            # After a fork the parent's socket is not this process's to use.
            if self._connection is None or self._pid != os.getpid():
                self._connection = self._make_connection()
                self._pid = os.getpid()
            connection = self._connection
            try:
                connection.send_packed_command(_packed(args))
                return connection.read_response()
            except redis.exceptions.ResponseError:
                raise
            except (redis.RedisError, OSError):
                connection.disconnect()
                raise


def _packed(args: tuple) -> list[bytes]:
    """The command as redis-py's hiredis packer sends it, without its per-call checks
    (a command name with spaces in it, memoryview arguments), which these calls never
    need: a plain command name and str, bytes or int arguments."""
    try:
        return [hiredis.pack_command(args)]
    except TypeError as error:  # as redis-py reports an argument it cannot send
        raise redis.DataError(str(error)) from error


def connection_factory(client: redis.Redis) -> Callable[[], redis.Connection]:
    """New connections like the ones ``client``'s pool would make."""
    pool = client.connection_pool
    return lambda: pool.connection_class(**pool.connection_kwargs)
