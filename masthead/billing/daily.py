"""Subscribers and recurring revenue per UTC day, written with the day's insights rollup.

Each day is counted at its end (UTC midnight), or at the moment of writing for today.

The publisher's dashboard reads ``SubscriberDay`` and ``RevenueDay`` rows: a few per day
instead of every subscription on each load. One aggregate query per day, grouped by plan,
counts everything from the subscriptions' dates; the plans turn counts into money.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from masthead.billing.models import (
    Interval,
    Plan,
    RevenueDay,
    SubscriberDay,
    Subscription,
    SubscriptionStatus,
)

# Statuses in which a subscriber pays (past due is still owed, and still served a while).
PAYING = (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE)
# The columns of a SubscriberDay counted from the subscriptions (past due is seen, not counted).
COUNTED_FIELDS = (
    "paying",
    "trialing",
    "cancelled",
    "churned",
    "new_paying",
    "trials_started",
    "trials_ended",
    "trials_converted",
)
# A checkout abandoned before the first payment: never a subscriber.
NEVER_STARTED = (SubscriptionStatus.INCOMPLETE, SubscriptionStatus.INCOMPLETE_EXPIRED)

RULE = (
    "A subscription counts as trialing until its trial ends and paying after, unless "
    "cancelled by then; past due is a state billing does not date, so it is as the daily "
    "rollup saw it on that day."
)


def monthly_minor(price_minor: int, interval: str) -> int:
    """A plan's price as a monthly amount, in minor units (rounded to the nearest unit)."""
    if interval == Interval.YEAR:
        return round(price_minor / 12)
    if interval == Interval.WEEK:
        return round(price_minor * 52 / 12)
    return price_minor


def start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def _counts(day: dt.date, now: dt.datetime) -> dict[int, dict[str, int]]:
    """Per plan: the day's counts, by the dates rule (``SubscriberDay``'s docstring)."""
    # The day's end, or now for today: a trial ending this evening is not paid for yet.
    start, end = start_of(day), min(start_of(day + dt.timedelta(days=1)), now)
    # Subscribed at that instant: created before it and not cancelled before it.
    subscribed = Q(created_at__lt=end) & (Q(canceled_at=None) | Q(canceled_at__gte=end))
    trialing = subscribed & Q(trial_end__gte=end)
    paying = subscribed & (Q(trial_end=None) | Q(trial_end__lt=end))
    cancelled = Q(canceled_at__gte=start, canceled_at__lt=end)
    # Paying just before the cancellation: past the trial (if any) by then.
    churned = (
        cancelled
        & Q(created_at__lt=F("canceled_at"))
        & (Q(trial_end=None) | Q(trial_end__lt=F("canceled_at")))
    )
    new_paying = Q(paid_from__gte=start, paid_from__lt=end) & (
        Q(canceled_at=None) | Q(canceled_at__gt=F("paid_from"))
    )
    trials_ended = Q(trial_end__gte=start, trial_end__lt=end)
    converted = trials_ended & (
        Q(status__in=PAYING) | Q(status=SubscriptionStatus.CANCELED, canceled_at__gt=F("trial_end"))
    )
    rows = (
        Subscription.objects.exclude(status__in=NEVER_STARTED)
        .filter(created_at__lt=end)
        .annotate(paid_from=Coalesce("trial_end", "created_at"))
        .values("plan_id")
        .annotate(
            paying=Count("pk", filter=paying),
            trialing=Count("pk", filter=trialing),
            past_due=Count("pk", filter=Q(status=SubscriptionStatus.PAST_DUE)),
            cancelled=Count("pk", filter=cancelled),
            churned=Count("pk", filter=churned),
            new_paying=Count("pk", filter=new_paying),
            trials_started=Count("pk", filter=Q(trial_end__isnull=False, created_at__gte=start)),
            trials_ended=Count("pk", filter=trials_ended),
            trials_converted=Count("pk", filter=converted),
        )
        .order_by()
    )
    return {row.pop("plan_id"): row for row in rows}


def subscriber_day_write(day: dt.date, *, now: dt.datetime | None = None) -> SubscriberDay:
    """Replace ``day``'s subscriber and revenue rows with counts from the subscriptions.

    Run inside the day's rollup transaction (``insights.rollups.day_rolled_up``), under
    its per-day lock, so two runs for one day take turns and a crash keeps the old rows.
    """
    now = now or timezone.now()
    per_plan = _counts(day, now)
    plans = Plan.objects.in_bulk(per_plan)
    totals: dict[str, int] = defaultdict(int)
    money: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for plan_id, counts in per_plan.items():
        for name, n in counts.items():
            totals[name] += n
        plan = plans[plan_id]
        monthly = monthly_minor(plan.price_minor, plan.interval)
        currency = plan.currency.lower()
        money[currency]["mrr_minor"] += monthly * counts["paying"]
        money[currency]["new_mrr_minor"] += monthly * counts["new_paying"]
        money[currency]["churned_mrr_minor"] += monthly * counts["churned"]
    past_due = totals.pop("past_due", 0)
    with transaction.atomic():
        kept = SubscriberDay.objects.select_for_update().filter(day=day).first()
        # Past due is today's state: a past day keeps what was seen on it.
        if day != now.astimezone(dt.UTC).date():
            past_due = kept.past_due if kept else None
        fields = {name: totals.get(name, 0) for name in COUNTED_FIELDS}
        row, _ = SubscriberDay.objects.update_or_create(
            day=day, defaults={**fields, "past_due": past_due, "written_at": now}
        )
        RevenueDay.objects.filter(day=day).delete()
        RevenueDay.objects.bulk_create(
            RevenueDay(day=day, currency=currency, **amounts)
            for currency, amounts in sorted(money.items())
            if any(amounts.values())
        )
    return row


def subscriber_day_on_rollup(sender, *, day: dt.date, **kwargs) -> None:
    subscriber_day_write(day)
