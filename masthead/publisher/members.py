"""The publisher's list of subscribers, one row per reader, and each reader's history.

A reader's row is their latest subscription that ever started (a checkout abandoned
before payment makes no member). Pages are cut by key (``pk`` below or above the
last row seen), not by offset, so page 500 costs what page 1 does.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from wagtail.models import Page

from masthead.billing.daily import NEVER_STARTED
from masthead.billing.models import (
    Customer,
    Interval,
    Plan,
    Provider,
    Subscription,
    SubscriptionStatus,
)
from masthead.insights.models import EventKind, ReaderEvent

PAGE_SIZE = 50
EVENTS_SHOWN = 200
MEMBER_STATUSES = [(s.value, s.label) for s in SubscriptionStatus if s not in NEVER_STARTED]
# How long a billing period lasts on average, for the lifetime value's estimate.
PERIOD = {
    Interval.WEEK: dt.timedelta(days=7),
    Interval.MONTH: dt.timedelta(days=365.25 / 12),
    Interval.YEAR: dt.timedelta(days=365.25),
}
LIFETIME_VALUE_RULE = (
    "Lifetime value is estimated: billing keeps no invoices, so it is each subscription's "
    "plan price times the billing periods begun after its trial, up to its cancellation "
    "(the unpaid period of a past-due subscription not counted)."
)
STRIPE_DASHBOARD = "https://dashboard.stripe.com/"


def members(
    *, search: str = "", status: str = "", plan_id: int | None = None
) -> QuerySet[Subscription]:
    """Each member's latest started subscription, newest first, with reader and plan."""
    started = Subscription.objects.exclude(status__in=NEVER_STARTED)
    later = started.filter(user_id=OuterRef("user_id"), pk__gt=OuterRef("pk"))
    rows = started.filter(~Exists(later)).select_related("user", "plan")
    if status:
        rows = rows.filter(status=status)
    if plan_id:
        rows = rows.filter(plan_id=plan_id)
    search = search.strip()
    if search:
        rows = rows.filter(Q(user__email__icontains=search) | Q(user__first_name__icontains=search))
    return rows.order_by("-pk")


@dataclass(frozen=True)
class MembersPage:
    rows: list[MemberRow]
    # The keys to ask for the next (older) and previous (newer) page with; None at an end.
    older: int | None
    newer: int | None


def page(rows: QuerySet[Subscription], *, before: int | None, after: int | None) -> MembersPage:
    """One page of ``rows`` (newest first) below ``before`` or above ``after``."""
    if after is not None:
        chunk = list(rows.filter(pk__gt=after).order_by("pk")[: PAGE_SIZE + 1])
        more_newer = len(chunk) > PAGE_SIZE
        chunk = chunk[:PAGE_SIZE][::-1]
        more_older = True
    else:
        if before is not None:
            rows = rows.filter(pk__lt=before)
        chunk = list(rows[: PAGE_SIZE + 1])
        more_older = len(chunk) > PAGE_SIZE
        chunk = chunk[:PAGE_SIZE]
        more_newer = before is not None
    return MembersPage(
        rows=list(member_rows(chunk)),
        older=chunk[-1].pk if chunk and more_older else None,
        newer=chunk[0].pk if chunk and more_newer else None,
    )


@dataclass(frozen=True)
class MemberRow:
    subscription: Subscription
    lifetime_value: dict[str, int]
    stripe_url: str | None

    @property
    def user(self):
        return self.subscription.user

    @property
    def renews_at(self) -> dt.datetime | None:
        """When the next payment is due, or None if none will be."""
        sub = self.subscription
        if sub.cancel_at_period_end or sub.status not in (
            SubscriptionStatus.ACTIVE,
            SubscriptionStatus.TRIALING,
            SubscriptionStatus.PAST_DUE,
        ):
            return None
        if sub.status == SubscriptionStatus.TRIALING and sub.trial_end:
            return sub.trial_end  # the first payment is due when the trial ends
        return sub.current_period_end


def member_rows(subscriptions: Iterable[Subscription], *, chunk: int = 1000) -> Iterator[MemberRow]:
    """Rows with lifetime values and Stripe links, asked for ``chunk`` readers at a time."""
    subscriptions = iter(subscriptions)
    while True:
        batch = [sub for _, sub in zip(range(chunk), subscriptions, strict=False)]
        if not batch:
            return
        user_ids = {sub.user_id for sub in batch}
        values = lifetime_values(user_ids)
        stripe = stripe_customer_urls(user_ids)
        for sub in batch:
            yield MemberRow(sub, values.get(sub.user_id, {}), stripe.get(sub.user_id))


def charged_minor(sub: Subscription, plan: Plan, *, now: dt.datetime) -> int:
    """An estimate of what ``sub`` has been charged, in the plan's minor units."""
    if sub.status in NEVER_STARTED or sub.status == SubscriptionStatus.TRIALING:
        return 0
    paid_from = sub.trial_end or sub.created_at
    until = min(sub.canceled_at or now, now)
    if paid_from >= until:
        return 0
    periods = 1 + int((until - paid_from) / PERIOD.get(plan.interval, PERIOD[Interval.MONTH]))
    if sub.status in (SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID):
        periods -= 1
    return max(periods, 0) * plan.price_minor


def lifetime_values(user_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Per reader, the estimated total charged, per currency (minor units)."""
    now = timezone.now()
    values: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    subs = (
        Subscription.objects.filter(user_id__in=list(user_ids))
        .exclude(status__in=NEVER_STARTED)
        .select_related("plan")
        .order_by()
    )
    for sub in subs:
        values[sub.user_id][sub.plan.currency] += charged_minor(sub, sub.plan, now=now)
    return {user: dict(sorted(by_currency.items())) for user, by_currency in values.items()}


def stripe_customer_url(customer_id: str) -> str:
    # Test-mode objects live under /test/ in Stripe's dashboard.
    test = settings.STRIPE_SECRET_KEY.startswith(("sk_test_", "rk_test_"))
    return f"{STRIPE_DASHBOARD}{'test/' if test else ''}customers/{customer_id}"


def stripe_customer_urls(user_ids: Iterable[int]) -> dict[int, str]:
    customers = Customer.objects.filter(
        user_id__in=list(user_ids), provider=Provider.STRIPE
    ).values_list("user_id", "provider_customer_id")
    return {user_id: stripe_customer_url(customer_id) for user_id, customer_id in customers}


# --- one reader -------------------------------------------------------------------------


@dataclass(frozen=True)
class History:
    subscriptions: list[tuple[Subscription, int]]
    lifetime_value: dict[str, int]
    stripe_url: str | None
    # (when, what, the article's title or ""), newest first.
    steps: list[tuple[dt.datetime, str, str]]


EVENT_LABELS = {
    EventKind.REGISTER_OFFER_TAKEN: "Created an account from the paywall's offer",
    EventKind.SUBSCRIBE_CLICKED: "Clicked subscribe on the paywall",
    EventKind.CHECKOUT_STARTED: "Started a checkout",
    EventKind.TRIAL_STARTED: "Started a free trial",
    EventKind.SUBSCRIPTION_ACTIVATED: "Paid: subscription active",
    EventKind.SUBSCRIPTION_CANCELLED: "Cancelled",
    EventKind.NEWSLETTER_SIGNUP: "Signed up to a newsletter",
}


def history(user) -> History:
    now = timezone.now()
    subs = list(Subscription.objects.filter(user=user).select_related("plan").order_by("-pk"))
    events = list(
        ReaderEvent.objects.filter(user_id=user.pk).order_by("-occurred_at", "-pk")[:EVENTS_SHOWN]
    )
    article_ids = {e.article_id for e in events if e.article_id}
    titles = dict(
        Page.objects.filter(pk__in=article_ids).values_list("pk", "title") if article_ids else ()
    )
    return History(
        subscriptions=[(sub, charged_minor(sub, sub.plan, now=now)) for sub in subs],
        lifetime_value=lifetime_values([user.pk]).get(user.pk, {}),
        stripe_url=stripe_customer_urls([user.pk]).get(user.pk),
        steps=[
            (
                e.occurred_at,
                EVENT_LABELS.get(e.kind, e.kind.replace("_", " ").capitalize()),
                titles.get(e.article_id, ""),
            )
            for e in events
        ],
    )
