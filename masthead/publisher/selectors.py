"""The dashboard's questions, answered from daily rollups and billing's tables.

Nothing here reads raw reader events: those are deleted after a while, and there are
too many of them to count per page load.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Case, F, IntegerField, Q, QuerySet, Sum, When
from django.utils import timezone
from wagtail.models import Page

from masthead.billing.models import Interval, Subscription, SubscriptionStatus
from masthead.content.models import ArticleAuthor
from masthead.insights.models import DailyRollup, EventKind

PRESETS = (7, 30, 90)
TOP_ARTICLES = 25
TOP_REFERRERS = 15
NO_REFERRER = "(none: direct, app or hidden)"
# Statuses in which a subscriber pays (past due is still owed, and still served a while).
PAYING = (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE)
NEVER_STARTED = (SubscriptionStatus.INCOMPLETE, SubscriptionStatus.INCOMPLETE_EXPIRED)


@dataclass(frozen=True)
class Scope:
    """A date range (UTC days, both ends included) and optionally one section or author."""

    start: dt.date
    end: dt.date
    section_id: int | None = None
    author_id: int | None = None
    article_ids: frozenset[int] | None = field(default=None, compare=False)

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    @property
    def filtered(self) -> bool:
        return bool(self.section_id or self.author_id)


def today() -> dt.date:
    return timezone.now().astimezone(dt.UTC).date()


def scope_for(
    *,
    days: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    section_id: int | None = None,
    author_id: int | None = None,
) -> Scope:
    """The scope of the last ``days`` days (today included), or of ``start``..``end``."""
    if start is None or end is None:
        end = today()
        start = end - dt.timedelta(days=(days or 30) - 1)
    article_ids = None
    if author_id:
        article_ids = frozenset(
            ArticleAuthor.objects.filter(author_id=author_id).values_list("article_id", flat=True)
        )
    return Scope(start, end, section_id, author_id, article_ids)


def _rollups(scope: Scope) -> QuerySet[DailyRollup]:
    rows = DailyRollup.objects.filter(day__gte=scope.start, day__lte=scope.end)
    if scope.section_id:
        rows = rows.filter(section_id=scope.section_id)
    if scope.article_ids is not None:
        rows = rows.filter(article_id__in=scope.article_ids)
    return rows


def _kind_sum(kind: str, name: str) -> dict:
    return {name: Sum(Case(When(kind=kind, then="count"), default=0, output_field=IntegerField()))}


# --- the funnel -------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    label: str
    count: int | None
    # Of the step before; None for the first step or when either count is unknown.
    rate: float | None
    note: str = ""


def funnel(scope: Scope) -> list[Step]:
    by_kind = dict(
        _rollups(scope).values("kind").annotate(n=Sum("count")).order_by().values_list("kind", "n")
    )
    trials = _trials(scope)
    not_article = "Not tied to an article: not shown for one section or author."
    counts = [
        ("Article views", by_kind.get(EventKind.ARTICLE_VIEW, 0), ""),
        ("Meter notices ('N left')", by_kind.get(EventKind.METER_NOTICE, 0), ""),
        ("Paywall shown", by_kind.get(EventKind.PAYWALL_SHOWN, 0), ""),
        (
            "Register / subscribe clicks",
            None if scope.filtered else by_kind.get(EventKind.SUBSCRIBE_CLICKED, 0),
            not_article if scope.filtered else "",
        ),
        ("Checkouts started", by_kind.get(EventKind.CHECKOUT_STARTED, 0), ""),
        (
            "Trials started",
            None if scope.filtered else trials["started"],
            not_article if scope.filtered else "",
        ),
        (
            "Trials converted to paid",
            None if scope.filtered else trials["converted"],
            not_article if scope.filtered else "",
        ),
    ]
    steps, before = [], None
    for label, count, note in counts:
        rate = count / before if before and count is not None else None
        steps.append(Step(label, count, rate, note))
        before = count if count is not None else before
    return steps


def daily_series(scope: Scope) -> dict[str, list[int]]:
    """Views, walls and checkouts per day, zero-filled, in the order of ``scope.days``."""
    kinds = {
        EventKind.ARTICLE_VIEW: "views",
        EventKind.PAYWALL_SHOWN: "walls",
        EventKind.CHECKOUT_STARTED: "checkouts",
    }
    series = {name: dict.fromkeys(scope.days, 0) for name in kinds.values()}
    rows = (
        _rollups(scope)
        .filter(kind__in=kinds)
        .values("day", "kind")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for row in rows:
        series[kinds[row["kind"]]][row["day"]] = row["n"]
    return {name: list(values.values()) for name, values in series.items()}


# --- subscribers and revenue ---------------------------------------------------------


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


def _subscriptions():
    return (
        Subscription.objects.exclude(status__in=NEVER_STARTED)
        .values_list(
            "created_at",
            "trial_end",
            "canceled_at",
            "status",
            "plan__price_minor",
            "plan__interval",
            "plan__currency",
        )
        .order_by()
    )


def _trials(scope: Scope) -> dict[str, int]:
    start, end = _end_of(scope.start - dt.timedelta(days=1)), _end_of(scope.end)
    subs = Subscription.objects.exclude(trial_end=None)
    now = timezone.now()
    ended = subs.filter(trial_end__gte=start, trial_end__lt=min(end, now))
    return {
        "started": subs.filter(created_at__gte=start, created_at__lt=end).count(),
        "ended": ended.count(),
        # Paid after the trial: paying now, or cancelled only after it had ended.
        "converted": ended.filter(
            Q(status__in=PAYING)
            | Q(status=SubscriptionStatus.CANCELED, canceled_at__gt=F("trial_end"))
        ).count(),
    }


def monthly_minor(price_minor: int, interval: str) -> int:
    """A plan's price as a monthly amount, in minor units (rounded to the nearest unit)."""
    if interval == Interval.YEAR:
        return round(price_minor / 12)
    if interval == Interval.WEEK:
        return round(price_minor * 52 / 12)
    return price_minor


@dataclass(frozen=True)
class SubscriberDay:
    day: dt.date
    paying: int
    trialing: int


@dataclass(frozen=True)
class Subscribers:
    series: list[SubscriberDay]
    past_due_now: int
    cancelled: int
    trial_to_paid: float | None
    churn: float | None
    net_growth: int
    # Per currency, in minor units.
    mrr: dict[str, int]
    new_mrr: dict[str, int]
    churned_mrr: dict[str, int]


class _Intervals:
    """How many of some intervals (lo, hi] hold an instant, by two binary searches: the
    same answer as asking each interval, in O(log n) per instant instead of O(n)."""

    def __init__(self, spans: list[tuple[dt.datetime, dt.datetime | None]]):
        # An empty interval (hi before lo) is (lo, lo]: it holds no instant.
        self.los = sorted(lo for lo, _ in spans)
        self.his = sorted(max(lo, hi) for lo, hi in spans if hi is not None)

    def holding(self, at: dt.datetime) -> int:
        return bisect_left(self.los, at) - bisect_left(self.his, at)


def _series(rows, days: list[dt.date]) -> list[SubscriberDay]:
    """Paying and trialing subscribers at the end of each day (``state_at``'s rule)."""
    # Subscribed: created before the instant and not cancelled before it.
    subscribed = _Intervals([(row[0], row[2]) for row in rows])
    # Trialing: that, and the trial not yet ended.
    trialing = _Intervals(
        [
            (created, trial_end if canceled_at is None else min(trial_end, canceled_at))
            for created, trial_end, canceled_at, *_ in rows
            if trial_end is not None
        ]
    )
    series = []
    for day in days:
        at = _end_of(day)
        on_trial = trialing.holding(at)
        series.append(SubscriberDay(day, subscribed.holding(at) - on_trial, on_trial))
    return series


def subscribers(scope: Scope) -> Subscribers:
    """Subscribers per day, and money per currency.

    Billing keeps each subscription's dates, not its history of states: on a past day a
    subscription counts as trialing before its trial end and paying after it, unless it
    had been cancelled by then. Past due is known only for now.
    """
    rows = list(_subscriptions())
    start_at, end_at = _end_of(scope.start - dt.timedelta(days=1)), _end_of(scope.end)

    def state_at(row, at: dt.datetime) -> str | None:
        created, trial_end, canceled_at, *_ = row
        if created >= at or (canceled_at is not None and canceled_at < at):
            return None
        if trial_end is not None and trial_end >= at:
            return "trialing"
        return "paying"

    series = _series(rows, scope.days)
    paying_at_start = sum(1 for row in rows if state_at(row, start_at) == "paying")
    paying_at_end = sum(1 for row in rows if state_at(row, end_at) == "paying")

    mrr, new_mrr, churned_mrr = defaultdict(int), defaultdict(int), defaultdict(int)
    cancelled = 0
    for row in rows:
        created, trial_end, canceled_at, status, price, interval, currency = row
        monthly = monthly_minor(price, interval)
        if status in PAYING:
            mrr[currency] += monthly
        paid_from = trial_end or created
        if start_at <= paid_from < end_at and (canceled_at is None or canceled_at > paid_from):
            new_mrr[currency] += monthly
        if canceled_at is not None and start_at <= canceled_at < end_at:
            cancelled += 1
            if state_at(row, canceled_at - dt.timedelta(microseconds=1)) == "paying":
                churned_mrr[currency] += monthly
    trials = _trials(scope)
    return Subscribers(
        series=series,
        past_due_now=sum(1 for row in rows if row[3] == SubscriptionStatus.PAST_DUE),
        cancelled=cancelled,
        trial_to_paid=trials["converted"] / trials["ended"] if trials["ended"] else None,
        churn=(
            sum(
                1
                for r in rows
                if r[2] and start_at <= r[2] < end_at and state_at(r, start_at) == "paying"
            )
            / paying_at_start
            if paying_at_start
            else None
        ),
        net_growth=paying_at_end - paying_at_start,
        mrr=dict(sorted(mrr.items())),
        new_mrr=dict(sorted(new_mrr.items())),
        churned_mrr=dict(sorted(churned_mrr.items())),
    )


# --- articles and readers ------------------------------------------------------------

ARTICLE_SORTS = {"views": "-views", "walls": "-walls", "conversions": "-conversions"}


def articles(scope: Scope, *, sort: str = "views") -> QuerySet:
    """Per article: views, walls shown and checkouts credited to it (the attribution rule).

    A checkout is credited to the page the reader came from when they started it (the
    ``next`` address the subscribe links carry, recorded with the checkout-started event):
    the last article they read before their checkout.
    """
    return (
        _rollups(scope)
        .exclude(article_id=None)
        .values("article_id")
        .annotate(
            **_kind_sum(EventKind.ARTICLE_VIEW, "views"),
            **_kind_sum(EventKind.PAYWALL_SHOWN, "walls"),
            **_kind_sum(EventKind.CHECKOUT_STARTED, "conversions"),
        )
        .order_by(ARTICLE_SORTS.get(sort, "-views"), "article_id")
    )


@dataclass(frozen=True)
class ArticleRow:
    article_id: int
    title: str
    url: str | None
    views: int
    walls: int
    conversions: int

    @property
    def conversion_rate(self) -> float | None:
        return self.conversions / self.views if self.views else None


def article_rows(rows, *, request=None, chunk: int = 500) -> Iterator[ArticleRow]:
    """Titles and addresses for aggregate rows, looked up ``chunk`` articles at a time."""
    rows = iter(rows)
    while True:
        batch = [row for _, row in zip(range(chunk), rows, strict=False)]
        if not batch:
            return
        pages = Page.objects.filter(pk__in=[r["article_id"] for r in batch]).only(
            "title", "url_path", "live"
        )
        titles = {
            page.pk: (page.title, page.get_url(request) if page.live else None) for page in pages
        }
        for row in batch:
            title, path = titles.get(row["article_id"], (f"Deleted page {row['article_id']}", None))
            yield ArticleRow(
                row["article_id"], title, path, row["views"], row["walls"], row["conversions"]
            )


def reader_share(scope: Scope) -> list[tuple[str, int]]:
    rows = (
        _rollups(scope)
        .filter(kind=EventKind.ARTICLE_VIEW)
        .values("reader_class")
        .annotate(n=Sum("count"))
        .order_by("-n", "reader_class")
    )
    return [(row["reader_class"] or "unknown", row["n"]) for row in rows]


def referrers(scope: Scope) -> QuerySet:
    return (
        _rollups(scope)
        .filter(kind=EventKind.ARTICLE_VIEW)
        .values("referrer_host")
        .annotate(n=Sum("count"))
        .order_by("-n", "referrer_host")
    )


def referrer_label(host: str) -> str:
    return host or NO_REFERRER
