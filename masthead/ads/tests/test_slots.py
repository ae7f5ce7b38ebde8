"""The house ad's offer follows the plans instead of quoting a price of its own."""

import pytest
from django.test import Client

from masthead.ads import slots
from masthead.ads.models import AdSlot, Placement
from masthead.billing.models import Interval, Plan
from masthead.content.tests.helpers import demo_article

pytestmark = pytest.mark.django_db


def inline_ad() -> str:
    page = Client().get(demo_article("free").url).content.decode()
    start = page.index('class="ad-slot ad-slot--article_inline"')
    return page[start : page.index("</aside>", start)]


def test_the_subscribe_house_ad_quotes_the_cheapest_active_plan():
    cheapest = min(Plan.objects.filter(active=True), key=lambda p: p.price_minor)
    ad = inline_ad()
    assert f"Subscribe from {cheapest.price_display} a {cheapest.interval}" in ad
    assert f"with {cheapest.trial_days} days free." in ad
    assert "$0.50" not in ad
    assert slots.OFFER not in ad


def test_a_plan_change_changes_the_offer_on_the_next_page():
    inline_ad()  # made and kept under the current site generation
    Plan.objects.filter(active=True).update(active=False)
    Plan.objects.create(
        name="Student", price_minor=125, interval=Interval.MONTH, trial_days=0, position=9
    )  # saving a plan bumps the site generation
    ad = inline_ad()
    assert "Subscribe from $1.25 a month." in ad
    assert "days free" not in ad


def test_with_no_active_plan_the_ad_names_no_price():
    Plan.objects.update(active=False)
    assert slots.subscribe_offer() == "Subscribe today."


def test_a_database_from_the_first_demo_gets_the_offer_instead_of_the_old_price():
    ad = AdSlot.objects.get(name="Subscribe house ad")
    ad.html = slots._OLD_SUBSCRIBE_AD
    ad.save()
    slots.house_ads_ensure()
    ad.refresh_from_db()
    assert slots.OFFER in ad.html
    assert ad.placement == Placement.ARTICLE_INLINE
