"""Visible comment counts: kept beside each article, cached per comments generation."""

from __future__ import annotations

from django.http import HttpRequest

from masthead.comments import selectors
from masthead.content.models import ArticleStats
from masthead.core import generations
from masthead.core.memo import Memo

_memo = Memo(max_entries=20000)


def cached_count(request: HttpRequest | None, article_id: int) -> int:
    gen = generations.current(request, generations.COMMENTS)
    return _memo.get_or_set(
        (article_id, gen),
        lambda: (
            ArticleStats.objects.filter(article_id=article_id)
            .values_list("comment_count", flat=True)
            .first()
            or 0
        ),
    )


def forget_count(article_id: int) -> None:
    """A comment appeared, went or changed state: recount it for the cards and the gate.

    Only the comments generation moves: the article's own cached variant, and
    every other article's, stay as they are.
    """
    _store_count(article_id)
    generations.bump_now_and_at_commit(generations.COMMENTS)


def _store_count(article_id: int) -> None:
    ArticleStats.objects.update_or_create(
        article_id=article_id, defaults={"comment_count": selectors.visible_count(article_id)}
    )


def recount_all() -> None:
    """Every article's count from the comments themselves (after a bulk load)."""
    for article_id in selectors.articles_with_comments():
        _store_count(article_id)
    generations.bump_now_and_at_commit(generations.COMMENTS)
