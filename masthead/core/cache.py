"""The shared cache on Redis, for a site that must stay up while Redis is away."""

from __future__ import annotations

import logging

from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted

logger = logging.getLogger(__name__)


class DegradingRedisCache(RedisCache):
    """django-redis with ``IGNORE_EXCEPTIONS``, and ``add`` that grants while Redis is away.

    With exceptions ignored, a read is a miss and a write is lost, which is what
    the site wants during an outage. ``add`` is the exception: allauth's rate
    limits take a lock with it and answer 429 when it fails, so every login
    would be refused. While Redis is unreachable the lock is granted; the
    limits it protects cannot be counted anyway, and the site stays usable.
    """

    def add(self, *args, **kwargs):
        try:
            return self.client.add(*args, **kwargs)
        except ConnectionInterrupted:
            logger.warning("cache unreachable: add() granted without a lock", exc_info=True)
            return True
