"""Synthetic reader events and subscriptions for the last 90 days, so the demo's dashboard
has believable numbers: weekly rhythm, slow growth, a few articles that travel far."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from masthead.billing.models import Plan, Subscription, SubscriptionStatus
from masthead.content.models import ArticlePage
from masthead.insights import rollups
from masthead.insights.models import EventKind, ReaderEvent

DAYS = 90
# Subscribers who joined before the 90 days.
BASE = 150
BATCH = 5000
DEMO_EMAIL_DOMAIN = "demo-readers.example"
REFERRERS = (
    (None, 38),
    ("www.google.com", 24),
    ("news.ycombinator.com", 4),
    ("t.co", 6),
    ("www.facebook.com", 9),
    ("l.instagram.com", 3),
    ("www.reddit.com", 5),
    ("duckduckgo.com", 3),
    ("newsletter.example.org", 8),
)
READERS = (("anonymous", 68), ("registered", 20), ("subscriber", 11), ("crawler", 1))


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def events_fill(*, count: int, seed: int = 13, now: dt.datetime | None = None) -> int:
    """Add about ``count`` article views (and the funnel events they lead to) over the last
    90 days, demo subscriptions to match, then roll every day up. Returns events written.

    Once per database: one that has the demo's subscribers already has its events, so
    running the demo's set-up again (``make run``) does not pile up more.
    """
    if demo_filled():
        return 0
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    now = now or timezone.now()
    today = now.astimezone(dt.UTC).date()
    articles = list(ArticlePage.objects.live().values_list("pk", "access_level"))
    if not articles:
        return 0
    # A few articles travel far: Zipf-like weights over a shuffled order.
    rng.shuffle(articles)
    article_weights = [1 / (rank + 1) ** 0.9 for rank in range(len(articles))]
    days = [today - dt.timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
    # Weekdays busier than weekends, and 40% growth over the period.
    day_weights = [
        (0.75 if day.weekday() >= 5 else 1.0) * (1 + 0.4 * i / DAYS) for i, day in enumerate(days)
    ]
    per_day = [round(count * w / sum(day_weights)) for w in day_weights]

    written, batch, checkouts_by_day = 0, [], {}
    for day, views in zip(days, per_day, strict=True):
        checkouts_by_day[day] = 0
        for _ in range(views):
            ((article_id, access),) = rng.choices(articles, article_weights)
            reader = _pick(rng, READERS)
            at = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) + dt.timedelta(
                seconds=rng.randrange(86400)
            )
            if at > now:
                at = now - dt.timedelta(seconds=rng.randrange(3600))
            walled = (
                access != "free"
                and reader in ("anonymous", "registered")
                and (rng.random() < (0.55 if access == "subscribers" else 0.16))
            )
            outcome = "teaser" if walled else "whole"
            batch.append(
                _event(
                    at, EventKind.ARTICLE_VIEW, article_id, reader, outcome, _pick(rng, REFERRERS)
                )
            )
            if access == "metered" and not walled and reader in ("anonymous", "registered"):
                batch.append(
                    _event(at, EventKind.METER_NOTICE, article_id, reader, str(rng.randrange(3)))
                )
            if walled:
                prompt = "subscribe" if access == "subscribers" else "limit_reached"
                batch.append(_event(at, EventKind.PAYWALL_SHOWN, article_id, reader, prompt))
                if prompt == "limit_reached" and reader == "anonymous" and rng.random() < 0.04:
                    batch.append(_event(at, EventKind.REGISTER_OFFER_TAKEN, article_id, reader, ""))
                if rng.random() < 0.06:
                    batch.append(_event(at, EventKind.SUBSCRIBE_CLICKED, article_id, reader, ""))
                    if rng.random() < 0.45:
                        later = min(at + dt.timedelta(minutes=3), now)
                        batch.append(
                            _event(later, EventKind.CHECKOUT_STARTED, article_id, "registered", "")
                        )
                        checkouts_by_day[day] += 1
            if reader == "subscriber" and rng.random() < 0.01:
                batch.append(_event(at, EventKind.GIFT_CREATED, article_id, reader, ""))
                for _ in range(rng.choice((0, 1, 1, 2, 3, 5))):
                    batch.append(_event(at, EventKind.GIFT_OPENED, article_id, "anonymous", ""))
                    if rng.random() < 0.03:
                        batch.append(
                            _event(at, EventKind.GIFT_SUBSCRIPTION, article_id, "registered", "")
                        )
            if rng.random() < 0.004:
                how = "confirmed" if rng.random() < 0.7 else "account"
                batch.append(_event(at, EventKind.NEWSLETTER_SIGNUP, None, reader, how))
            if len(batch) >= BATCH:
                written += _write(batch)
    written += _write(batch)
    subscriptions_fill(checkouts_by_day=checkouts_by_day, rng=rng, now=now)
    # And the day before the first: the subscribers at the start of a 90-day range.
    rollups.rollup_days([days[0] - dt.timedelta(days=1), *days])
    return written


def demo_filled() -> bool:
    return get_user_model().objects.filter(email__endswith="@" + DEMO_EMAIL_DOMAIN).exists()


def _event(at, kind, article_id, reader_class, outcome, referrer_host=None) -> ReaderEvent:
    return ReaderEvent(
        occurred_at=at,
        day=at.date(),
        kind=kind,
        article_id=article_id,
        reader_class=reader_class,
        outcome=outcome,
        referrer_host=referrer_host,
    )


def _write(batch: list[ReaderEvent]) -> int:
    n = len(batch)
    ReaderEvent.objects.bulk_create(batch, batch_size=BATCH)
    batch.clear()
    return n


@transaction.atomic
def subscriptions_fill(
    *, checkouts_by_day: dict[dt.date, int], rng: random.Random, now: dt.datetime
) -> int:
    """About 60% of checkouts become a trial; most trials convert, some churn later.
    Done once: a database that already has the demo's subscribers keeps them."""
    User = get_user_model()
    if demo_filled():
        return 0
    plans = list(Plan.objects.filter(active=True).order_by("position"))
    if not plans:
        return 0
    made = 0
    # A base of subscribers from before the period, so MRR does not start at zero.
    starts = [now - dt.timedelta(days=DAYS + rng.randrange(1, 300)) for _ in range(BASE)]
    for day, n in checkouts_by_day.items():
        starts += [
            dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
            + dt.timedelta(seconds=rng.randrange(86400))
            for _ in range(n)
            if rng.random() < 0.6
        ]
    for i, created in enumerate(sorted(starts)):
        created = min(created, now)
        user = User.objects.create_user(
            username=f"demo-reader-{i}", email=f"reader{i}@{DEMO_EMAIL_DOMAIN}", password=None
        )
        plan = rng.choices(plans, (2, 5, 3)[: len(plans)] or None)[0]
        trial_end = created + dt.timedelta(days=plan.trial_days or 14)
        status, canceled_at = SubscriptionStatus.ACTIVE, None
        if trial_end > now:
            status = SubscriptionStatus.TRIALING
            if rng.random() < 0.1:
                status, canceled_at = SubscriptionStatus.CANCELED, created + dt.timedelta(days=3)
        elif rng.random() < 0.25:
            canceled_at = trial_end + dt.timedelta(days=rng.randrange(0, 60))
            if rng.random() < 0.4:
                canceled_at = trial_end - dt.timedelta(days=1)  # cancelled during the trial
            # One who would cancel later is still a subscriber today.
            status = SubscriptionStatus.CANCELED if canceled_at <= now else status
            canceled_at = canceled_at if canceled_at <= now else None
        elif rng.random() < 0.05:
            status = SubscriptionStatus.PAST_DUE
        sub = Subscription.objects.create(
            user=user,
            plan=plan,
            status=status,
            trial_end=trial_end,
            canceled_at=canceled_at,
            current_period_end=now + dt.timedelta(days=rng.randrange(1, 30)),
        )
        # created_at is set on insert (auto_now_add); the demo backdates it.
        Subscription.objects.filter(pk=sub.pk).update(created_at=created)
        made += 1
    # The other demos' subscribers (the commenters), made a moment ago, joined before the
    # period too: otherwise they all arrive today, a jump no publication sees.
    for sub in Subscription.objects.filter(created_at__gte=now - dt.timedelta(hours=1)).exclude(
        user__email__endswith="@" + DEMO_EMAIL_DOMAIN
    ):
        created = now - dt.timedelta(days=DAYS + rng.randrange(1, 300))
        Subscription.objects.filter(pk=sub.pk).update(created_at=created)
    return made
