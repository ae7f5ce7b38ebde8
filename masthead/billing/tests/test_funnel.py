"""From the paywall's plan row to a paid subscription over HTTP, counting the funnel.

An anonymous reader reaches the meter's limit, picks a plan in the prompt, signs
up, confirms the e-mail address and lands straight in that plan's checkout, then
back on the article. Every kind of reader event is written on the way.
"""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client

from masthead.billing.models import Plan, Subscription, SubscriptionStatus
from masthead.content import demo_data
from masthead.content.models import ArticlePage
from masthead.insights import events
from masthead.insights.models import EventKind, ReaderEvent

pytestmark = pytest.mark.django_db

PASSWORD = "a long test password 42"
ANONYMOUS_LIMIT = 3


def metered_articles() -> list[ArticlePage]:
    slugs = [a["slug"] for a in demo_data.ARTICLES if a["access"] == "metered"]
    return list(ArticlePage.objects.filter(slug__in=slugs).order_by("slug"))


def plan_links(html: str) -> dict[str, str]:
    """The prompt's plan rows: the plan's name to the row's link."""
    rows = re.findall(
        r'<li class="plan"><a class="plan__choose" href="([^"]+)">\s*'
        r'<span class="plan__name">([^<]+)</span>',
        html,
    )
    return {name: unescape(href) for href, name in rows}


def where(response) -> tuple[str, dict]:
    location = urlsplit(response["Location"])
    return location.path, parse_qs(location.query)


@pytest.fixture
def funnel():
    """Counts the reader events written from here on (the buffer is flushed by hand)."""
    events.flush()
    last = ReaderEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def counted() -> Counter:
        events.flush()
        kinds = ReaderEvent.objects.filter(pk__gt=last).values_list("kind", flat=True)
        return Counter(kinds)

    return counted


def test_the_plan_chosen_in_the_prompt_goes_through_sign_up_to_its_checkout(
    testmode_settings, inbox, committed, funnel
):
    client = Client()
    articles = metered_articles()
    for article in articles[:ANONYMOUS_LIMIT]:
        assert client.get(article.url, follow=True).status_code == 200
    stopped_at = articles[ANONYMOUS_LIMIT]
    prompt = client.get(stopped_at.url, follow=True).content.decode()

    # Each plan row is a link to its own checkout path, remembering the article.
    links = plan_links(prompt)
    yearly = Plan.objects.get(name="Yearly")
    assert set(links) == {"Weekly", "Monthly", "Yearly"}
    assert links["Yearly"] == (
        f"/subscribe/{yearly.pk}/?{urlencode({'next': stopped_at.url})}&from=paywall"
    )

    # Not logged in: sign up first, then back to this plan (the click marker dropped).
    chosen = client.get(links["Yearly"])
    plan_path = f"/subscribe/{yearly.pk}/?{urlencode({'next': stopped_at.url})}"
    assert where(chosen) == ("/accounts/signup/", {"next": [plan_path]})

    signup_page = client.get(chosen["Location"]).content.decode()
    assert "You chose <strong>Yearly</strong>: $80.00 a year" in signup_page
    assert "with the first 14 days free" in signup_page
    assert "Your subscription belongs to an account" in signup_page
    signed_up = client.post(
        "/accounts/signup/",
        {
            "email": "funnel@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": plan_path,
        },
    )
    assert signed_up.status_code == 302, signed_up.content.decode()[:2000]

    link = inbox.last_to("funnel@example.com").link("/accounts/confirm-email/")
    confirmed = client.post(link)

    # Confirmed and logged in: straight on to the chosen plan's checkout.
    assert confirmed["Location"] == plan_path
    checkout = client.get(plan_path)
    assert where(checkout)[0] == "/billing/test-checkout/"
    page = client.get(checkout["Location"]).content.decode()
    assert "<h1>Yearly plan</h1>" in page
    with committed():
        paid = client.post(checkout["Location"], {"token": where(checkout)[1]["token"][0]})
    back = client.get(paid["Location"])
    assert back["Location"] == stopped_at.url
    assert client.get(stopped_at.url, follow=True).status_code == 200
    sub = Subscription.objects.get(user__email="funnel@example.com")
    assert (sub.plan, sub.status) == (yearly, SubscriptionStatus.TRIALING)

    # The trial ends and is paid; later the reader cancels at once in the tester's portal.
    for action in ("end_trial", "cancel_now"):
        with committed():
            assert client.post("/billing/test-portal/", {"action": action}).status_code == 302

    counted = funnel()
    # Every kind but those of other journeys: a gift link's (reading/tests), the register
    # offer's (accounts/tests/test_register_offer.py) and a newsletter's (newsletters/tests).
    elsewhere = {
        EventKind.GIFT_CREATED,
        EventKind.GIFT_OPENED,
        EventKind.GIFT_SUBSCRIPTION,
        EventKind.REGISTER_OFFER_TAKEN,
        EventKind.NEWSLETTER_SIGNUP,
    }
    assert set(counted) == set(EventKind.values) - elsewhere, counted
    assert counted[EventKind.PAYWALL_SHOWN] == 1
    assert counted[EventKind.SUBSCRIBE_CLICKED] == 1
    assert counted[EventKind.CHECKOUT_STARTED] == 1
    assert counted[EventKind.TRIAL_STARTED] == 1
    assert counted[EventKind.SUBSCRIPTION_ACTIVATED] == 1
    assert counted[EventKind.SUBSCRIPTION_CANCELLED] == 1
    assert counted[EventKind.ARTICLE_VIEW] >= ANONYMOUS_LIMIT + 1


def test_the_subscribe_button_in_the_prompt_counts_a_click_and_a_plain_visit_does_not(funnel):
    client = Client()
    client.get("/subscribe/?next=/")
    assert funnel()[EventKind.SUBSCRIBE_CLICKED] == 0

    client.get("/subscribe/?next=/&from=paywall")

    assert funnel()[EventKind.SUBSCRIBE_CLICKED] == 1


def test_a_plan_link_never_sends_the_reader_off_the_site(testmode_settings, make_reader):
    yearly = Plan.objects.get(name="Yearly")
    client = Client()
    chosen = client.get(f"/subscribe/{yearly.pk}/?next=https://evil.example/&from=paywall")
    assert where(chosen) == ("/accounts/signup/", {"next": [f"/subscribe/{yearly.pk}/?next=%2F"]})
    signup_page = client.get(
        "/accounts/signup/?" + urlencode({"next": "https://evil.example/subscribe/1/"})
    ).content.decode()
    assert "You chose" not in signup_page

    client.force_login(make_reader())
    checkout = client.get(f"/subscribe/{yearly.pk}/?next=//evil.example/")
    token = where(checkout)[1]["token"][0]
    assert (
        "evil.example" not in client.get(f"/billing/test-checkout/?token={token}").content.decode()
    )


def test_a_plan_no_longer_on_sale_goes_back_to_the_plans(testmode_settings):
    gone = Plan.objects.create(name="Gone", price_minor=100, interval="month", active=False)

    response = Client().get(f"/subscribe/{gone.pk}/?next=/")

    assert where(response) == ("/subscribe/", {"next": ["/"]})
