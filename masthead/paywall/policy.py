"""The paywall's rules: who reads an article whole, and what everyone else sees.

Pure Python on purpose: no Django, no I/O, no clock. The caller gathers the
facts (who is reading, what the article is, what the meter holds, which
policy is in force, how the page was asked for) and renders whatever
``decide`` returns. ``docs/paywall.md`` states the rules these follow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class ReaderClass(StrEnum):
    ANONYMOUS = "anonymous"
    REGISTERED = "registered"
    SUBSCRIBER = "subscriber"
    STAFF = "staff"
    # A search engine verified by DNS.
    CRAWLER = "crawler"
    # A client naming a crawler that it cannot be shown to be: never gated text, no meter.
    BOT = "bot"


class Access(StrEnum):
    FREE = "free"
    METERED = "metered"
    SUBSCRIBERS = "subscribers"


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class Outcome(StrEnum):
    WHOLE = "whole"
    TEASER = "teaser"
    # No reader cookie yet: send the client round once to get one.
    IDENTIFY = "identify"
    # A speculative load (prefetch, prerender) of gated text: answered with a
    # retryable refusal, so the browser asks again when the reader navigates.
    DEFER = "defer"


class Prompt(StrEnum):
    NONE = "none"
    SUBSCRIBE = "subscribe"
    LIMIT_REACHED = "limit_reached"


@dataclass(frozen=True, slots=True)
class Reader:
    reader_class: ReaderClass
    # An anonymous reader is identified once it has returned a signed reader
    # cookie; accounts are always identified.
    identified: bool = True
    # The redirect that sets the cookie was already made once for this URL.
    identify_attempted: bool = False
    # For a bot: the crawler family its User-Agent names (``crawlers.Family.key``).
    crawler_family: str = ""


@dataclass(frozen=True, slots=True)
class Article:
    id: int
    access: Access


@dataclass(frozen=True, slots=True)
class View:
    """How the page was asked for."""

    # A real page view: GET, not a prefetch or prerender. Only these count.
    countable: bool = True
    # Prefetch or prerender by GET: the reader has not asked to read yet.
    speculative: bool = False
    # The request carries a working gift link for this very article (the caller has
    # checked the token, the article it is bound to, revocation, expiry and openings).
    gift: bool = False


@dataclass(frozen=True, slots=True)
class MeterState:
    """What the meter holds for this reader in the current period."""

    read_count: int = 0
    already_read: bool = False
    # Whole metered articles served to anonymous readers from this address.
    address_count: int = 0
    # The store could not be reached: nothing is known, so nothing metered is served.
    available: bool = True
    # The atomic check-and-record just added this article (the count includes it).
    just_recorded: bool = False


@dataclass(frozen=True, slots=True)
class Policy:
    anonymous_limit: int = 3
    registered_limit: int = 5
    teaser_blocks: int = 2
    period: Period = Period.DAY
    crawler_access: bool = True
    # 0 turns the per-address backstop off.
    address_cap: int = 0
    # Crawler families that get the teaser of every article, free ones too.
    teaser_only_crawlers: frozenset[str] = frozenset()

    def limit_for(self, reader_class: ReaderClass) -> int:
        if reader_class is ReaderClass.REGISTERED:
            return self.registered_limit
        return self.anonymous_limit


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    reason: str
    prompt: Prompt = Prompt.NONE
    # Record this article in the meter (an atomic check-and-record must confirm it).
    record: bool = False
    # Free metered articles left after this one, when the meter applies.
    remaining: int | None = None
    # Mark the page up as paywalled content that a verified crawler may read.
    crawler_markup: bool = False
    # An anonymous reader would get this many more articles by registering.
    register_offer: int = 0
    # A page view for the publisher's funnel (HEAD and speculative loads are not).
    counts_as_view: bool = True

    @property
    def whole(self) -> bool:
        return self.outcome is Outcome.WHOLE


def needs_meter(reader: Reader, article: Article) -> bool:
    """Whether ``decide`` needs this reader's meter for this article."""
    return (
        article.access is Access.METERED
        and reader.identified
        and reader.reader_class in (ReaderClass.ANONYMOUS, ReaderClass.REGISTERED)
    )


def decide(
    reader: Reader, article: Article, meter: MeterState, policy: Policy, view: View = View()
) -> Decision:
    """Apply the rules in order; the first that matches decides."""
    decision = _decide(reader, article, meter, policy, view)
    if not view.countable:
        decision = replace(decision, counts_as_view=False)
    return decision


def _decide(
    reader: Reader, article: Article, meter: MeterState, policy: Policy, view: View
) -> Decision:
    if reader.reader_class is ReaderClass.BOT and reader.crawler_family in (
        policy.teaser_only_crawlers
    ):
        return Decision(Outcome.TEASER, "crawler policy: teaser only")
    if article.access is Access.FREE:
        return Decision(Outcome.WHOLE, "free article")
    if view.speculative:
        return Decision(Outcome.DEFER, "speculative load of a gated article")
    if reader.reader_class in (ReaderClass.STAFF, ReaderClass.SUBSCRIBER):
        return Decision(Outcome.WHOLE, f"{reader.reader_class} reads everything")
    if view.gift:
        # A subscriber's gift: this one article, whole, outside the meter.
        return Decision(Outcome.WHOLE, "gift link")
    if article.access is Access.SUBSCRIBERS:
        return Decision(Outcome.TEASER, "subscribers-only article", Prompt.SUBSCRIBE)
    if reader.reader_class is ReaderClass.BOT:
        return _limit_reached(reader, policy, "unverified crawler")
    if reader.reader_class is ReaderClass.CRAWLER:
        if policy.crawler_access:
            return Decision(Outcome.WHOLE, "verified crawler", crawler_markup=True)
        return _limit_reached(reader, policy, "crawler access is off")
    if not reader.identified:
        if reader.identify_attempted:
            return _limit_reached(reader, policy, "client keeps no reader cookie")
        return Decision(Outcome.IDENTIFY, "no reader cookie yet")
    if not meter.available:
        return Decision(Outcome.TEASER, "meter unavailable", Prompt.SUBSCRIBE)

    limit = policy.limit_for(reader.reader_class)
    if meter.just_recorded and view.countable:
        return Decision(
            Outcome.WHOLE,
            "within the meter",
            record=True,
            remaining=max(0, limit - meter.read_count),
        )
    if meter.already_read:
        return Decision(
            Outcome.WHOLE, "re-read in this period", remaining=max(0, limit - meter.read_count)
        )
    if meter.read_count >= limit:
        return _limit_reached(reader, policy, "meter limit reached")
    if (
        reader.reader_class is ReaderClass.ANONYMOUS
        and policy.address_cap
        and meter.address_count >= policy.address_cap
    ):
        return _limit_reached(reader, policy, "per-address cap reached")
    if not view.countable:
        # Serving it whole would be a read the meter never saw.
        return Decision(Outcome.TEASER, "not a countable view", Prompt.SUBSCRIBE)
    return Decision(
        Outcome.WHOLE, "within the meter", record=True, remaining=limit - meter.read_count - 1
    )


def _limit_reached(reader: Reader, policy: Policy, reason: str) -> Decision:
    offer = 0
    if reader.reader_class is ReaderClass.ANONYMOUS:
        offer = max(0, policy.registered_limit - policy.anonymous_limit)
    return Decision(Outcome.TEASER, reason, Prompt.LIMIT_REACHED, register_offer=offer)


def period_start(now: datetime, period: Period, zone: ZoneInfo) -> date:
    """The first day of the period containing ``now`` in the publication's zone."""
    local = now.astimezone(zone).date()
    if period is Period.WEEK:
        return local - timedelta(days=local.weekday())
    if period is Period.MONTH:
        return local.replace(day=1)
    return local


def period_key(now: datetime, period: Period, zone: ZoneInfo) -> str:
    return f"{period.value}:{period_start(now, period, zone).isoformat()}"


def period_end(now: datetime, period: Period, zone: ZoneInfo) -> datetime:
    """When the period containing ``now`` ends, in UTC."""
    start = period_start(now, period, zone)
    if period is Period.DAY:
        end = start + timedelta(days=1)
    elif period is Period.WEEK:
        end = start + timedelta(days=7)
    else:
        end = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    # In UTC: two datetimes sharing a zone subtract as wall-clock times, which is an
    # hour off across a daylight-saving change.
    return datetime(end.year, end.month, end.day, tzinfo=zone).astimezone(UTC)


def seconds_left_in_period(now: datetime, period: Period, zone: ZoneInfo) -> int:
    """How long the meter of the current period must be kept."""
    remaining = period_end(now, period, zone) - now.astimezone(UTC)
    return max(1, math.ceil(remaining.total_seconds()))


def period_word(period: Period) -> tuple[str, str]:
    """("daily", "today") and the like, for the reader-facing wording."""
    return {
        Period.DAY: ("daily", "today"),
        Period.WEEK: ("weekly", "this week"),
        Period.MONTH: ("monthly", "this month"),
    }[period]
