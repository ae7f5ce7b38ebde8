"""Subscribers and revenue per day, written with each day's insights rollup: the counts
agree with asking each subscription, a day can be rolled up again, and a crash half-way
leaves the day as it was."""

from __future__ import annotations

import datetime as dt
import random
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError

from masthead.billing import daily
from masthead.billing.models import (
    Plan,
    RevenueDay,
    SubscriberDay,
    Subscription,
    SubscriptionStatus,
)
from masthead.insights import rollups

pytestmark = pytest.mark.django_db

BASE = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
NOW = BASE + dt.timedelta(days=75, hours=15)
TODAY = NOW.date()


def _state_at(sub: Subscription, at: dt.datetime) -> str | None:
    """The rule, one subscription at a time (``SubscriberDay``'s docstring)."""
    if sub.created_at >= at or (sub.canceled_at is not None and sub.canceled_at < at):
        return None
    if sub.trial_end is not None and sub.trial_end >= at:
        return "trialing"
    return "paying"


def _subscription(user, plan, created, *, trial_end=None, canceled_at=None, status="active"):
    sub = Subscription.objects.create(
        user=user, plan=plan, status=status, trial_end=trial_end, canceled_at=canceled_at
    )
    Subscription.objects.filter(pk=sub.pk).update(created_at=created)
    sub.created_at = created
    return sub


@pytest.fixture
def plans() -> list[Plan]:
    return [
        Plan.objects.create(name="M", price_minor=900, interval="month", currency="usd"),
        Plan.objects.create(name="Y", price_minor=12000, interval="year", currency="usd"),
        Plan.objects.create(name="W", price_minor=300, interval="week", currency="eur"),
    ]


@pytest.fixture
def crowd(plans) -> list[Subscription]:
    rng = random.Random(13)

    def moment(low, high):
        return BASE + dt.timedelta(hours=rng.randrange(low * 24, high * 24))

    subs = []
    for n in range(150):
        user = get_user_model().objects.create_user(f"daily-{n}", f"daily-{n}@example.org")
        created = moment(0, 70)
        trial_end = rng.choice([None, created + dt.timedelta(days=14), moment(0, 70)])
        # Some cancelled during the trial, or (odd, but possible data) before the start.
        canceled_at = rng.choice([None, None, moment(0, 75), created])
        status = rng.choice(["active", "past_due"]) if canceled_at is None else "canceled"
        subs.append(
            _subscription(
                user,
                rng.choice(plans),
                created,
                trial_end=trial_end,
                canceled_at=canceled_at,
                status=status,
            )
        )
    # Midnight edges exactly: a subscription created, and one cancelled, at a day's end.
    edge = get_user_model().objects.create_user("edge", "edge@example.org")
    subs.append(
        _subscription(
            edge,
            plans[0],
            BASE + dt.timedelta(days=10),
            canceled_at=BASE + dt.timedelta(days=20),
            status="canceled",
        )
    )
    # A checkout never finished is no subscriber.
    _subscription(edge, plans[0], BASE, status=SubscriptionStatus.INCOMPLETE)
    return subs


def test_each_day_agrees_with_asking_each_subscription(crowd, plans):
    days = [BASE.date() - dt.timedelta(days=2) + dt.timedelta(days=n) for n in range(78)]
    for day in days:
        daily.subscriber_day_write(day, now=NOW)

    prices = {p.pk: (daily.monthly_minor(p.price_minor, p.interval), p.currency) for p in plans}
    for day in days:
        at = min(daily.start_of(day + dt.timedelta(days=1)), NOW)
        start = daily.start_of(day)
        row = SubscriberDay.objects.get(day=day)
        states = [_state_at(s, at) for s in crowd]
        assert (row.paying, row.trialing) == (states.count("paying"), states.count("trialing"))
        # (Of subscriptions made by then: a cancellation dated before the start is no one's.)
        cancelled = [
            s for s in crowd if s.canceled_at and start <= s.canceled_at < at and s.created_at < at
        ]
        churned = [
            s
            for s in cancelled
            if _state_at(s, s.canceled_at - dt.timedelta(microseconds=1)) == "paying"
        ]
        assert (row.cancelled, row.churned) == (len(cancelled), len(churned))
        mrr: dict[str, int] = {}
        for sub, state in zip(crowd, states, strict=True):
            if state == "paying":
                monthly, currency = prices[sub.plan_id]
                mrr[currency] = mrr.get(currency, 0) + monthly
        churned_mrr: dict[str, int] = {}
        for sub in churned:
            monthly, currency = prices[sub.plan_id]
            churned_mrr[currency] = churned_mrr.get(currency, 0) + monthly
        money = {r.currency: r for r in RevenueDay.objects.filter(day=day)}
        assert {c: r.mrr_minor for c, r in money.items() if r.mrr_minor} == mrr
        assert {c: r.churned_mrr_minor for c, r in money.items() if r.churned_mrr_minor} == (
            churned_mrr
        )
    rows = SubscriberDay.objects.all()
    assert max(r.paying for r in rows) > 30 and max(r.trialing for r in rows) > 10
    assert sum(r.churned for r in rows) > 5 and sum(r.trials_converted for r in rows) > 5
    assert {"usd", "eur"} <= set(RevenueDay.objects.values_list("currency", flat=True))


def test_past_due_is_todays_state_and_a_past_day_keeps_what_was_seen(crowd):
    past_due = sum(1 for s in crowd if s.status == "past_due")
    yesterday = TODAY - dt.timedelta(days=1)
    assert daily.subscriber_day_write(TODAY, now=NOW).past_due == past_due
    assert daily.subscriber_day_write(yesterday, now=NOW).past_due is None
    # A day later, today is a past day: rolled up again, it keeps the figure seen then.
    Subscription.objects.filter(status="past_due").update(status="active")
    later = NOW + dt.timedelta(days=1)
    assert daily.subscriber_day_write(TODAY, now=later).past_due == past_due
    assert daily.subscriber_day_write(TODAY + dt.timedelta(days=1), now=later).past_due == 0


def test_the_rollup_writes_the_day_and_a_rerun_gives_the_same_rows(crowd):
    day = TODAY - dt.timedelta(days=3)

    def snapshot():
        return (
            list(SubscriberDay.objects.filter(day=day).values_list(*daily.COUNTED_FIELDS)),
            sorted(
                RevenueDay.objects.filter(day=day).values_list(
                    "currency", "mrr_minor", "new_mrr_minor", "churned_mrr_minor"
                )
            ),
        )

    rollups.rollup_day(day)
    first = snapshot()
    assert first[0] and first[1]
    rollups.rollup_day(day)
    assert snapshot() == first
    assert SubscriberDay.objects.filter(day=day).count() == 1


def test_a_rollup_that_dies_in_the_snapshot_leaves_the_day_as_it_was(crowd):
    day = TODAY - dt.timedelta(days=3)
    rollups.rollup_day(day)
    before = list(RevenueDay.objects.filter(day=day).values_list("currency", "mrr_minor"))
    # Changed since, then the next run fails after deleting the day's revenue rows.
    Subscription.objects.update(status="canceled", canceled_at=BASE)
    with (
        mock.patch.object(
            RevenueDay.objects, "bulk_create", side_effect=DatabaseError("disk full")
        ),
        pytest.raises(DatabaseError),
    ):
        rollups.rollup_day(day)
    assert list(RevenueDay.objects.filter(day=day).values_list("currency", "mrr_minor")) == before
    rollups.rollup_day(day)
    assert SubscriberDay.objects.get(day=day).paying == 0
    assert not RevenueDay.objects.filter(day=day).exists()
