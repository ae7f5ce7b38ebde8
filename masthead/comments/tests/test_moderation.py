"""What a moderator sees in the admin: which article a comment is on, and the comment as read."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from masthead.comments.models import Comment
from masthead.comments.rendering import render_markdown
from masthead.content.models import ArticlePage

pytestmark = pytest.mark.django_db

MARKDOWN = "The **levee** report is _wrong_ <script>x()</script>"


@pytest.fixture
def moderator() -> Client:
    user = get_user_model().objects.create_superuser("chief", "chief@example.org", None)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def comment() -> Comment:
    writer = get_user_model().objects.create_user("ruth", "ruth@example.org", None)
    article = ArticlePage.objects.live().order_by("pk").first()
    return Comment.objects.create(
        article=article, author=writer, body_markdown=MARKDOWN, body_html=render_markdown(MARKDOWN)
    )


def test_the_listing_names_and_links_the_article_and_shows_no_markdown(moderator, comment):
    listing = moderator.get(reverse("wagtailsnippets_comments_comment:list"))
    assert listing.status_code == 200
    text = listing.content.decode()
    article = comment.article
    assert f'href="{article.url}#comment-{comment.pk}"' in text
    assert article.title in text
    assert "The levee report is wrong" in text
    assert "**levee**" not in text and "_wrong_" not in text
    assert "<script>x()" not in text
    edit_url = reverse("wagtailsnippets_comments_comment:edit", args=[comment.pk])
    assert f'href="{edit_url}"' in text


def test_the_moderation_form_shows_the_article_and_the_rendered_comment(moderator, comment):
    edit_url = reverse("wagtailsnippets_comments_comment:edit", args=[comment.pk])
    form = moderator.get(edit_url)
    assert form.status_code == 200
    text = form.content.decode()
    article = comment.article
    assert f'href="{article.url}#comment-{comment.pk}"' in text
    assert article.title in text
    assert reverse("wagtailadmin_pages:edit", args=[article.pk]) in text
    assert "<strong>levee</strong>" in text and "<em>wrong</em>" in text
    assert "**levee**" not in text
    assert "<script>x()" not in text

    # The form still acts on the comment.
    done = moderator.post(edit_url, {"action": "hide", "reason": "Off topic"})
    assert done.status_code == 302
    comment.refresh_from_db()
    assert comment.status == "hidden"
