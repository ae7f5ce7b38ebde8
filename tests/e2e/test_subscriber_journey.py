"""From the metered limit to a free trial and back out again, in a real Chromium.

An anonymous reader reads three metered articles, is stopped at the fourth,
follows "Try 14 days free" to the plans, picks Weekly, signs up, confirms the
e-mail address from the verification mail, lands straight in Weekly's test-mode
checkout, starts the trial there and lands back on the same article, now whole. On the account page
the reader cancels (access continues to the period end), and in the test-mode
portal reaches the end of the period: the subscription is over and the article
is metered again.

The site runs in its own gunicorn, sending mail to an SMTP server this module
controls, so the verification, welcome and cancellation mails are read as the
reader would read them. Every page is checked for console errors and failed
requests, and screenshotted into artifacts/screenshots/ (s*.png).
"""

from __future__ import annotations

import email
import email.policy
import re
import subprocess
import threading
import time
import uuid
import zoneinfo
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Locator, Page, Response, expect

from masthead.content.demo_data import ARTICLES, PUBLICATION
from tests.e2e.browser import (
    ANONYMOUS_LIMIT,
    LIMIT_HEADING,
    REGISTERED_LIMIT,
    TEASER_BLOCKS,
    TRIAL_DAYS,
    Tab,
    assert_last_paragraph_identifies,
    assert_last_paragraph_shown,
    assert_teaser_shown,
    last_paragraph,
    opened,
    path_of,
)
from tests.support.live_site import LiveSite, free_port

pytestmark = pytest.mark.e2e

MAIL_TIMEOUT = 15.0

# --- The demo plans (billing.services.DEMO_PLANS); the paywall's defaults are in browser.py.
PLAN, PRICE, PER = "Weekly", "$2.00", "a week"
# allauth's wording or the site's own (templates/account/).
SIGN_UP = re.compile(r"^(Sign Up|Create account)$")
VERIFY_HEADING = re.compile(r"verify|confirm|check", re.IGNORECASE)
VERIFY_WORDING = re.compile(r"sent (an e-?mail|a link)", re.IGNORECASE)
TESTMODE_BANNER = "Test mode — no card is charged."
PUBLICATION_NAME = PUBLICATION["name"]
ZONE = zoneinfo.ZoneInfo(PUBLICATION["time_zone"])

# --- Subjects of the mails (billing.emails.SUBJECTS; allauth's, with no subject prefix).
VERIFY_SUBJECT = f"Welcome to {PUBLICATION_NAME}: please confirm your e-mail address"
WELCOME_SUBJECT = f"Welcome to {PUBLICATION_NAME}"
CANCELLED_SUBJECT = f"Your subscription to {PUBLICATION_NAME} has been cancelled"

# --- The route, from the demo data (no ORM: the site runs in its own process).
METERED = [a for a in ARTICLES if a["access"] == "metered"]
ROUTE_SLUGS = [
    "heat-plan-libraries-cooling-centers",
    "central-library-reopens-after-renovation",
    "mayoral-forum-housing-police-staffing",
    # The article the reader is stopped at, subscribes for and comes back to.
    "halvern-aerostructures-wing-panel-contract",
]
# Read after the subscription has ended, on the registered reader's meter.
AFTERWARDS_SLUGS = [
    "brightwater-cooperative-expands-corliss-elevator",
    "tannery-row-film-festival-moves-to-bijou",
]
ROUTE = [next(a for a in METERED if a["slug"] == slug) for slug in ROUTE_SLUGS]
AFTERWARDS = [next(a for a in METERED if a["slug"] == slug) for slug in AFTERWARDS_SLUGS]
STOPPED_AT = ROUTE[-1]
# Opened first by a reader who has just signed up (test_messages_stay_with_their_reader).
FRESH_ARTICLE = next(a for a in METERED if a["slug"] == "valley-symphony-names-ines-valcourt")


def long_date(moment: datetime) -> str:
    """A date as the site writes it ("F j, Y"), in the publication's time zone."""
    local = moment.astimezone(ZONE)
    return f"{local:%B} {local.day}, {local.year}"


def test_route_matches_demo_data():
    """The constants above still describe the demo publication."""
    articles = [*ROUTE, *AFTERWARDS, FRESH_ARTICLE]
    assert len(ROUTE) == ANONYMOUS_LIMIT + 1
    assert len(AFTERWARDS) == REGISTERED_LIMIT - ANONYMOUS_LIMIT
    assert len({a["slug"] for a in articles}) == len(articles)
    for article in articles:
        assert article["access"] == "metered"
        assert len(article["body"]) > TEASER_BLOCKS + 2
        assert_last_paragraph_identifies(article)


# --- A mail server of our own and a site that sends to it --------------------------------


class Inbox:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self):
        self._lock = threading.Lock()
        self._messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self._lock:
            self._messages.append(message)
        return "250 Message accepted for delivery"

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        with self._lock:
            found = list(self._messages)
        if to is not None:
            found = [m for m in found if to in m["X-Envelope-To"] and to in str(m["To"])]
        return found

    def subjects(self, to: str) -> list[str]:
        return [str(m["Subject"]) for m in self.messages(to)]

    def wait_for(self, to: str, subject: str, *, timeout: float = MAIL_TIMEOUT) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages(to):
                if str(message["Subject"]) == subject:
                    return message
            time.sleep(0.1)
        raise AssertionError(
            f"no mail {subject!r} to {to} within {timeout:.0f} s; got {self.subjects(to)}"
        )


def body_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture(scope="module")
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture(scope="module")
def site(inbox, tmp_path_factory):
    _, smtp_port = inbox
    live = LiveSite(
        workdir=tmp_path_factory.mktemp("subscriber"),
        workers=2,
        extra_env={"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port)},
    )
    # Links in the billing mails are built from BASE_URL: this site's own address.
    live.env["BASE_URL"] = live.url
    try:
        live.start()
    except subprocess.CalledProcessError as failed:
        live.stop()
        pytest.fail(f"the site did not start: {failed.cmd}\n{failed.stdout}\n{failed.stderr}")
    yield live
    live.stop()


# --- Browser plumbing -------------------------------------------------------------------


class Reader(Tab):
    """One desktop browser context (one set of cookies) with one watched page."""

    ignore_favicon_response = True

    def goto(self, path_or_url: str) -> Response:
        url = path_or_url if "://" in path_or_url else self.base_url + path_or_url
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.status == 200, (url, response)
        return response

    def open(self, article: dict) -> None:
        """Open an article by its URL, as a typed or shared link would."""
        self.goto(path_of(article))
        self.assert_on(article)

    def assert_on(self, article: dict) -> None:
        landed = urlsplit(self.page.url)
        assert (landed.path, landed.query) == (path_of(article), ""), self.page.url
        expect(self.page.locator("h1.article__title")).to_have_text(article["title"])

    def where(self) -> tuple[str, dict[str, list[str]]]:
        here = urlsplit(self.page.url)
        return here.path, parse_qs(here.query)


@pytest.fixture
def readers(browser, site):
    with opened(Reader, browser, site.url) as new:
        yield new


# --- Assertions about one page ----------------------------------------------------------


def assert_whole(page: Page, article: dict) -> None:
    body = page.locator("article.article .article__body")
    expect(body.locator(".article__gated")).to_have_count(1)
    assert_last_paragraph_shown(body, article)
    expect(page.locator(".paywall-prompt")).to_have_count(0)


def assert_subscriber_view(page: Page, article: dict) -> None:
    """Whole, and nothing of the meter: no notice, no prompt."""
    assert_whole(page, article)
    expect(page.locator("p.meter-notice")).to_have_count(0)


def assert_teaser(page: Page, article: dict) -> None:
    assert_teaser_shown(page, article)
    assert last_paragraph(article) not in page.content()


def assert_limit_prompt(page: Page, article: dict, *, action: str) -> None:
    prompt = page.locator("article.article section.paywall-prompt")
    expect(prompt).to_be_visible()
    expect(prompt.locator("h2")).to_have_text(LIMIT_HEADING)
    button = prompt.locator(".paywall-prompt__actions a.button")
    expect(button).to_have_text(action)
    expect(button).to_have_attribute(
        "href", f"/subscribe/?{urlencode({'next': path_of(article)})}&from=paywall"
    )


def facts(page: Page) -> dict[str, str]:
    """The account page's subscription facts, term by term."""
    return page.locator("dl.facts").evaluate(
        """dl => Object.fromEntries(Array.from(dl.querySelectorAll("dt")).map(
            dt => [dt.textContent.trim(), dt.nextElementSibling.textContent.trim()]))"""
    )


def plan_card(page: Page, name: str):
    return page.locator("ul.plan-cards > li.plan-card").filter(
        has=page.get_by_role("heading", name=name, exact=True)
    )


def follow(page: Page, target: Locator) -> None:
    """Click a link or button that leads to another page, and wait for that page."""
    with page.expect_navigation(wait_until="load"):
        target.click()


def expect_message(page: Page, text: str) -> None:
    expect(page.locator("ul.messages li.message").filter(has_text=text)).to_be_visible()


def sign_up(
    reader: Reader, mail: Inbox, base_url: str, address: str, password: str, *, shots=None
) -> None:
    """Fill the sign-up form on the current page, then confirm from the verification mail."""
    page = reader.page
    assert reader.where()[0] == "/accounts/signup/", page.url
    form = page.locator("main form").filter(has=page.get_by_label("Password", exact=True))
    form.get_by_label("Email").fill(address)
    form.get_by_label("Password", exact=True).fill(password)
    form.get_by_label("Password (again)").fill(password)
    if shots:
        reader.snap(shots, "s3-signup")
    else:
        reader.check("sign-up form")
    follow(page, form.get_by_role("button", name=SIGN_UP))
    assert reader.where()[0] == "/accounts/confirm-email/", page.url
    expect(page.locator("main h1")).to_have_text(VERIFY_HEADING)
    expect(page.locator("main")).to_contain_text(VERIFY_WORDING)
    if shots:
        reader.snap(shots, "s4-verify")
    else:
        reader.check("verification sent")

    verification = mail.wait_for(address, VERIFY_SUBJECT)
    links = re.findall(r"https?://\S+/accounts/confirm-email/\S+", body_of(verification))
    assert len(links) == 1, body_of(verification)
    assert links[0].startswith(base_url + "/"), links
    reader.goto(links[0])
    confirm = page.get_by_role("button", name="Confirm")
    if confirm.count():
        expect(page.locator("main")).to_contain_text(address)
        reader.check("e-mail confirmation page")
        follow(page, confirm)
    reader.check("after confirming the e-mail address")
    # Logged in: the header names the reader and links to the account page.
    account_link = page.locator("nav.account-links a.account-links__login")
    expect(account_link).to_have_attribute("href", "/account/")
    expect(account_link).not_to_have_text("Log in")


# --- The journey ------------------------------------------------------------------------


def test_subscriber_journey(readers, site, inbox, screenshots):
    mail, _ = inbox
    article = STOPPED_AT
    article_path = path_of(article)
    reader = readers("subscriber")
    page = reader.page
    defects: list[str] = []
    address = f"reader-{uuid.uuid4().hex[:8]}@example.org"
    password = "Quiet-harbour-4417"

    # 1. Three metered articles whole, the fourth stopped by the limit prompt.
    for read in ROUTE[:ANONYMOUS_LIMIT]:
        reader.open(read)
        assert_whole(page, read)
        reader.check(f"metered article {read['slug']}")
    reader.open(article)
    assert_teaser(page, article)
    assert_limit_prompt(page, article, action=f"Try {TRIAL_DAYS} days free")
    reader.snap(screenshots, "s1-limit")

    # 2. The trial button: the plans, in test mode, remembering the article.
    trial_link = page.locator(".paywall-prompt").get_by_role(
        "link", name=f"Try {TRIAL_DAYS} days free"
    )
    follow(page, trial_link)
    assert reader.where() == ("/subscribe/", {"next": [article_path], "from": ["paywall"]}), (
        page.url
    )
    expect(page.locator("h1")).to_have_text(f"Subscribe to {PUBLICATION_NAME}")
    expect(page.locator(".testmode-banner")).to_have_text(TESTMODE_BANNER)
    weekly = plan_card(page, PLAN)
    expect(weekly).to_have_count(1)
    expect(weekly.locator(".plan-card__price")).to_have_text(f"{PRICE} {PER}")
    expect(weekly).to_contain_text(f"{TRIAL_DAYS} days free, then {PRICE} {PER}.")
    reader.snap(screenshots, "s2-subscribe")
    follow(page, weekly.get_by_role("button", name=f"Try {TRIAL_DAYS} days free"))

    # Not logged in: the sign-up page, which names the plan and will go on to its checkout.
    path, query = reader.where()
    assert path == "/accounts/signup/", page.url
    [back_to_plan] = query["next"]
    assert re.fullmatch(
        r"/subscribe/\d+/\?" + re.escape(urlencode({"next": article_path})), back_to_plan
    ), back_to_plan
    expect(page.locator(".signup-plan")).to_contain_text(f"You chose {PLAN}: {PRICE} {PER}")
    reader.check("sign-up page")

    # 3. Sign up; the verification mail arrives; its link, confirmed, logs the reader in.
    sign_up(reader, mail, site.url, address, password, shots=screenshots)
    account_link = page.locator("nav.account-links a.account-links__login")

    # 4-5. The plan survived sign-up and verification: straight into its test-mode
    # checkout, then back on the same article, now whole.
    assert reader.where()[0] == "/billing/test-checkout/", page.url
    checkout = page.locator("main .checkout-box")
    expect(checkout.locator(".testmode-banner")).to_have_text(TESTMODE_BANNER)
    expect(checkout.locator("h1")).to_have_text(f"{PLAN} plan")
    expect(checkout.locator(".plan-card__price")).to_have_text(f"{PRICE} {PER}")
    expect(checkout).to_contain_text(f"Your first {TRIAL_DAYS} days are free.")
    reader.snap(screenshots, "s5-checkout")
    before = datetime.now(UTC)
    follow(page, checkout.get_by_role("button", name="Start free trial"))
    after = datetime.now(UTC)
    trial_ends = {long_date(before + timedelta(days=TRIAL_DAYS))}
    trial_ends.add(long_date(after + timedelta(days=TRIAL_DAYS)))
    reader.assert_on(article)
    assert_subscriber_view(page, article)
    # The checkout's confirmation belongs on this page. A defect, not a dead end: noted,
    # and the journey goes on, so one run shows everything else that is right or wrong.
    welcome_message = "Welcome! You now have unlimited access."
    messages_shown = page.locator("ul.messages li.message").all_inner_texts()
    if welcome_message not in messages_shown:
        defects.append(
            f"back on {article_path} after the checkout, the message {welcome_message!r} "
            f"is not shown (messages on the page: {messages_shown})"
        )
    reader.snap(screenshots, "s6-article-whole")

    welcome = mail.wait_for(address, WELCOME_SUBJECT)
    welcome_text = body_of(welcome)
    assert any(f"Your free trial ends on {day}." in welcome_text for day in trial_ends), (
        welcome_text
    )
    assert f"{PLAN} costs {PRICE} {PER}" in welcome_text, welcome_text
    assert f"Manage your subscription: {site.url}/account/" in welcome_text, welcome_text

    # 6. The account page: Weekly, on a free trial that ends in 14 days; cancel it.
    follow(page, account_link)
    assert reader.where() == ("/account/", {}), page.url
    expect(page.locator("main .page-header")).to_contain_text(address)
    shown = facts(page)
    trial_end = shown.get("Trial ends")
    assert trial_end in trial_ends, shown
    assert shown == {
        "Plan": f"{PLAN} — {PRICE} {PER}",
        "Status": "Free trial",
        "Trial ends": trial_end,
        # A trial's period is the trial: the first payment is due the day it ends.
        "First payment": f"{trial_end}, {PRICE}",
    }, shown
    expect(page.get_by_role("button", name="Resume subscription")).to_have_count(0)
    reader.snap(screenshots, "s7-account-trial")

    # Cancelling asks first, on a page of its own.
    follow(page, page.get_by_role("link", name="Cancel subscription"))
    assert reader.where() == ("/account/cancel/", {}), page.url
    expect(page.locator("main h1")).to_have_text("Cancel your subscription?")
    reader.snap(screenshots, "s7b-cancel-confirm")
    follow(page, page.locator("main").get_by_role("button", name="Cancel subscription"))
    assert reader.where() == ("/account/", {}), page.url
    expect_message(page, f"Your subscription is cancelled. You keep full access until {trial_end}.")
    assert facts(page) == {
        "Plan": f"{PLAN} — {PRICE} {PER}",
        "Status": "Free trial (cancelled)",
        "Trial ends": trial_end,
        "Access until": trial_end,
    }, facts(page)
    expect(page.get_by_role("button", name="Resume subscription")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel subscription")).to_have_count(0)
    reader.snap(screenshots, "s8-account-cancelled")

    cancelled = mail.wait_for(address, CANCELLED_SUBJECT)
    assert f"You keep full access until {trial_end}." in body_of(cancelled), body_of(cancelled)

    # Access continues until the period ends: the same article is still whole.
    reader.open(article)
    assert_subscriber_view(page, article)
    reader.check("article after cancelling")

    # 7. The test-mode portal: reach the end of the period, and the subscription is over.
    reader.goto("/account/")
    portal = page.get_by_role(
        "button", name="Manage payment details and invoices (test-mode portal)"
    )
    follow(page, portal)
    assert reader.where() == ("/billing/test-portal/", {}), page.url
    expect(page.locator("main .testmode-banner")).to_have_text(TESTMODE_BANNER)
    expect(page.locator("main")).to_contain_text(
        f"{PLAN} plan, status Trialing, current period ends {trial_end}."
    )
    reader.check("test-mode portal")
    follow(page, page.get_by_role("button", name="Reach the end of the billing period"))
    assert reader.where() == ("/billing/test-portal/", {}), page.url
    expect_message(page, "Test mode: reach the end of the billing period.")
    expect(page.locator("main")).to_contain_text(f"{PLAN} plan, status Canceled,")
    reader.check("test-mode portal after the period ended")

    follow(page, page.get_by_role("link", name="Back to your account"))
    assert facts(page)["Status"] == "Canceled", facts(page)
    expect(page.get_by_role("link", name="Subscribe again")).to_be_visible()
    reader.check("account after the period ended")

    # No longer a subscriber: a registered reader on the meter, which remembers the three
    # articles read before signing up. The article is the fourth of five free ones today...
    reader.open(article)
    assert_whole(page, article)
    expect(page.locator("p.meter-notice")).to_contain_text("You have 1 free article left today.")
    reader.check("article after the subscription ended")
    # ...one more is the last...
    reader.open(AFTERWARDS[0])
    assert_whole(page, AFTERWARDS[0])
    expect(page.locator("p.meter-notice")).to_contain_text("This is your last free article today.")
    reader.check("last free article")
    # ...and the next is a teaser with the prompt; the trial is used, so no second one.
    reader.open(AFTERWARDS[1])
    assert_teaser(page, AFTERWARDS[1])
    assert_limit_prompt(page, AFTERWARDS[1], action="Subscribe")
    reader.snap(screenshots, "s9-after-period-end")

    # The mails: one of each, to the reader, and nothing else.
    time.sleep(1)
    assert sorted(mail.subjects(address)) == sorted(
        [VERIFY_SUBJECT, WELCOME_SUBJECT, CANCELLED_SUBJECT]
    ), mail.subjects(address)
    reader.watch.assert_clean("end of the journey")
    assert not defects, "the journey went through, but:\n" + "\n".join(defects)


def test_messages_stay_with_their_reader(readers, site, inbox):
    """A reader's flash messages are shown to that reader, on an article too, and to no one else.

    Article pages are assembled from renderings cached per gunicorn worker. A newcomer
    signs up from a link that returns to an article nobody has opened yet, so the
    landing page is that worker's first rendering of it, made with the newcomer's
    "signed in" messages pending; then a bystander reads the same article.
    """
    mail, _ = inbox
    article = FRESH_ARTICLE
    newcomer = readers("newcomer")
    address = f"newcomer-{uuid.uuid4().hex[:8]}@example.org"
    newcomer.goto(f"/accounts/signup/?{urlencode({'next': path_of(article)})}")
    sign_up(newcomer, mail, site.url, address, "Amber-lantern-2290")
    newcomer.assert_on(article)
    own = newcomer.page.locator("ul.messages li.message").all_inner_texts()
    assert any(address in message for message in own), own

    bystander = readers("bystander")
    for view in range(1, 21):  # each worker keeps its own renderings; meet both
        bystander.open(article)
        leaked = bystander.page.locator("ul.messages li").all_inner_texts()
        assert not leaked, (
            f"a fresh anonymous reader sees another reader's messages on "
            f"{path_of(article)} (view {view}): {leaked}"
        )
    bystander.watch.assert_clean("article for a bystander")
