"""The comments section of an article page, rendered per reader into the cached page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone

from masthead.billing import entitlements
from masthead.comments import selectors, services
from masthead.content import page_cache
from masthead.content.page_cache import GenerationMemo

COMMENTS_SLOT = "<!--mh:comments-->"
COUNT_CACHE_SECONDS = 300
# The gate is the same bytes for every reader of an article with the same count.
_gate_memo = GenerationMemo(max_entries=5000)


def count_key(article_id: int) -> str:
    return f"comments:count:{article_id}"


def forget_count(article_id: int) -> None:
    """A comment appeared or went: its count is on cached pages and cards too.

    Bumping the content generation re-renders cached pages lazily; comments
    come at most every few seconds per reader, so that stays cheap.
    """
    cache.delete(count_key(article_id))
    page_cache.bump_generation()


def cached_count(article_id: int) -> int:
    count = cache.get(count_key(article_id))
    if count is None:
        count = selectors.visible_count(article_id)
        cache.set(count_key(article_id), count, COUNT_CACHE_SECONDS)
    return count


def render_section(request, article_id: int) -> str:
    """Readers without access get the count and the gate, and no comment text at all."""
    user = request.user
    next_query = urlencode({"next": request.path + "#comments"})
    entitlement = entitlements.for_request(request) if user.is_authenticated else None
    if not user.is_authenticated or not services.can_read(user, entitlement):
        count, logged_in = cached_count(article_id), user.is_authenticated
        return _gate_memo.get_or_set(
            (request.path, count, logged_in),
            lambda: render_to_string(
                "comments/gate.html",
                {"count": count, "next_query": next_query, "logged_in": logged_in},
            ),
        )
    from masthead.content.models import ArticlePage, PublicationSettings

    article = ArticlePage.objects.get(pk=article_id)
    newest_first = request.GET.get("comments") == "newest"
    page = selectors.threads(
        article_id=article_id,
        viewer=user,
        newest_first=newest_first,
        page_number=request.GET.get("comments_page"),
    )
    # The section is rendered apart from base.html and its {% timezone %} block:
    # show comment times in the publication's zone, as the article's own dates are.
    with timezone.override(PublicationSettings.for_request(request).zone):
        return render_to_string(
            "comments/section.html",
            {
                "article": article,
                "threads": page,
                "count": selectors.visible_count(article_id),
                "newest_first": newest_first,
                "can_post": services.can_post(user, article, entitlement),
                "is_open": services.comments_open(article),
                "banned": not user.is_staff and hasattr(user, "comment_ban"),
                "viewer": user,
                "csrf_token": get_token(request),
                "edit_window": services.EDIT_WINDOW,
                # Edit links only while the edit window is open.
                "edit_cutoff": timezone.now() - services.EDIT_WINDOW,
                "max_length": services.MAX_LENGTH,
                "request": request,
            },
        )
