"""Attack by fault: unpublish while Redis is away, then Redis comes back with its old data.

The bump that would have made every cached copy stale cannot reach Redis; it is
kept in the database with the change and made when Redis is reachable again
(``generations.replay_missed``, which every process's listener runs when it
resubscribes). No reader gets the unpublished article from a cache.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from masthead.content.tests.helpers import demo_article, last_paragraph
from masthead.core import generations
from masthead.core.models import MissedBump
from masthead.settings import redis_cache
from tests.support.subscriptions import REDIS_URL

pytestmark = [pytest.mark.django_db, pytest.mark.redis]
NOWHERE = "redis://127.0.0.1:1/0"


def test_an_article_unpublished_while_redis_is_away_is_never_served_once_it_is_back():
    article = demo_article("free")
    secret = last_paragraph(article.slug)
    editor = Client()
    editor.force_login(get_user_model().objects.create_superuser("desk", "desk@example.org", "x"))
    with override_settings(CACHES={"default": redis_cache(REDIS_URL)}):
        cache.clear()
        for _ in range(3):
            assert secret in Client().get(article.url).content.decode()
        content_before = generations.current(None, generations.CONTENT)
    try:
        with override_settings(CACHES={"default": redis_cache(NOWHERE)}):
            response = editor.post(reverse("wagtailadmin_pages:unpublish", args=[article.pk]))
            assert response.status_code == 302
            assert Client().get(article.url).status_code == 404
        assert MissedBump.objects.filter(name=generations.CONTENT).exists()

        with override_settings(CACHES={"default": redis_cache(REDIS_URL)}):
            # Redis is back with the data it had: the old generation, route and variants.
            assert generations.current(None, generations.CONTENT) == content_before
            assert generations.replay_missed() >= 1
            assert generations.current(None, generations.CONTENT) != content_before
            response = Client().get(article.url)
            assert response.status_code == 404
            assert secret not in response.content.decode()
        assert not MissedBump.objects.exists()
    finally:
        with override_settings(CACHES={"default": redis_cache(REDIS_URL)}):
            cache.clear()
