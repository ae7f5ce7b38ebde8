"""The dashboard's questions, answered from daily rollups and billing's tables.

Nothing here reads raw reader events: those are deleted after a while, and there are
too many of them to count per page load.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, QuerySet, Sum, When
from django.utils import timezone
from wagtail.models import Page

from masthead.billing.models import RevenueDay, SubscriberDay
from masthead.content.models import ArticleAuthor
from masthead.insights.models import DailyRollup, DailyTotal, EventKind

PRESETS = (7, 30, 90)
TOP_ARTICLES = 25
TOP_REFERRERS = 15
NO_REFERRER = "(none: direct, app or hidden)"


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


def _rollups(scope: Scope, model=DailyRollup) -> QuerySet:
    """The scope's rows of ``DailyRollup``, or of ``DailyTotal`` (several times fewer,
    for the questions that need no outcome, reader class or referrer)."""
    rows = model.objects.filter(day__gte=scope.start, day__lte=scope.end)
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
    # Of the step named by ``of``; None when either count is unknown or the base is zero.
    rate: float | None
    note: str = ""
    of: str = ""


# (label, event kind or None for billing's trial counts, the step its rate is taken of).
# Both ways on from a wall (a free account, a subscription) are rated against the wall.
FUNNEL = (
    ("Article views", EventKind.ARTICLE_VIEW, None),
    ("Meter notices ('N left')", EventKind.METER_NOTICE, "Article views"),
    ("Paywall shown", EventKind.PAYWALL_SHOWN, "Article views"),
    ("Register offers taken", EventKind.REGISTER_OFFER_TAKEN, "Paywall shown"),
    ("Subscribe clicks", EventKind.SUBSCRIBE_CLICKED, "Paywall shown"),
    ("Checkouts started", EventKind.CHECKOUT_STARTED, "Subscribe clicks"),
    ("Trials started", None, "Checkouts started"),
    ("Trials converted to paid", None, "Trials started"),
)
NOT_AN_ARTICLE = "Not tied to an article: not shown for one section or author."


def funnel(
    scope: Scope, *, totals: dict[str, int] | None = None, subs: Subscribers | None = None
) -> list[Step]:
    """The funnel's steps; ``totals`` and ``subs`` when the caller has them already."""
    by_kind = kind_totals(scope) if totals is None else totals
    if not scope.filtered and subs is None:
        subs = subscribers(scope)
    counts: dict[str, int | None] = {}
    steps = []
    for label, kind, of in FUNNEL:
        note = ""
        if kind is not None:
            count = by_kind.get(kind, 0)
        elif scope.filtered:
            count, note = None, NOT_AN_ARTICLE
        elif label == "Trials started":
            count = subs.trials_started
        else:
            count = subs.trials_converted
        counts[label] = count
        base = counts.get(of) if of else None
        rate = count / base if base and count is not None else None
        steps.append(Step(label, count, rate, note, of or ""))
    return steps


# --- gifts and newsletters -----------------------------------------------------------

OTHER_STEPS = (
    ("Gift links made", EventKind.GIFT_CREATED),
    ("Gift links read", EventKind.GIFT_OPENED),
    ("Subscriptions after reading a gift", EventKind.GIFT_SUBSCRIPTION),
    ("Newsletter sign-ups", EventKind.NEWSLETTER_SIGNUP),
)


def other_steps(scope: Scope, *, totals: dict[str, int] | None = None) -> list[Step]:
    """Gift links and newsletter sign-ups: ways in beside the paywall's funnel.

    Newsletter sign-ups belong to no article, so one section or author shows none.
    """
    by_kind = kind_totals(scope) if totals is None else totals
    steps = []
    for label, kind in OTHER_STEPS:
        if kind == EventKind.NEWSLETTER_SIGNUP and scope.filtered:
            steps.append(Step(label, None, None, NOT_AN_ARTICLE))
        else:
            steps.append(Step(label, by_kind.get(kind, 0), None))
    return steps


def day_kind_counts(scope: Scope) -> dict[tuple[dt.date, str], int]:
    """Every event kind's count per day: one pass over the scope's rollup rows, which
    both the funnel's totals and the daily series are summed from."""
    rows = (
        _rollups(scope, DailyTotal).values_list("day", "kind").annotate(n=Sum("count")).order_by()
    )
    return {(day, kind): n for day, kind, n in rows}


def kind_totals(scope: Scope, *, counts: dict | None = None) -> dict[str, int]:
    """Every event kind's count in the scope."""
    totals: dict[str, int] = defaultdict(int)
    for (_, kind), n in (day_kind_counts(scope) if counts is None else counts).items():
        totals[kind] += n
    return dict(totals)


def daily_series(scope: Scope, *, counts: dict | None = None) -> dict[str, list[int]]:
    """Views, walls and checkouts per day, zero-filled, in the order of ``scope.days``."""
    counts = day_kind_counts(scope) if counts is None else counts
    kinds = {
        "views": EventKind.ARTICLE_VIEW,
        "walls": EventKind.PAYWALL_SHOWN,
        "checkouts": EventKind.CHECKOUT_STARTED,
    }
    return {
        name: [counts.get((day, kind), 0) for day in scope.days] for name, kind in kinds.items()
    }


# --- subscribers and revenue ---------------------------------------------------------


@dataclass(frozen=True)
class SubscriberPoint:
    day: dt.date
    paying: int
    trialing: int


@dataclass(frozen=True)
class Subscribers:
    series: list[SubscriberPoint]
    # At the end of the range's last day; None when the rollup did not see that day.
    past_due_now: int | None
    cancelled: int
    trials_started: int
    trials_converted: int
    trial_to_paid: float | None
    churn: float | None
    net_growth: int
    # Per currency, in minor units.
    mrr: dict[str, int]
    new_mrr: dict[str, int]
    churned_mrr: dict[str, int]


def subscribers(scope: Scope) -> Subscribers:
    """Subscribers per day, and money per currency, from billing's daily rows (written
    with each day's rollup; ``billing.daily.RULE``). A day not rolled up counts none.

    Churn is the paying subscribers who cancelled in the range over those paying at the
    end of the day before it; net growth is the change in paying subscribers across it.
    """
    before = scope.start - dt.timedelta(days=1)
    rows = {
        row.day: row for row in SubscriberDay.objects.filter(day__gte=before, day__lte=scope.end)
    }
    in_range = [rows[day] for day in scope.days if day in rows]
    series = [
        SubscriberPoint(day, rows[day].paying, rows[day].trialing)
        if day in rows
        else SubscriberPoint(day, 0, 0)
        for day in scope.days
    ]
    last = rows.get(scope.end)
    first = rows.get(before) or (in_range[0] if in_range else None)
    paying_at_start = first.paying if first else 0
    ended = sum(r.trials_ended for r in in_range)
    converted = sum(r.trials_converted for r in in_range)
    mrr, new_mrr, churned_mrr = {}, defaultdict(int), defaultdict(int)
    for money in RevenueDay.objects.filter(day__gte=scope.start, day__lte=scope.end):
        if money.day == scope.end and money.mrr_minor:
            mrr[money.currency] = money.mrr_minor
        if money.new_mrr_minor:
            new_mrr[money.currency] += money.new_mrr_minor
        if money.churned_mrr_minor:
            churned_mrr[money.currency] += money.churned_mrr_minor
    return Subscribers(
        series=series,
        past_due_now=last.past_due if last else None,
        cancelled=sum(r.cancelled for r in in_range),
        trials_started=sum(r.trials_started for r in in_range),
        trials_converted=converted,
        trial_to_paid=converted / ended if ended else None,
        churn=sum(r.churned for r in in_range) / paying_at_start if paying_at_start else None,
        net_growth=(last.paying if last else 0) - paying_at_start,
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
        _rollups(scope, DailyTotal)
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


def readers_and_referrers(scope: Scope) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """``reader_share`` and ``referrers`` (as host, views) for the dashboard, from one pass
    over the scope's article views instead of two."""
    by_class: dict[str, int] = defaultdict(int)
    by_host: dict[str, int] = defaultdict(int)
    rows = (
        _rollups(scope)
        .filter(kind=EventKind.ARTICLE_VIEW)
        .values_list("reader_class", "referrer_host")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for reader_class, host, n in rows:
        by_class[reader_class or "unknown"] += n
        by_host[host] += n
    return (
        sorted(by_class.items(), key=lambda item: (-item[1], item[0])),
        sorted(by_host.items(), key=lambda item: (-item[1], item[0])),
    )


def referrer_label(host: str) -> str:
    return host or NO_REFERRER
