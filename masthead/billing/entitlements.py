"""Who has paid access: the one question the paywall and comments ask billing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from masthead.billing.models import Subscription, SubscriptionStatus

# A failed renewal keeps access this long while Stripe retries the card.
PAST_DUE_GRACE = timedelta(days=7)
_REQUEST_ATTRIBUTE = "_masthead_entitlement"
PAID_STATUSES = (SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE)


@dataclass(frozen=True)
class Entitlement:
    paid_access: bool
    trial_available: bool
    subscription: Subscription | None = None


def _grants_access(subscription: Subscription, now: datetime) -> bool:
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
        found = for_user(request.user)
        setattr(request, _REQUEST_ATTRIBUTE, found)
    return found


def for_user(user, *, now: datetime | None = None) -> Entitlement:
    """Paid access and trial eligibility for a user (anonymous users have neither paid nor used)."""
    if not getattr(user, "is_authenticated", False):
        return Entitlement(paid_access=False, trial_available=True)
    now = now or timezone.now()
    subscriptions = list(
        Subscription.objects.filter(user=user).select_related("plan").order_by("-created_at")
    )
    current = next((s for s in subscriptions if _grants_access(s, now)), None)
    trial_used = any(s.trial_end is not None for s in subscriptions)
    return Entitlement(
        paid_access=current is not None,
        trial_available=not trial_used,
        subscription=current or (subscriptions[0] if subscriptions else None),
    )
