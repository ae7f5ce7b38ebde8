from django.apps import AppConfig
from django.conf import settings
from django.core import signals
from django.core.cache import close_caches

# Backends whose close() does nothing with the options given here: they keep their
# connections (or have none) across requests on purpose.
_CLOSE_IS_A_NO_OP = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.filebased.FileBasedCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.db.DatabaseCache",
}
_DJANGO_REDIS = {"masthead.core.cache.DegradingRedisCache", "django_redis.cache.RedisCache"}


def closing_caches_does_nothing(caches: dict) -> bool:
    """Whether Django's close_caches, run after every response, would close anything."""
    for config in caches.values():
        backend = config.get("BACKEND", "")
        if backend in _DJANGO_REDIS:
            close = config.get("OPTIONS", {}).get(
                "CLOSE_CONNECTION", getattr(settings, "DJANGO_REDIS_CLOSE_CONNECTION", False)
            )
            if close:
                return False
        elif backend not in _CLOSE_IS_A_NO_OP:
            return False
    return True


class CoreConfig(AppConfig):
    name = "masthead.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Walking every cache's thread-local after each response costs about as much as
        # a cached page's own work; with caches that close nothing it is dropped.
        if closing_caches_does_nothing(settings.CACHES):
            signals.request_finished.disconnect(close_caches)
