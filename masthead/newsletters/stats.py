"""Per-issue counts for the admin: recipients, accepted by the mail server, failed, unsubscribes."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from masthead.newsletters.models import DeliveryStatus, Issue


def with_counts(issues: QuerySet[Issue]) -> QuerySet[Issue]:
    return issues.annotate(
        recipient_count=Count("deliveries"),
        delivered_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SENT)),
        failed_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
        unsubscribe_count=Count("deliveries", filter=Q(deliveries__unsubscribed_at__isnull=False)),
    )
