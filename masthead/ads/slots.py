"""Which ads a reader sees: none at all for readers with paid access."""

from __future__ import annotations

from django.core.cache import cache
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from masthead.ads.models import AdSettings, AdSlot, Placement
from masthead.core import generations
from masthead.core.memo import Memo

CACHE_KEY = "ads:slots"

HOUSE_ADS = (
    {
        "name": "Subscribe house ad",
        "placement": Placement.ARTICLE_INLINE,
        "html": '<a class="house-ad" href="/subscribe/"><strong>Read without limits, and without '
        "ads.</strong> Subscribe from $0.50 a week, with 14 days free.</a>",
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


def _slot_html(generation: int, placement: str) -> str:
    html = _memo.get_or_set(("ads", generation), _load_slots).get(placement)
    if not html:
        return ""
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


def house_ads_ensure() -> None:
    """The demo's house ads, created once."""
    if AdSlot.objects.exists():
        return
    for position, spec in enumerate(HOUSE_ADS):
        AdSlot.objects.create(position=position, **spec)
