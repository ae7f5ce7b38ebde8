from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, Window

from masthead.comments.models import Comment, CommentStatus

THREADS_PER_PAGE = 20
MAX_PAGE = 100_000


def visible_count(article_id: int) -> int:
    return Comment.objects.filter(
        article_id=article_id, status=CommentStatus.VISIBLE, deleted_at__isnull=True
    ).count()


def has_held_comments(*, article_id: int, author) -> bool:
    return Comment.objects.filter(
        article_id=article_id, author=author, status=CommentStatus.HELD
    ).exists()


def articles_with_comments() -> list[int]:
    return list(Comment.objects.values_list("article_id", flat=True).distinct())


def threads(*, article_id: int, viewer, newest_first: bool, page_number) -> Page:
    """One page of top-level comments, each with its replies, in two queries.

    The number of threads comes with the page's rows (a window count), so the
    paginator needs no COUNT query of its own.
    """
    shown = Q(status=CommentStatus.VISIBLE)
    if viewer is not None and viewer.is_authenticated:
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
    try:
        # Bounded: an OFFSET past what the database's integers hold is a server error.
        number = min(max(1, int(page_number)), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * THREADS_PER_PAGE
    rows = list(top.annotate(total=Window(Count("pk")))[start : start + THREADS_PER_PAGE])
    paginator = Paginator(top, THREADS_PER_PAGE)
    if not rows and number > 1:
        # Past the last page (a stale link): the last page, as Paginator.get_page does.
        return paginator.get_page(page_number)
    paginator.__dict__["count"] = rows[0].total if rows else 0
    return Page(rows, number, paginator)
