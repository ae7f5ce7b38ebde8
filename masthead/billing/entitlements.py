"""Who has paid access: the one question the paywall and comments ask billing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from masthead.billing.models import Subscription, SubscriptionStatus
from masthead.core import generations
from masthead.core.memo import Memo

# A failed renewal keeps access this long while Stripe retries the card.
PAST_DUE_GRACE = timedelta(days=7)
_REQUEST_ATTRIBUTE = "_masthead_entitlement"
PAID_STATUSES = (SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE)
# Signed-in readers' entitlements, by user and accounts generation: any subscription
# saved anywhere bumps it. Each entry also says until when time alone leaves it true.
_memo = Memo(max_entries=20000)


@dataclass(frozen=True)
class Entitlement:
    paid_access: bool
    trial_available: bool
    subscription: Subscription | None = None


def grants_access(subscription: Subscription, now: datetime) -> bool:
    end = subscription.current_period_end
    if subscription.status in PAID_STATUSES:
        return end is None or end > now
    if subscription.status == SubscriptionStatus.PAST_DUE:
        return end is not None and now < end + PAST_DUE_GRACE
    return False


def for_request(request) -> Entitlement:
    """``for_user(request.user)``, asked once per request however many parts of a page ask.

    For reading pages only: a view that changes the subscription asks ``for_user`` again.
    """
    found = getattr(request, _REQUEST_ATTRIBUTE, None)
    if found is None:
        found = _remembered(request)
        setattr(request, _REQUEST_ATTRIBUTE, found)
    return found


def _remembered(request) -> Entitlement:
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return for_user(user)
    now = timezone.now()
    key = (user.pk, generations.current(request, generations.ACCOUNTS))
    entry = _memo.get(key)
    if entry is None or (entry[1] is not None and now >= entry[1]):
        subscriptions = _subscriptions(user)
        entry = (_entitlement(subscriptions, now), _changes_at(subscriptions, now))
        _memo.set(key, entry)
    return entry[0]


def _changes_at(subscriptions: list[Subscription], now: datetime) -> datetime | None:
    """The first instant at which the clock alone changes what these subscriptions grant."""
    boundaries = []
    for subscription in subscriptions:
        end = subscription.current_period_end
        if end is None:
            continue
        if subscription.status in PAID_STATUSES:
            boundaries.append(end)
        elif subscription.status == SubscriptionStatus.PAST_DUE:
            boundaries.append(end + PAST_DUE_GRACE)
    return min((b for b in boundaries if b > now), default=None)


def for_user(user, *, now: datetime | None = None) -> Entitlement:
    """Paid access and trial eligibility for a user (anonymous users have neither paid nor used)."""
    if not getattr(user, "is_authenticated", False):
        return Entitlement(paid_access=False, trial_available=True)
    return _entitlement(_subscriptions(user), now or timezone.now())


def _subscriptions(user) -> list[Subscription]:
    return list(
        Subscription.objects.filter(user=user).select_related("plan").order_by("-created_at")
    )


def _entitlement(subscriptions: list[Subscription], now: datetime) -> Entitlement:
    current = next((s for s in subscriptions if grants_access(s, now)), None)
    trial_used = any(s.trial_end is not None for s in subscriptions)
    return Entitlement(
        paid_access=current is not None,
        trial_available=not trial_used,
        subscription=current or (subscriptions[0] if subscriptions else None),
    )
