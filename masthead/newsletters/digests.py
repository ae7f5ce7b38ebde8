"""Digests on a schedule: each newsletter with a digest time gets the last day's articles."""

from __future__ import annotations

import datetime

from django.utils import timezone

from masthead.content.models import ArticlePage, PublicationSettings
from masthead.newsletters import sending
from masthead.newsletters.models import Issue, Newsletter


def send_due(now: datetime.datetime | None = None) -> list[Issue]:
    """The digests whose time has come today (publication's zone) and that are not made yet."""
    now = now or timezone.now()
    publication = PublicationSettings.objects.first()
    zone = publication.zone if publication else datetime.UTC
    local = now.astimezone(zone)
    made = []
    for newsletter in Newsletter.objects.filter(digest_time__isnull=False):
        if local.time() < newsletter.digest_time:
            continue
        if Issue.objects.filter(newsletter=newsletter, digest_date=local.date()).exists():
            continue
        due_at = datetime.datetime.combine(local.date(), newsletter.digest_time, tzinfo=zone)
        articles = ArticlePage.objects.live().filter(
            first_published_at__gt=due_at - datetime.timedelta(days=1),
            first_published_at__lte=due_at,
        )
        if newsletter.section_id:
            articles = articles.child_of(newsletter.section)
        ids = list(articles.order_by("-first_published_at").values_list("pk", flat=True)[:20])
        issue = sending.digest_for(newsletter, day=local.date(), article_ids=ids)
        if issue:
            made.append(issue)
    return made
