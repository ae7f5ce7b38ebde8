"""A gift link from a subscriber to a stranger, in a real Chromium.

A subscriber logs in, presses "Gift this article" on a metered article (a dialog,
from gift.js), chooses to show their name, creates the link and copies it. A fresh
anonymous browser opens the link and reads the article whole, with "Shared by" and
a subscribe offer that blocks nothing; a second fresh browser does too. Without
JavaScript the same button leads to the gift page, which shows the same link again
(re-gifting costs nothing). On the account page, "Your gifts" lists the article with
two openings; the subscriber revokes it, and a third fresh browser opening the link
gets the meter: the article as any newcomer's first free read, without the banner.

The site runs under gunicorn with the demo loaded (the shared ``live_site``). Every
page is checked for console errors and failed requests; the dialog, the gifted
article and the account page's gifts are screenshotted into
artifacts/screenshots/g1-*.png.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from masthead.content.demo_data import ARTICLES
from tests.e2e.browser import (
    Tab,
    assert_last_paragraph_identifies,
    assert_last_paragraph_shown,
    opened,
    path_of,
    settle_in_place,
)

pytestmark = pytest.mark.e2e

PASSWORD = "gift journey password 7"
RUN = uuid.uuid4().hex[:6]  # the live site is shared by the session's journeys
GIVER_NAME = "Gina Giver"
ARTICLE = next(a for a in ARTICLES if a["slug"] == "valley-symphony-names-ines-valcourt")
ARTICLE_PATH = path_of(ARTICLE)

CREATE_SUBSCRIBER = """
from datetime import timedelta
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone
from masthead.billing.models import Plan, Subscription, SubscriptionStatus

user = get_user_model().objects.create_user(
    username={username!r}, email={email!r}, password={password!r}, first_name={name!r}
)
EmailAddress.objects.create(user=user, email={email!r}, verified=True, primary=True)
Subscription.objects.create(
    user=user,
    plan=Plan.objects.order_by("pk").first(),
    status=SubscriptionStatus.ACTIVE,
    current_period_end=timezone.now() + timedelta(days=30),
)
print("subscriber ready")
"""


@pytest.fixture(scope="module")
def giver_email(live_site) -> str:
    email = f"g1-giver-{RUN}@example.org"
    code = CREATE_SUBSCRIBER.format(
        username=f"g1-giver-{RUN}", email=email, password=PASSWORD, name=GIVER_NAME
    )
    assert "subscriber ready" in live_site.manage("shell", "-c", code)
    return email


class Person(Tab):
    ignore_favicon_response = True

    def goto(self, path: str, status: int = 200):
        response = self.page.goto(self.base_url + path, wait_until="load")
        assert response is not None and response.status == status, (path, response)
        return response

    def log_in(self, email: str, then: str) -> None:
        self.goto(f"/accounts/login/?next={then}")
        self.page.fill('input[name="login"]', email)
        self.page.fill('input[name="password"]', PASSWORD)
        self.page.get_by_role("button", name="Log in", exact=True).click()
        self.page.wait_for_url(lambda url: urlsplit(url).path == then)
        self.page.wait_for_load_state("load")

    def check(self, where: str) -> None:
        settle_in_place(self.page)
        self.watch.assert_clean(where)

    def snap(self, shots: Path, name: str, *, full_page: bool = True) -> None:
        settle_in_place(self.page)
        self.page.screenshot(path=shots / f"g1-{name}.png", full_page=full_page)
        self.watch.assert_clean(name)


@pytest.fixture
def cast(browser, live_site):
    with opened(Person, browser, live_site.url) as open_person:
        yield open_person


def test_route_matches_demo_data():
    assert ARTICLE["access"] == "metered"
    assert_last_paragraph_identifies(ARTICLE)


def reads_the_gift_whole(person: Person, link: str, giver: str):
    response = person.goto(urlsplit(link).path + "?" + urlsplit(link).query)
    assert response.headers["cache-control"] == "private, no-store"
    page = person.page
    expect(page.locator(".gift-banner")).to_contain_text(f"Shared by {giver}.")
    expect(page.get_by_role("link", name="Subscribe for unlimited access")).to_be_visible()
    expect(page.locator(".paywall-prompt")).to_have_count(0)
    expect(page.locator(".meter-notice")).to_have_count(0)
    assert_last_paragraph_shown(page.locator("article.article .article__body"), ARTICLE)
    # The address bar carries the token; the page's canonical link does not.
    canonical = page.locator('link[rel="canonical"]').get_attribute("href")
    assert urlsplit(canonical).path == ARTICLE_PATH and not urlsplit(canonical).query


def test_a_subscriber_gifts_an_article_a_stranger_reads_it_and_revocation_ends_it(
    cast, browser, live_site, giver_email, screenshots
):
    # 1. The subscriber, on the article, opens the gift dialog (gift.js) and makes a link.
    giver = cast("giver", permissions=["clipboard-read", "clipboard-write"])
    giver.log_in(giver_email, then=ARTICLE_PATH)
    giver.page.get_by_role("link", name="Gift this article").click()
    dialog = giver.page.get_by_role("dialog", name="Gift this article")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("You have 10 of 10 gifts left this month.")
    dialog.get_by_label(f"Show my name (“{GIVER_NAME}”) to readers").check()
    dialog.get_by_role("button", name="Create gift link").click()
    expect(dialog).to_contain_text("Your gift link is ready.")
    expect(dialog).to_contain_text("You have 9 of 10 gifts left this month.")
    dialog.get_by_role("button", name="Copy link").click()
    expect(dialog.get_by_role("status")).to_have_text("Link copied.")
    link = dialog.get_by_label("Gift link").input_value()
    assert link.startswith(f"{live_site.url}{ARTICLE_PATH}?gift=")
    assert giver.page.evaluate("() => navigator.clipboard.readText()") == link
    giver.snap(screenshots, "gift-dialog", full_page=False)

    # 2. A fresh anonymous browser opens the link: the whole article, and who gave it.
    stranger = cast("stranger")
    reads_the_gift_whole(stranger, link, GIVER_NAME)
    stranger.check("the gifted article")
    stranger.snap(screenshots, "gifted-article")
    second = cast("second stranger")
    reads_the_gift_whole(second, link, GIVER_NAME)
    second.check("the gifted article, second opening")

    # 3. Without JavaScript the button is a link to the gift page; re-gifting shows the
    #    same link and uses no gift.
    plain = cast("giver without JavaScript", java_script_enabled=False)
    plain.log_in(giver_email, then=ARTICLE_PATH)
    plain.page.get_by_role("link", name="Gift this article").click()
    plain.page.wait_for_url(lambda url: urlsplit(url).path == "/gifts/new/")
    expect(plain.page.locator("main")).to_contain_text("You have already gifted this article")
    assert plain.page.get_by_label("Gift link").input_value() == link
    expect(plain.page.locator("main")).to_contain_text("You have 9 of 10 gifts left this month.")
    # (No settling: scripts that would scroll the page cannot run here.)
    plain.watch.assert_clean("the gift page without JavaScript")

    # 4. "Your gifts" on the account page: the article, two openings; then revoke it.
    giver.goto("/account/")
    row = giver.page.locator(".gift-table tbody tr", has_text=ARTICLE["title"])
    expect(row).to_have_count(1)
    expect(row.locator(".gift-table__count")).to_have_text("2")
    giver.snap(screenshots, "account-gifts")
    row.get_by_role("button", name=f"Revoke the gift link for {ARTICLE['title']}").click()
    giver.page.wait_for_load_state("load")
    expect(giver.page.get_by_text("The gift link no longer works.")).to_be_visible()
    expect(row.locator(".gift-table__state")).to_have_text("Revoked")
    giver.check("the account page after revoking")

    # 5. A third fresh browser opening the revoked link gets the meter: a newcomer's
    #    first free read (the meter's notice), and no banner.
    third = cast("third stranger")
    third.goto(urlsplit(link).path + "?" + urlsplit(link).query)
    page = third.page
    expect(page.locator(".gift-banner")).to_have_count(0)
    # The meter counted this read: one of the three daily free articles is gone.
    expect(page.locator(".meter-notice")).to_contain_text("You have 2 free articles left today")
    assert_last_paragraph_shown(page.locator("article.article .article__body"), ARTICLE)
    third.check("the revoked link")
