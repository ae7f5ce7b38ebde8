"""Synthetic comments: threads on some articles of a bulk-loaded archive, counts kept true."""

from collections import Counter

import pytest
from django.core.cache import cache

from masthead.comments import selectors
from masthead.comments.models import Comment, CommentStatus
from masthead.comments.synthetic import add_synthetic_comments
from masthead.content.models import ArticlePage, ArticleStats
from masthead.content.synthetic import add_synthetic_articles

pytestmark = pytest.mark.django_db


def test_synthetic_comments_are_threads_and_the_cards_count_them(client):
    ids = add_synthetic_articles(count=300, seed=4)
    added = add_synthetic_comments(ids, seed=5)
    comments = Comment.objects.filter(article_id__in=ids)
    assert added == comments.count() > 0
    per_article = Counter(comments.values_list("article_id", flat=True))
    # Most articles have none, a few have a long thread.
    assert len(per_article) < len(ids) / 2
    assert max(per_article.values()) >= 10
    replies = comments.filter(parent__isnull=False).select_related("parent")
    assert replies.exists()
    for reply in replies:
        assert reply.parent.parent_id is None
        assert reply.parent.article_id == reply.article_id
        assert reply.created_at >= reply.parent.created_at
    statuses = set(comments.values_list("status", flat=True))
    assert CommentStatus.HIDDEN in statuses and comments.filter(deleted_at__isnull=False).exists()
    for article_id in per_article:
        stored = ArticleStats.objects.get(article_id=article_id).comment_count
        assert stored == selectors.visible_count(article_id)
    # The section page's card says so.
    busiest = ArticlePage.objects.get(pk=max(per_article, key=per_article.get))
    cache.clear()
    count = selectors.visible_count(busiest.pk)
    page = busiest.get_parent().url
    found = False
    for number in range(1, 40):
        raw = client.get(page, {"page": number}).content.decode()
        if busiest.url in raw:
            found = True
            assert f"{count} comments</a>" in raw
            break
    assert found
