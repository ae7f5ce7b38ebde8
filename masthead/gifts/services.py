"""Making and revoking gifts, within each subscriber's monthly allowance."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from masthead.gifts import links
from masthead.gifts.models import Gift, GiftMonth
from masthead.insights import events


class AllowanceSpent(Exception):
    """The giver has made every gift this month allows."""


def month_of(now: datetime, zone) -> date:
    return timezone.localtime(now, zone).date().replace(day=1)


def working_gift(*, giver, article_id: int, now: datetime) -> Gift | None:
    """The giver's link for this article that still works, if there is one."""
    return (
        Gift.objects.filter(
            giver=giver,
            article_id=article_id,
            revoked_at__isnull=True,
            expires_at__gt=now,
            opened__lt=settings.GIFT_LINK_MAX_OPENS,
        )
        .order_by("-created_at")
        .first()
    )


def gifts_left(*, giver, month: date) -> int:
    given = (
        GiftMonth.objects.filter(giver=giver, month=month).values_list("given", flat=True).first()
    )
    return max(0, settings.GIFTS_PER_MONTH - (given or 0))


def gift_article(*, giver, article_id: int, show_name: bool, month: date) -> tuple[Gift, bool]:
    """The giver's working link for the article, made now if there is none; (gift, made).

    Re-gifting returns the same link and costs nothing (a changed ``show_name`` is
    kept). A new link takes one of the month's gifts: the giver's month row is locked
    first, so parallel requests take turns and never give more than the allowance.
    """
    now = timezone.now()
    with transaction.atomic():
        GiftMonth.objects.bulk_create([GiftMonth(giver=giver, month=month)], ignore_conflicts=True)
        allowance = GiftMonth.objects.select_for_update().get(giver=giver, month=month)
        gift = working_gift(giver=giver, article_id=article_id, now=now)
        if gift is not None:
            if gift.show_name != show_name:
                gift.show_name = show_name
                gift.save(update_fields=["show_name"])
            return gift, False
        if allowance.given >= settings.GIFTS_PER_MONTH:
            raise AllowanceSpent
        gift = Gift.objects.create(
            giver=giver,
            article_id=article_id,
            key=links.new_key(),
            show_name=show_name,
            created_at=now,
            expires_at=now + timedelta(days=settings.GIFT_LINK_DAYS),
        )
        allowance.given += 1
        allowance.save(update_fields=["given"])
    events.record(events.EventKind.GIFT_CREATED, article_id=article_id)
    return gift, True


def gift_revoke(*, giver, gift_id: int) -> bool:
    """Stop a link working at once; False when the giver has no such working gift."""
    return bool(
        Gift.objects.filter(pk=gift_id, giver=giver, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def gifts_of(giver) -> list[Gift]:
    """The giver's gifts, newest first, for the account page."""
    return list(Gift.objects.filter(giver=giver).select_related("article").order_by("-created_at"))
