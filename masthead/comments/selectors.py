from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery

from masthead.comments.models import Comment, CommentStatus

THREADS_PER_PAGE = 20


def visible_count(article_id: int) -> int:
    return Comment.objects.filter(
        article_id=article_id, status=CommentStatus.VISIBLE, deleted_at__isnull=True
    ).count()


def count_subquery():
    """Annotate article querysets with their visible comment count in one query."""
    return Subquery(
        Comment.objects.filter(
            article=OuterRef("pk"), status=CommentStatus.VISIBLE, deleted_at__isnull=True
        )
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )


def threads(*, article_id: int, viewer, newest_first: bool, page_number) -> Page:
    """One page of top-level comments, each with its replies, in a fixed number of queries."""
    shown = Q(status=CommentStatus.VISIBLE)
    if viewer.is_authenticated:
        shown |= Q(status=CommentStatus.HELD, author=viewer)
    replies = Comment.objects.filter(shown).select_related("author").order_by("created_at", "pk")
    order = ("-created_at", "-pk") if newest_first else ("created_at", "pk")
    top = (
        Comment.objects.filter(article_id=article_id, parent__isnull=True)
        .filter(shown)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="shown_replies"))
        .order_by(*order)
    )
    return Paginator(top, THREADS_PER_PAGE).get_page(page_number)
