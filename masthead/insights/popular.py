"""Which articles readers read most, from the raw article-view events."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count

from masthead.insights.models import EventKind, ReaderEvent

# Views by crawlers and by clients claiming to be one say nothing about readers.
NOT_READERS = ("crawler", "bot")


def most_read_article_ids(*, now: datetime, hours: int = 24, limit: int = 10) -> list[int]:
    """Article ids by views in the ``hours`` before ``now``, most first (ties: newest id).

    ``day`` (the UTC date, indexed with ``kind``) narrows the scan to a day or two.
    """
    since = now - timedelta(hours=hours)
    rows = (
        ReaderEvent.objects.filter(
            day__gte=since.date(),
            kind=EventKind.ARTICLE_VIEW,
            occurred_at__gte=since,
            occurred_at__lte=now,
            article_id__isnull=False,
        )
        .exclude(reader_class__in=NOT_READERS)
        .values("article_id")
        .annotate(views=Count("id"))
        .order_by("-views", "-article_id")[:limit]
    )
    return [row["article_id"] for row in rows]
