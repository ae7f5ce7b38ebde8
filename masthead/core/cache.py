"""The shared cache on Redis, for a site that must stay up while Redis is away."""

from __future__ import annotations

import logging

from django_redis.cache import RedisCache
from django_redis.client.default import DefaultClient, _main_exceptions
from django_redis.exceptions import ConnectionInterrupted

from masthead.core.redis_connection import ProcessConnection, connection_factory

logger = logging.getLogger(__name__)


class DegradingRedisCache(RedisCache):
    """django-redis with ``IGNORE_EXCEPTIONS``, and ``add`` that grants while Redis is away.

    With exceptions ignored, a read is a miss and a write is lost, which is what
    the site wants during an outage. ``add`` is the exception: allauth's rate
    limits take a lock with it and answer 429 when it fails, so every login
    would be refused. While Redis is unreachable the lock is granted; the
    limits it protects cannot be counted anyway, and the site stays usable.

    A single-key ``get`` (every signed-in request reads its session with one) goes
    over a connection of the process's own rather than through the pool; see
    ``core.redis_connection``. Errors are django-redis's: with exceptions ignored
    a failed read is logged and is a miss.
    """

    def get(self, key, default=None, version=None, client=None):
        redis_client = self.client
        if client is not None or type(redis_client) is not DefaultClient:
            return super().get(key, default=default, version=version, client=client)
        connection = self._process_connection
        if connection is None:
            connection = ProcessConnection(connection_factory(redis_client.get_client(write=False)))
            self._process_connection = connection
        try:
            value = connection.execute("GET", redis_client.make_key(key, version=version))
        except _main_exceptions as exc:
            if not self._ignore_exceptions:
                raise
            if self._log_ignored_exceptions:
                self.logger.exception("Exception ignored", exc_info=exc)
            return default
        return default if value is None else redis_client.decode(value)

    _process_connection: ProcessConnection | None = None

    def add(self, *args, **kwargs):
        try:
            return self.client.add(*args, **kwargs)
        except ConnectionInterrupted:
            logger.warning("cache unreachable: add() granted without a lock", exc_info=True)
            return True
