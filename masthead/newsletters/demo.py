"""The demo's newsletters: a daily brief with one sent issue in its archive, and a paid one."""

from __future__ import annotations

import datetime

from django.utils import timezone

from masthead.content.models import AccessLevel, ArticlePage
from masthead.newsletters.models import Audience, Issue, Newsletter

DEMO_NEWSLETTERS = (
    {
        "slug": "morning-brief",
        "name": "The Morning Brief",
        "description": "The day's stories, every morning at six.",
        "audience": Audience.EVERYONE,
        "digest_time": datetime.time(6, 0),
        "position": 0,
    },
    {
        "slug": "insider",
        "name": "The Insider",
        "description": "Our best reporting in full, for subscribers.",
        "audience": Audience.PAID,
        "digest_time": None,
        "position": 1,
    },
)


def newsletters_ensure() -> bool:
    """Create the demo newsletters and a sent issue once; True if anything was made."""
    if Newsletter.objects.exists():
        return False
    for spec in DEMO_NEWSLETTERS:
        Newsletter.objects.create(**spec)
    brief = Newsletter.objects.get(slug="morning-brief")
    article = (
        ArticlePage.objects.live()
        .filter(access_level=AccessLevel.METERED)
        .order_by("-first_published_at")
        .first()
    )
    if article:
        # Already in the archive; the demo has no subscribers to deliver it to.
        Issue.objects.create(
            newsletter=brief, article=article, subject=article.title, fanned_out_at=timezone.now()
        )
    return True
