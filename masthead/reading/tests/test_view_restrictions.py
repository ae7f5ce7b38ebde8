"""Attack: read an article an editor has just made private, from the caches.

The article is served (and so cached: its route, its variants, the shared page
cache) while public; then an editor sets its privacy in Wagtail's admin, as an
editor would, and readers without the password or a login ask again.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from wagtail.models import Page, PageViewRestriction

from masthead.content.tests.helpers import demo_article, last_paragraph
from masthead.core import generations

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor() -> Client:
    user = get_user_model().objects.create_superuser("desk", "desk@example.org", "pw-for-desk-1")
    client = Client()
    client.force_login(user)
    return client


def warm(article) -> str:
    """Serve the article whole to anonymous readers until every cache holds it."""
    for _ in range(3):
        response = Client().get(article.url, follow=True)
        assert response.status_code == 200
    return last_paragraph(article.slug)


def set_privacy(editor: Client, page: Page, **form) -> None:
    response = editor.post(reverse("wagtailadmin_pages:set_privacy", args=[page.pk]), form)
    assert response.status_code == 200, response.content[:500]
    assert PageViewRestriction.objects.filter(page=page).exists() == (
        form["restriction_type"] != "none"
    )


@pytest.mark.parametrize("access", ["free", "metered"])
def test_attack_read_a_cached_article_after_the_editor_requires_a_login(editor, access):
    article = demo_article(access)
    secret = warm(article)
    set_privacy(editor, article, restriction_type="login")
    response = Client().get(article.url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert secret not in Client().get(article.url, follow=True).content.decode()


def test_attack_read_a_cached_article_after_the_editor_sets_a_password(editor):
    article = demo_article("free")
    secret = warm(article)
    set_privacy(editor, article, restriction_type="password", password="s3cret-word")
    response = Client().get(article.url, follow=True)
    page = response.content.decode()
    assert secret not in page
    assert 'name="password"' in page


def test_attack_read_a_cached_article_after_its_section_is_made_private(editor):
    article = demo_article("free")
    secret = warm(article)
    set_privacy(editor, article.get_parent(), restriction_type="login")
    assert secret not in Client().get(article.url, follow=True).content.decode()
    listing = Client().get(article.get_parent().url)
    assert listing.status_code == 302


def test_lifting_the_restriction_serves_the_article_again(editor):
    article = demo_article("free")
    secret = warm(article)
    set_privacy(editor, article, restriction_type="login")
    assert secret not in Client().get(article.url, follow=True).content.decode()
    set_privacy(editor, article, restriction_type="none")
    assert secret in Client().get(article.url, follow=True).content.decode()


def test_a_restriction_bumps_again_once_committed(django_capture_on_commit_callbacks):
    """Another process that read the restriction table before the commit keeps nothing."""
    article = demo_article("free")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        PageViewRestriction.objects.create(page=article, restriction_type="login")
        during = generations.current(None, generations.CONTENT)
    for callback in callbacks:
        callback()
    assert generations.current(None, generations.CONTENT) != during
