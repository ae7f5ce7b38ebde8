"""The publisher's dashboard and its CSV exports: parse the filters, ask selectors, render."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from functools import wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from masthead.billing import daily as billing_daily
from masthead.core.replica import replica_view
from masthead.publisher import charts, members, selectors
from masthead.publisher.forms import MembersForm, ScopeForm, page_key
from masthead.publisher.models import VIEW_INSIGHTS

ATTRIBUTION_RULE = (
    "A checkout is credited to the article the reader was reading when they started it: "
    "the page the subscribe link was followed from, which is the last article they read "
    "before checking out. Checkouts started from other pages are credited to no article."
)


def can_view_insights(user) -> bool:
    return user.is_active and user.has_perm(VIEW_INSIGHTS)


def insights_required(view: Callable) -> Callable:
    """403 for anyone without "view insights", superusers aside (they hold every permission).

    A response, not ``PermissionDenied``: Wagtail's admin turns that exception into a
    redirect to its home page, and an insights URL must answer 403.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_view_insights(request.user):
            return TemplateResponse(request, "publisher/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


@require_safe
@insights_required
@replica_view
def dashboard(request):
    form = ScopeForm(request.GET or None)
    scope = form.scope()
    sort = request.GET.get("sort", "views")
    counts = selectors.day_kind_counts(scope)
    totals = selectors.kind_totals(scope, counts=counts)
    subs = selectors.subscribers(scope)
    funnel = selectors.funnel(scope, totals=totals, subs=subs)
    others = selectors.other_steps(scope, totals=totals)
    daily = selectors.daily_series(scope, counts=counts)
    articles = list(
        selectors.article_rows(
            selectors.articles(scope, sort=sort)[: selectors.TOP_ARTICLES], request=request
        )
    )
    readers, hosts = selectors.readers_and_referrers(scope)
    referrers = [
        (selectors.referrer_label(host), n) for host, n in hosts[: selectors.TOP_REFERRERS]
    ]
    days = scope.days
    daily_chart = charts.line_chart(
        days,
        [
            charts.Series("Article views", daily["views"]),
            charts.Series("Paywall shown", daily["walls"]),
            charts.Series("Checkouts started", daily["checkouts"]),
        ],
        label="Views, walls shown and checkouts per day",
    )
    subs_chart = charts.line_chart(
        days,
        [
            charts.Series("Paying", [d.paying for d in subs.series]),
            charts.Series("Trialing", [d.trialing for d in subs.series]),
        ],
        label="Paying and trialing subscribers per day",
    )
    funnel_chart = charts.bar_chart(
        [(s.label, s.count) for s in funnel if s.count is not None], label="The funnel"
    )
    readers_chart = charts.bar_chart(readers, label="Article views by reader class")
    referrers_chart = charts.bar_chart(referrers, label="Article views by referrer")
    total_views = sum(n for _, n in readers)
    return TemplateResponse(
        request,
        "publisher/dashboard.html",
        {
            "form": form,
            "scope": scope,
            "query": _query_without(request, "sort"),
            "export_query": request.GET.urlencode(),
            "sort": sort,
            "funnel": funnel,
            "funnel_chart": funnel_chart,
            "others": others,
            "subscriber_rule": billing_daily.RULE,
            "daily_rows": list(
                zip(days, daily["views"], daily["walls"], daily["checkouts"], strict=True)
            ),
            "daily_chart": daily_chart,
            "daily_summary": _daily_summary(days, daily),
            "subs": subs,
            "subs_chart": subs_chart,
            "articles": articles,
            "attribution_rule": ATTRIBUTION_RULE,
            "readers": [(name, n, n / total_views if total_views else 0) for name, n in readers],
            "readers_chart": readers_chart,
            "referrers": referrers,
            "referrers_chart": referrers_chart,
            "total_views": total_views,
        },
    )


def _query_without(request, name: str) -> str:
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()


def _daily_summary(days, daily) -> str:
    views = daily["views"]
    if not days or not any(views):
        return "No article views in this period."
    peak = max(range(len(views)), key=views.__getitem__)
    return (
        f"{_count(sum(views), 'article view')} over {_count(len(days), 'day')}, "
        f"{_count(sum(daily['walls']), 'wall')} shown and "
        f"{_count(sum(daily['checkouts']), 'checkout')} started; the busiest day was "
        f"{days[peak]:%d %B} with {_count(views[peak], 'view')}."
    )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


# --- CSV ---------------------------------------------------------------------------------


class _Echo:
    """csv.writer writes into this, and we yield what it wrote: nothing is kept."""

    def write(self, value: str) -> str:
        return value


def _csv_response(name: str, header: list[str], rows: Iterable[Iterable]):
    response = StreamingHttpResponse(
        _csv_rows(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _csv_rows(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([_safe_cell(value) for value in row])


def _safe_cell(value):
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _export_articles(scope, request):
    rows = selectors.articles(scope, sort=request.GET.get("sort", "views")).iterator(
        chunk_size=2000
    )
    return (
        ["article_id", "title", "url", "views", "walls_shown", "checkouts_attributed"],
        (
            (r.article_id, r.title, r.url or "", r.views, r.walls, r.conversions)
            for r in selectors.article_rows(rows, request=request)
        ),
    )


def _export_referrers(scope, request):
    rows = selectors.referrers(scope).iterator(chunk_size=2000)
    return ["referrer_host", "article_views"], ((r["referrer_host"], r["n"]) for r in rows)


def _export_readers(scope, request):
    return ["reader_class", "article_views"], selectors.reader_share(scope)


def _export_daily(scope, request):
    daily = selectors.daily_series(scope)
    subs = selectors.subscribers(scope)
    return (
        ["day", "article_views", "walls_shown", "checkouts_started", "paying", "trialing"],
        (
            (day.isoformat(), v, w, c, s.paying, s.trialing)
            for day, v, w, c, s in zip(
                scope.days,
                daily["views"],
                daily["walls"],
                daily["checkouts"],
                subs.series,
                strict=True,
            )
        ),
    )


def _export_funnel(scope, request):
    totals = selectors.kind_totals(scope)
    steps = [*selectors.funnel(scope, totals=totals), *selectors.other_steps(scope, totals=totals)]
    return (
        ["step", "count", "rate", "rate_of"],
        (
            (
                s.label,
                "" if s.count is None else s.count,
                "" if s.rate is None else f"{s.rate:.4f}",
                s.of,
            )
            for s in steps
        ),
    )


EXPORTS = {
    "articles": _export_articles,
    "referrers": _export_referrers,
    "readers": _export_readers,
    "daily": _export_daily,
    "funnel": _export_funnel,
}


@require_safe
@insights_required
def export(request, table: str):
    if table not in EXPORTS:
        raise Http404("No such table.")
    scope = ScopeForm(request.GET or None).scope()
    header, rows = EXPORTS[table](scope, request)
    return _csv_response(f"{table}-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.csv", header, rows)


# --- members -----------------------------------------------------------------------------


@require_safe
@insights_required
def member_list(request):
    form = MembersForm(request.GET or None)
    filters = form.filters()
    rows = members.members(**filters)
    page = members.page(
        rows, before=page_key(request.GET.get("before")), after=page_key(request.GET.get("after"))
    )
    query = request.GET.copy()
    for key in ("before", "after"):
        query.pop(key, None)
    return TemplateResponse(
        request,
        "publisher/members.html",
        {
            "form": form,
            "page": page,
            "total": rows.count(),
            "filtered": any(filters.values()),
            "query": query.urlencode(),
            "lifetime_value_rule": members.LIFETIME_VALUE_RULE,
        },
    )


@require_safe
@insights_required
def member_detail(request, user_id: int):
    user = get_object_or_404(get_user_model(), pk=user_id)
    history = members.history(user)
    if not history.subscriptions:
        raise Http404("This reader has never subscribed.")
    return TemplateResponse(
        request,
        "publisher/member.html",
        {
            "member": user,
            "history": history,
            "lifetime_value_rule": members.LIFETIME_VALUE_RULE,
            "keep_days": settings.INSIGHTS_KEEP_EVENTS_DAYS,
        },
    )


def _iso(moment) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds") if moment else ""


@require_safe
@insights_required
def member_export(request):
    rows = members.members(**MembersForm(request.GET or None).filters())
    header = [
        "email",
        "display_name",
        "plan",
        "status",
        "started",
        "trial_end",
        "renews",
        "lifetime_value_minor",
        "currency",
        "stripe_customer",
    ]

    def lines():
        for row in members.member_rows(rows.iterator(chunk_size=2000)):
            sub = row.subscription
            currency = sub.plan.currency
            yield (
                row.user.email,
                row.user.first_name,
                sub.plan.name,
                sub.status,
                _iso(sub.created_at),
                _iso(sub.trial_end),
                _iso(row.renews_at),
                row.lifetime_value.get(currency, 0),
                currency,
                row.stripe_url or "",
            )

    return _csv_response(f"members-{timezone.now():%Y%m%d}.csv", header, lines())
