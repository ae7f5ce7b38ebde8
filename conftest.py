"""Fixtures shared by every app's tests and the browser journeys."""

import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings

_media_root = tempfile.mkdtemp(prefix="masthead-test-media-")


@pytest.fixture(scope="session", autouse=True)
def _test_media_root():
    # In-process tests need no collectstatic run: plain storage, no manifest.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # WhiteNoise warns on every request when STATIC_ROOT does not exist yet.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    # In-process tests clear the shared cache between tests, which no listener hears,
    # and write events inside each test's transaction; both background threads have
    # tests of their own and run in every live (gunicorn) site.
    overrides = {
        "MEDIA_ROOT": _media_root,
        "STORAGES": storages,
        "GENERATION_LISTENER": False,
        "INSIGHTS_BACKGROUND_FLUSH": False,
        # Tasks (e-mail, Wagtail's indexing) run at once, as a test reads their results
        # right away; the queue and its worker have tests of their own (masthead/mail).
        "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    }
    if not settings.REDIS_URL:
        # In-process tests share one process: memory is the faster stand-in for files.
        overrides["CACHES"] = {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        }
    with override_settings(**overrides):
        yield
    shutil.rmtree(_media_root, ignore_errors=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, _test_media_root):
    """Load the demo publication once into the test database."""
    with django_db_blocker.unblock():
        call_command("load_demo", verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The page cache and the meter may live in a Redis shared with other runs.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def live_site(tmp_path_factory):
    """The real site under gunicorn (2 workers) on its own database, with the demo loaded.

    Uses PostgreSQL and Redis when the run has DATABASE_URL and REDIS_URL,
    SQLite and local caches otherwise.
    """
    from tests.support.live_site import LiveSite

    site = LiveSite(workdir=tmp_path_factory.mktemp("live-site"))
    site.start()
    yield site
    site.stop()


@pytest.fixture
def listening(monkeypatch):
    """This process on Redis, with a listener that vouches for its generations and
    subscription (so the per-process copies are used)."""
    from tests.support.subscriptions import REDIS_URL, listening_on_redis

    with listening_on_redis(REDIS_URL, monkeypatch) as listener:
        yield listener
