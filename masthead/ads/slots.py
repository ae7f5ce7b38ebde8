"""Which ads a reader sees: none at all for readers with paid access."""

from __future__ import annotations

from django.core.cache import cache
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from masthead.ads.models import AdSettings, AdSlot, Placement
from masthead.billing import selectors as billing_selectors
from masthead.core import generations
from masthead.core.memo import Memo

CACHE_KEY = "ads:slots"
# Written in an ad's HTML, this becomes the offer of the cheapest active plan when the ad
# is served ("Subscribe from $2.00 a week, with 14 days free."), so a house ad never
# quotes a price the plans no longer have.
OFFER = "{subscribe_offer}"

HOUSE_ADS = (
    {
        "name": "Subscribe house ad",
        "placement": Placement.ARTICLE_INLINE,
        "html": '<a class="house-ad" href="/subscribe/"><strong>Read without limits, and without '
        f"ads.</strong> {OFFER}</a>",
    },
    {
        "name": "Newsletter house ad",
        "placement": Placement.ARTICLE_FOOT,
        "html": '<a class="house-ad" href="/subscribe/"><strong>Independent reporting needs '
        "readers like you.</strong> Support local journalism: become a subscriber.</a>",
    },
    {
        "name": "Home page house ad",
        "placement": Placement.HOME,
        "html": '<a class="house-ad" href="/subscribe/"><strong>All of our reporting, none of '
        "the ads.</strong> Try 14 days free.</a>",
    },
)


def forget_cached_slots(**_signal_kwargs) -> None:
    cache.delete(CACHE_KEY)
    # Ads are on every page, and in the bytes of cached listing pages.
    generations.bump(generations.SITE)


_memo = Memo(max_entries=16)


def _load_slots() -> dict[str, str]:
    slots = cache.get(CACHE_KEY)
    if slots is None:
        slots = {}
        for slot in AdSlot.objects.filter(active=True):
            slots.setdefault(slot.placement, slot.html)
        cache.set(CACHE_KEY, slots, 300)
    return slots


def render_slot(placement: str, *, paid_access: bool, request=None) -> str:
    """The slot's HTML, or nothing at all (no markup, no script) for paying readers."""
    if paid_access:
        return ""
    gen = generations.current(request, generations.SITE)
    return _memo.get_or_set(("slot", gen, placement), lambda: _slot_html(gen, placement))


def subscribe_offer() -> str:
    """The cheapest active plan's offer, in a sentence; plain text."""
    plans = billing_selectors.active_plans()
    if not plans:
        return "Subscribe today."
    plan = min(plans, key=lambda p: (p.price_minor, p.position))
    trial = f", with {plan.trial_days} days free" if plan.trial_days else ""
    return f"Subscribe from {plan.price_display} {plan.per_interval}{trial}."


def _slot_html(generation: int, placement: str) -> str:
    """Made once per site generation, which plans bump too (so the offer stays true)."""
    html = _memo.get_or_set(("ads", generation), _load_slots).get(placement)
    if not html:
        return ""
    if OFFER in html:
        html = html.replace(OFFER, conditional_escape(subscribe_offer()))
    return format_html(
        '<aside class="ad-slot ad-slot--{}" aria-label="Advertisement">'
        '<span class="ad-slot__label">Advertisement</span>{}</aside>',
        placement,
        mark_safe(html),  # noqa: S308 - editors' ad tags are trusted by design
    )


def paragraphs_per_ad(request) -> int:
    """The editor's ad spacing, kept per process until the site generation moves."""
    gen = generations.current(request, generations.SITE)
    return _memo.get_or_set(
        ("every", gen, request.get_host()),
        lambda: AdSettings.for_request(request).paragraphs_per_ad,
    )


# The first demo's subscribe ad quoted its price; a database it made gets the offer.
_OLD_SUBSCRIBE_AD = (
    '<a class="house-ad" href="/subscribe/"><strong>Read without limits, and without '
    "ads.</strong> Subscribe from $0.50 a week, with 14 days free.</a>"
)


def house_ads_ensure() -> None:
    """The demo's house ads, created once."""
    if AdSlot.objects.exists():
        for slot in AdSlot.objects.filter(html=_OLD_SUBSCRIBE_AD):
            slot.html = HOUSE_ADS[0]["html"]
            slot.save(update_fields=["html"])
        return
    for position, spec in enumerate(HOUSE_ADS):
        AdSlot.objects.create(position=position, **spec)
