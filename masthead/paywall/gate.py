"""The paywall for one request: who is reading, what the policy decides, one meter call."""

from __future__ import annotations

import logging
import math
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone

from masthead.content.models import PublicationSettings
from masthead.core import generations, requests
from masthead.core.memo import Memo
from masthead.gifts import links as gift_links
from masthead.paywall import identity, meter, policy
from masthead.paywall.crawlers import Permission
from masthead.paywall.models import CrawlerSettings, PaywallSettings
from masthead.paywall.policy import Decision, MeterState, ReaderClass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SitePaywall:
    policy: policy.Policy
    zone_name: str

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.zone_name)


_memo = Memo(max_entries=64)
_final_meters = Memo(max_entries=100_000)


def site_paywall(request: HttpRequest) -> SitePaywall:
    """The paywall settings in force; saving them bumps the site generation."""

    def load() -> SitePaywall:
        settings_row = PaywallSettings.for_request(request)
        zone = settings_row.time_zone or PublicationSettings.for_request(request).time_zone
        return SitePaywall(settings_row.as_policy(), zone)

    gen = generations.current(request, generations.SITE)
    return _memo.get_or_set(("settings", gen, requests.host(request)), load)


def crawler_rules(request: HttpRequest, rules: policy.Policy) -> policy.Policy:
    """``rules`` with the editor's crawler policy: read only for crawlers and bots, so a
    reader's first article after a settings change costs no query for it."""

    def load() -> tuple[bool, frozenset[str]]:
        row = CrawlerSettings.for_request(request)
        return row.search_engines == Permission.ALLOW, row.teaser_only()

    gen = generations.current(request, generations.SITE)
    access, teaser_only = _memo.get_or_set(("crawlers", gen, requests.host(request)), load)
    return replace(rules, crawler_access=access, teaser_only_crawlers=teaser_only)


def view_of(request: HttpRequest) -> policy.View:
    meta = request.META
    purpose = meta.get("HTTP_SEC_PURPOSE", "") + meta.get("HTTP_PURPOSE", "")
    speculative = "prefetch" in purpose or "prerender" in purpose
    return policy.View(
        countable=request.method == "GET" and not speculative,
        speculative=request.method == "GET" and speculative,
    )


def decide(
    request: HttpRequest, article: policy.Article, *, entitlements: Callable
) -> tuple[Decision, identity.ReaderIdentity]:
    """The decision for this request, with its read recorded when the policy grants one.

    ``entitlements`` is billing's ``for_request``. A countable view makes one
    atomic check-and-record call; anything else only peeks at the meter.
    """
    who = identity.identify(request, entitlements=entitlements)
    site = site_paywall(request)
    rules, view = site.policy, view_of(request)
    if who.reader.reader_class in (ReaderClass.CRAWLER, ReaderClass.BOT):
        rules = crawler_rules(request, rules)
    if gift_links.carries_gift(request) and _gift_may_apply(who.reader, article, view):
        gift = gift_links.redeem(request, article.id, count=view.countable)
        if gift is not None:
            return policy.decide(
                who.reader, article, MeterState(), rules, replace(view, gift=True)
            ), (replace(who, gift=gift))
    state = MeterState()
    if policy.needs_meter(who.reader, article) and not view.speculative:
        state = _meter_state(request, who, article, rules, site.zone, record=view.countable)
    return policy.decide(who.reader, article, state, rules, view), who


def _gift_may_apply(reader: policy.Reader, article: policy.Article, view: policy.View) -> bool:
    """Whether a gift could change what this reader gets: not for free articles, not for
    readers who read everything, not for crawlers, not for a prefetch (no opening is
    spent on a page the reader has not asked for)."""
    return (
        article.access is not policy.Access.FREE
        and not view.speculative
        and reader.reader_class in (ReaderClass.ANONYMOUS, ReaderClass.REGISTERED)
    )


@dataclass(frozen=True)
class _MeterPeriod:
    key: str
    # The span of POSIX times this key was computed for: from the first read that
    # asked to the end of the period.
    starts: float
    ends: float


def _meter_period(now, period: policy.Period, zone: zoneinfo.ZoneInfo) -> tuple[str, int]:
    """The meter period's key and the seconds left in it; the calendar work is done
    once per period and zone, not for every read."""
    moment = now.timestamp()
    known = _memo.get(("period", period, zone))
    if known is None or not known.starts <= moment < known.ends:
        key = policy.period_key(now, period, zone)
        known = _MeterPeriod(key, moment, policy.period_end(now, period, zone).timestamp())
        _memo.set(("period", period, zone), known)
    return known.key, max(1, math.ceil(known.ends - moment))


def _meter_state(request, who, article, rules, zone, *, record: bool) -> MeterState:
    now = timezone.now()
    period, seconds_left = _meter_period(now, rules.period, zone)
    address = None
    if who.reader.reader_class is ReaderClass.ANONYMOUS and rules.address_cap:
        address = identity.address_key(identity.client_address(request), period)
    key = meter.MeterKey(who.meter_key, period, address)
    limit = rules.limit_for(who.reader.reader_class)
    # An anonymous meter at its limit can take no more reads this period, and nothing
    # merges into it (merges go into accounts, or into a new id at logout before its
    # cookie is out): its reads are final, so this process may remember them.
    final_key = (who.meter_key, period, limit) if who.meter_key.startswith("a:") else None
    final = _final_meters.get(final_key) if final_key else None
    if final is not None:
        return MeterState(read_count=len(final), already_read=article.id in final)
    store = meter.get_store()
    try:
        if not record:
            return store.peek(key, article.id)
        result = store.record(
            key,
            article.id,
            limit=limit,
            address_cap=rules.address_cap if address else 0,
            ttl=seconds_left + 3600,
        )
        if final_key and not result.recorded and result.state.read_count >= limit:
            _final_meters.set(final_key, store.reads(key))
        return result.state
    except (meter.MeterUnavailable, DatabaseError):
        logger.exception("meter store failed; serving the teaser")
        return MeterState(available=False)


def identify_redirect(request: HttpRequest) -> HttpResponse:
    """Send a cookieless client round once, with the cookie and a signed marker."""
    params = request.GET.copy()
    params[identity.IDENTIFY_MARKER] = identity.identify_marker()
    response = HttpResponseRedirect(f"{request.path}?{params.urlencode()}")
    identity.set_reader_cookie(response, identity.new_reader_id())
    response["Cache-Control"] = "private, no-store"
    return response


def returned_with_cookie(request: HttpRequest) -> bool:
    """The marker is in the URL and the reader is now known: time to drop the marker."""
    if not identity.has_identify_marker(request):
        return False
    user = getattr(request, "user", None)
    return (user is not None and user.is_authenticated) or identity.anonymous_id(
        request
    ) is not None


def clean_url_redirect(request: HttpRequest) -> HttpResponse:
    """The article's own URL, so the address bar (and a link copied from it) has no marker."""
    params = request.GET.copy()
    params.pop(identity.IDENTIFY_MARKER, None)
    query = params.urlencode()
    response = HttpResponseRedirect(request.path + (f"?{query}" if query else ""))
    response["Cache-Control"] = "private, no-store"
    return response


def deferred_response() -> HttpResponse:
    # A speculative load must neither use up the meter nor show a prompt the
    # reader would then see on navigation; the browser fetches again for real.
    response = HttpResponse("Gated articles are not served to prefetch.", status=503)
    response["Cache-Control"] = "no-store"
    return response


def meter_merge(*, request: HttpRequest, source: str, target: str) -> None:
    site = site_paywall(request)
    now = timezone.now()
    meter.get_store().merge(
        source=source,
        target=target,
        period=policy.period_key(now, site.policy.period, site.zone),
        ttl=policy.seconds_left_in_period(now, site.policy.period, site.zone) + 3600,
    )


def merge_meter_at_login(sender, request, user, **kwargs):
    """Carry this period's anonymous reads into the account: no reset, no double count."""
    reader_id = identity.anonymous_id(request)
    if reader_id is None:
        return
    try:
        meter_merge(request=request, source=f"a:{reader_id}", target=f"u:{user.pk}")
    except Exception:  # a meter outage must not stop anyone logging in
        logger.exception("meter merge failed at login")


# Set on the request at logout; the response gives the browser this reader cookie.
READER_AT_LOGOUT = "paywall_reader_at_logout"


def meter_handover_at_logout(sender, request, user, **kwargs):
    """A new anonymous meter for the logged-out browser, seeded with this period's reads.

    It starts as the union of the browser's anonymous meter and the account's, so it is
    at least as used as either: logging out never hands back a fresh allowance, even
    for a browser that went straight to the login page and so never had a reader cookie.
    A new id rather than the old one: an anonymous meter already in use is never merged
    into, which keeps ``_final_meters`` true. Call ``reader_cookie_after_logout`` on the
    response. On a meter failure the browser keeps its cookie and the failure is logged.
    """
    if request is None or user is None:
        return
    reader_id = identity.new_reader_id()
    target = f"a:{reader_id}"
    sources = [f"u:{user.pk}"]
    previous = identity.anonymous_id(request)
    if previous is not None:
        sources.append(f"a:{previous}")
    try:
        for source in sources:
            meter_merge(request=request, source=source, target=target)
    except Exception:  # a meter outage must not stop anyone logging out
        logger.exception("meter handover failed at logout")
        return
    setattr(request, READER_AT_LOGOUT, reader_id)


def reader_cookie_after_logout(request: HttpRequest, response: HttpResponse) -> None:
    """Give the browser the meter ``meter_handover_at_logout`` prepared, if any."""
    reader_id = getattr(request, READER_AT_LOGOUT, None)
    if reader_id is not None:
        identity.set_reader_cookie(response, reader_id)
