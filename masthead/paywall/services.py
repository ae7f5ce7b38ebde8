"""Serving an article through the paywall: identify, decide, count, assemble.

The rendered *whole* and *teaser* variants of each article are cached per
content generation; a request only decides, makes at most one atomic meter
call and fills the small reader-specific slots of the cached bytes.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape

from masthead.ads import slots as ads
from masthead.billing import entitlements
from masthead.comments.section import COMMENTS_SLOT
from masthead.comments.section import render_section as comments_section
from masthead.content import page_cache
from masthead.content.jsonld import GATED_CSS_CLASS
from masthead.paywall import events, identity, meter, policy
from masthead.paywall.policy import Access, Decision, MeterState, Outcome, Prompt, ReaderClass

logger = logging.getLogger(__name__)

NOTICE_SLOT = "<!--mh:notice-->"
PROMPT_SLOT = "<!--mh:prompt-->"
ACCOUNT_SLOT = "<!--mh:account-->"
# One reader's flash messages must never be baked into bytes others are served.
MESSAGES_SLOT = "<!--mh:messages-->"
WHOLE, TEASER = "whole", "teaser"
INLINE_AD_AFTER_BLOCKS = 3


@dataclass(frozen=True)
class ArticleRef:
    page_id: int
    access: Access


@dataclass(frozen=True)
class SitePaywall:
    policy: policy.Policy
    zone_name: str

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.zone_name)


_memo = page_cache.GenerationMemo()


def site_paywall(request: HttpRequest) -> SitePaywall:
    """The paywall settings in force; saving them bumps the content generation."""

    def load() -> SitePaywall:
        from masthead.content.models import PublicationSettings
        from masthead.paywall.models import PaywallSettings

        settings_row = PaywallSettings.for_request(request)
        zone = settings_row.time_zone or PublicationSettings.for_request(request).time_zone
        return SitePaywall(settings_row.as_policy(), zone)

    gen = page_cache.request_generation(request)
    return _memo.get_or_set(("settings", gen, request.get_host()), load)


def is_countable(request: HttpRequest) -> bool:
    """Only a real page view by GET counts; HEAD, prefetch and prerender never do."""
    purpose = request.headers.get("Sec-Purpose", "") + request.headers.get("Purpose", "")
    return request.method == "GET" and "prefetch" not in purpose and "prerender" not in purpose


def decide(request: HttpRequest, article: ArticleRef) -> tuple[Decision, identity.ReaderIdentity]:
    """The decision for this request, with its read recorded when it uses the meter."""
    who = identity.identify(request, entitlements=entitlements.for_request)
    site = site_paywall(request)
    rules = site.policy
    candidate = policy.Article(article.page_id, article.access)
    uses_meter = (
        article.access is Access.METERED
        and who.meter_key is not None
        and who.reader.reader_class in (ReaderClass.ANONYMOUS, ReaderClass.REGISTERED)
    )
    if not uses_meter:
        return policy.decide(who.reader, candidate, MeterState(), rules), who

    now = timezone.now()
    period = policy.period_key(now, rules.period, site.zone)
    address = None
    if who.reader.reader_class is ReaderClass.ANONYMOUS and rules.address_cap:
        address = identity.address_key(identity.client_address(request), period)
    key = meter.MeterKey(who.meter_key, period, address)
    store = meter.get_store()
    try:
        state = store.peek(key, article.page_id)
        decision = policy.decide(who.reader, candidate, state, rules)
        if decision.record:
            if not is_countable(request):
                return Decision(Outcome.TEASER, "not a countable view", Prompt.SUBSCRIBE), who
            result = store.record(
                key,
                article.page_id,
                limit=rules.limit_for(who.reader.reader_class),
                address_cap=rules.address_cap if address else 0,
                ttl=policy.seconds_left_in_period(now, rules.period, site.zone) + 3600,
            )
            if not result.recorded:
                # Another request took the last free article first.
                decision = policy.decide(who.reader, candidate, result.state, rules)
    except (meter.MeterUnavailable, DatabaseError):
        logger.exception("meter store failed; serving the teaser")
        decision = Decision(Outcome.TEASER, "meter unavailable", Prompt.SUBSCRIBE)
    return decision, who


def _variant_key(request: HttpRequest, variant: str) -> str:
    return f"article-variant:{variant}:{page_cache.location(request)}"


def variant_keys(request: HttpRequest) -> list[str]:
    return [_variant_key(request, v) for v in (WHOLE, TEASER)]


def cached_variants(request: HttpRequest) -> dict[str, tuple] | None:
    """Both variants of the article at this URL when fresh: {variant: (page_id, access, html)}."""
    keys = dict(zip(variant_keys(request), (WHOLE, TEASER), strict=True))
    found = getattr(request, page_cache.PREFETCHED_ATTRIBUTE, None)
    if found is None:
        found = cache.get_many([page_cache.GENERATION_KEY, *keys])
        setattr(request, page_cache.PREFETCHED_ATTRIBUTE, found)
    gen = found.get(page_cache.GENERATION_KEY)
    variants = {}
    for key, variant in keys.items():
        entry = found.get(key)
        if entry is None or entry[0] != gen:
            return None
        variants[variant] = entry[1:]
    return variants


def render_variants(request: HttpRequest, page) -> dict[str, tuple]:
    """Render the whole and teaser variants of ``page``, and cache them for this URL.

    Previews and pages with view restrictions are rendered but never cached:
    the cached path answers before Wagtail could check who may see them.
    """
    gen = page_cache.request_generation(request)
    cacheable = not getattr(request, "is_preview", False) and not page.get_view_restrictions()
    teaser_blocks = site_paywall(request).policy.teaser_blocks
    variants = {}
    template, context = page.get_template(request), page.get_context(request)
    for variant in (WHOLE, TEASER):
        html = render_to_string(
            template, context | _variant_context(page, variant, teaser_blocks), request=request
        )
        variants[variant] = (page.pk, page.access_level, html)
        if cacheable:
            cache.set(_variant_key(request, variant), (gen, *variants[variant]), 24 * 3600)
    return variants


def _variant_context(page, variant: str, teaser_blocks: int) -> dict:
    blocks = list(page.body)
    if page.access_level == Access.FREE:
        open_blocks, gated_blocks = blocks, []
    else:
        # The teaser variant is cut here, on the server: the rest is never rendered.
        open_blocks = blocks[:teaser_blocks]
        gated_blocks = blocks[teaser_blocks:] if variant == WHOLE else []
    inline_ad_after = INLINE_AD_AFTER_BLOCKS
    return {
        "open_blocks": open_blocks,
        "gated_blocks": gated_blocks,
        "paywall_variant": variant if page.access_level != Access.FREE else WHOLE,
        "gated_css_class": GATED_CSS_CLASS,
        "notice_slot": NOTICE_SLOT,
        "prompt_slot": PROMPT_SLOT,
        # Ad markers, filled per request (and left empty for paying readers).
        "open_ad_index": inline_ad_after,
        "gated_ad_index": inline_ad_after - len(open_blocks),
        "inline_ad_marker": ads.SLOT_MARKER.format(placement="article_inline"),
        "foot_ad_marker": ads.SLOT_MARKER.format(placement="article_foot"),
        "comments_slot": COMMENTS_SLOT,
    }


def serve_article(
    request: HttpRequest, article: ArticleRef, variants: dict | None, load_page: Callable
) -> HttpResponse:
    if request.method == "GET" and not is_countable(request) and article.access is not Access.FREE:
        # A speculative load must neither use up the meter nor show a prompt the
        # reader would then see on navigation; the browser fetches again for real.
        response = HttpResponse("Gated articles are not served to prefetch.", status=503)
        response["Cache-Control"] = "no-store"
        return response
    if identity.IDENTIFY_MARKER in request.GET and (
        request.user.is_authenticated or identity.anonymous_id(request)
    ):
        # The cookie came back: drop the marker so the address bar (and any
        # link copied from it) shows the article's own URL. Nothing is counted yet.
        return _clean_url_redirect(request)
    decision, who = decide(request, article)
    if decision.outcome is Outcome.IDENTIFY:
        return _identify_redirect(request)
    if variants is None:
        variants = render_variants(request, load_page())
    _, access, html = variants[WHOLE if decision.whole else TEASER]
    html = html.replace(NOTICE_SLOT, notice_html(request, decision), 1)
    html = html.replace(PROMPT_SLOT, prompt_html(request, decision, who), 1)
    html = html.replace(ACCOUNT_SLOT, account_links_html(request), 1)
    html = html.replace(MESSAGES_SLOT, messages_html(request), 1)
    html = ads.fill_markers(
        html,
        paid_access=who.reader.reader_class is ReaderClass.SUBSCRIBER,
        generation=page_cache.request_generation(request),
    )
    if COMMENTS_SLOT in html:
        html = html.replace(COMMENTS_SLOT, comments_section(request, article.page_id), 1)
    response = HttpResponse(html)
    if article.access is Access.FREE:
        # Alike for every reader without a session: keep it in the shared page cache.
        page_cache.mark_cacheable(request=request, response=response)
    else:
        page_cache.set_cache_headers(response, shared=False)
    events.record(
        events.EventKind.ARTICLE_VIEW,
        article_id=article.page_id,
        reader_class=who.reader.reader_class,
        outcome=decision.outcome,
    )
    if decision.prompt is not Prompt.NONE:
        events.record(
            events.EventKind.PAYWALL_SHOWN,
            article_id=article.page_id,
            reader_class=who.reader.reader_class,
            outcome=decision.prompt,
        )
    return response


def _identify_redirect(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    params[identity.IDENTIFY_MARKER] = identity.identify_marker()
    response = HttpResponseRedirect(f"{request.path}?{params.urlencode()}")
    identity.set_reader_cookie(response, identity.new_reader_id())
    response["Cache-Control"] = "private, no-store"
    return response


def _clean_url_redirect(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    params.pop(identity.IDENTIFY_MARKER, None)
    query = params.urlencode()
    response = HttpResponseRedirect(request.path + (f"?{query}" if query else ""))
    response["Cache-Control"] = "private, no-store"
    return response


def notice_html(request: HttpRequest, decision: Decision) -> str:
    if decision.remaining is None or not decision.whole:
        return ""
    _, when = policy.period_word(site_paywall(request).policy.period)
    count = decision.remaining
    if decision.record and count == 0:
        text = f"This is your last free article {when}."
    elif not decision.record:
        text = f"You read this article {when}, so it is still free to read again."
    else:
        text = f"You have {count} free {'article' if count == 1 else 'articles'} left {when}."
    subscribe_url = escape(f"/subscribe/?{urlencode({'next': request.path})}")
    return (
        f'<p class="meter-notice" role="status">{text} '
        f'<a href="{subscribe_url}">Subscribe for unlimited access</a></p>'
    )


def prompt_html(request: HttpRequest, decision: Decision, who) -> str:
    if decision.prompt is Prompt.NONE:
        return ""
    trial_available = who.user_entitlement.trial_available if who.user_entitlement else True

    def render() -> str:
        from masthead.billing.selectors import active_plans

        adjective, _ = policy.period_word(site_paywall(request).policy.period)
        plans = active_plans()
        trial_days = max((p.trial_days for p in plans), default=0) if trial_available else 0
        return render_to_string(
            "paywall/prompt.html",
            {
                "limit_reached": decision.prompt is Prompt.LIMIT_REACHED,
                "period_adjective": adjective,
                "plans": plans,
                "trial_days": trial_days,
                "register_offer": decision.register_offer,
                "next_query": urlencode({"next": request.path}),
            },
        )

    key = (
        "prompt",
        page_cache.request_generation(request),
        request.path,
        decision.prompt,
        decision.register_offer,
        trial_available,
    )
    return _memo.get_or_set(key, render)


def messages_html(request: HttpRequest) -> str:
    if not hasattr(request, "_messages"):
        return ""
    pending = list(get_messages(request))
    if not pending:
        return ""
    return render_to_string("includes/messages.html", {"messages": pending})


def account_links_html(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    next_query = urlencode({"next": request.path})
    subscribe = f'<a class="button button--small" href="/subscribe/?{next_query}">Subscribe</a>'
    if user is not None and user.is_authenticated:
        name = escape(user.email or user.get_username())
        links = f'<a class="account-links__login" href="/account/">{name}</a>'
        if not user.is_staff and not entitlements.for_request(request).paid_access:
            links += f" {subscribe}"
        return links
    return (
        f'<a class="account-links__login" href="/accounts/login/?{next_query}">Log in</a> '
        f"{subscribe}"
    )


def meter_merge(*, request: HttpRequest, source: str, target: str) -> None:
    site = site_paywall(request)
    now = timezone.now()
    meter.get_store().merge(
        source=source,
        target=target,
        period=policy.period_key(now, site.policy.period, site.zone),
        ttl=policy.seconds_left_in_period(now, site.policy.period, site.zone) + 3600,
    )
