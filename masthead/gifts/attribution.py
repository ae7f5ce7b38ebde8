"""Subscriptions credited to a gift: a reader opens a gift link, later subscribes.

An anonymous reader's browser keeps the gift it opened in a signed cookie; when it
signs in (or signs up), the account is remembered as a ``GiftReader``. A reader
already signed in is remembered when the link opens. The first paid subscription of
that account within the cookie's lifetime records one ``gift_subscription`` event for
the gifted article.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import DatabaseError
from django.utils import timezone

from masthead.billing.entitlements import PAID_STATUSES
from masthead.gifts import links
from masthead.gifts.models import Gift, GiftReader
from masthead.insights import events

logger = logging.getLogger(__name__)

CREDIT_WINDOW = timedelta(seconds=links.OPENED_COOKIE_AGE)


def remember_reader(user, gift_id: int) -> None:
    try:
        if not Gift.objects.filter(pk=gift_id).exists():
            return
        GiftReader.objects.update_or_create(
            user=user,
            defaults={"gift_id": gift_id, "opened_at": timezone.now(), "subscribed_at": None},
        )
    except DatabaseError:  # crediting is analytics: it must never stop a login or a read
        logger.exception("could not remember the gift opened by user %s", user.pk)


def remember_at_login(sender, request, user, **kwargs) -> None:
    if request is None:
        return
    gift_id = links.opened_gift_id(request)
    if gift_id is not None:
        remember_reader(user, gift_id)


def credit_subscription(sender, instance, **kwargs) -> None:
    """On a subscription saved as paid: credit the gift its reader opened, once."""
    if instance.status not in PAID_STATUSES:
        return
    now = timezone.now()
    credited = GiftReader.objects.filter(
        user_id=instance.user_id,
        subscribed_at__isnull=True,
        opened_at__gt=now - CREDIT_WINDOW,
    )
    row = credited.select_related("gift").first()
    if row is None or not credited.filter(pk=row.pk).update(subscribed_at=now):
        return
    events.record(
        events.EventKind.GIFT_SUBSCRIPTION, article_id=row.gift.article_id, outcome=instance.status
    )


def note_opening(request, response, gift: Gift) -> None:
    """After a gift link is read: remember who opened it, for crediting a subscription."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        remember_reader(user, gift.pk)
    else:
        links.remember_opened(response, gift)
