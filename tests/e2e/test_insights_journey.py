"""The publisher's dashboard in Chromium against the live site.

A reader walks the funnel on a site of its own (reads to the wall, takes the offer of a
free account, reads on to the next wall, clicks subscribe, takes a test-mode trial, pays),
the scheduler's rollup runs, and the publisher's dashboard
shows exactly those steps. Then, with 90 days of demo data, a publisher opens
Reports → Audience & revenue and Members on a desktop and on a phone and sees the
funnel, charts and tables; an editor without "view insights" gets 403 on every
insights URL and no panel on the admin's home page.
"""

from __future__ import annotations

import re
import subprocess
import time
import uuid
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Response, expect

from tests.e2e.browser import PHONE_OPTIONS, TRIAL_DAYS, Tab, opened, path_of, settle_in_place
from tests.e2e.test_subscriber_journey import (
    AFTERWARDS,
    METERED,
    ROUTE,
    STOPPED_AT,
    Inbox,
    Reader,
    follow,
    plan_card,
    sign_up,
)
from tests.support.live_site import LiveSite, free_port

PASSWORD = "insights-journey-pw-1"
USERS = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
User = get_user_model()
for name, group in (("journey-publisher", "Publishers"), ("journey-editor", "Editors")):
    user, _ = User.objects.get_or_create(username=name, defaults={{"email": name + "@example.com"}})
    user.set_password("{PASSWORD}")
    user.save()
    user.groups.add(Group.objects.get(name=group))
"""


class Admin(Tab):
    ignore_favicon_response = True

    def log_in(self, username: str) -> None:
        self.page.goto(self.base_url + "/admin/login/")
        self.page.fill('input[name="username"]', username)
        self.page.fill('input[name="password"]', PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(re.compile(r"/admin/$"))


def full_shot(tab: Tab, path) -> None:
    """A screenshot of the whole page: Wagtail's admin scrolls inside its own box, which
    Playwright's full_page does not see, so the window is made as tall as the content."""
    size = tab.page.viewport_size
    height = tab.page.evaluate(
        "() => Math.max(...Array.from(document.querySelectorAll('body *'), e => e.scrollHeight))"
    )
    tab.page.set_viewport_size({"width": size["width"], "height": min(height + 40, 12000)})
    tab.page.screenshot(path=path)
    tab.page.set_viewport_size(size)


def funnel_table(tab: Tab) -> dict[str, int | None]:
    """The dashboard's funnel table, step by step."""
    rows = tab.page.locator("section[aria-labelledby=funnel-heading] table tbody tr")
    found = {}
    for row in rows.all():
        step = row.locator("th").inner_text().split(" (")[0].strip()
        count = row.locator("td").first.inner_text().replace(",", "")
        found[step] = None if count == "—" else int(count)
    return found


@pytest.fixture(scope="module")
def funnel_site(tmp_path_factory):
    """A site of its own, so its dashboard counts only what the walk below does, with
    mail to a server of ours for the sign-up's verification link."""
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    site = LiveSite(
        workdir=tmp_path_factory.mktemp("funnel"),
        extra_env={"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port)},
    )
    site.env["BASE_URL"] = site.url
    try:
        site.start()
    except subprocess.CalledProcessError as failed:
        site.stop()
        smtp.stop()
        pytest.fail(f"the site did not start: {failed.cmd}\n{failed.stdout}\n{failed.stderr}")
    site.manage("shell", "-c", USERS)
    yield site, inbox
    site.stop()
    smtp.stop()


RAW_EVENTS = "from masthead.insights.models import ReaderEvent; print(ReaderEvent.objects.count())"


def test_the_dashboard_counts_the_funnel_a_reader_walked(browser, funnel_site, screenshots):
    """An anonymous reader reads to the wall and takes the register offer; signed in, reads
    on to the registered reader's wall, clicks subscribe there, checks out, starts a trial
    and pays. Every step is counted from what the browser was served."""
    site, inbox = funnel_site
    done: Counter = Counter()
    metered = [a for a in METERED if a not in ROUTE and a not in AFTERWARDS]
    onwards = [*AFTERWARDS, *metered]
    article_paths = {path_of(a) for a in [*ROUTE, *onwards]}

    def count_steps(response: Response) -> None:
        # What the reader's browser was served, counted as the site's funnel counts it.
        url = urlsplit(response.url)
        if response.request.resource_type != "document":
            return
        if url.path in article_paths and response.status == 200:
            done["Article views"] += 1
        if url.path.startswith("/subscribe/") and parse_qs(url.query).get("from") == ["paywall"]:
            done["Subscribe clicks"] += 1

    def read_here(page) -> bool:
        """The notice or the wall on the article just opened; True at a wall."""
        done["Meter notices"] += page.locator("p.meter-notice").count()
        walled = page.locator(".paywall-prompt").count() > 0
        done["Paywall shown"] += walled
        return walled

    with opened(Reader, browser, site.url) as open_tab:
        reader = open_tab("funnel-reader")
        page = reader.page
        page.on("response", count_steps)
        for article in ROUTE[:-1]:
            reader.open(article)
            assert not read_here(page)
        reader.open(STOPPED_AT)
        assert read_here(page)

        # The offer of a free account, taken: signed up and back on the article, whole.
        follow(page, page.locator(".paywall-prompt__register a"))
        address = f"funnel-{uuid.uuid4().hex[:8]}@example.org"
        sign_up(reader, inbox, site.url, address, "Walked-the-funnel-81")
        done["Register offers taken"] += 1
        reader.assert_on(STOPPED_AT)
        assert not read_here(page)

        # On the registered reader's meter to its wall.
        for walled_at in onwards:
            reader.open(walled_at)
            if read_here(page):
                break
        else:
            pytest.fail("the registered reader's meter never reached its limit")
        follow(
            page,
            page.locator(".paywall-prompt").get_by_role("link", name=f"Try {TRIAL_DAYS} days free"),
        )
        follow(page, plan_card(page, "Weekly").get_by_role("button", name=re.compile("days free")))
        assert reader.where()[0] == "/billing/test-checkout/", page.url
        done["Checkouts started"] += 1
        follow(page, page.get_by_role("button", name="Start free trial"))
        reader.assert_on(walled_at)
        done["Trials started"] += 1
        reader.goto("/billing/test-portal/")
        follow(page, page.get_by_role("button", name=re.compile("End the trial now")))
        done["Trials converted to paid"] += 1
        reader.watch.assert_clean("the funnel walk")

    # The app processes write their events in batches of a few seconds.
    raw_expected = sum(done.values())
    deadline = time.monotonic() + 30
    while int(site.manage("shell", "-v0", "-c", RAW_EVENTS)) < raw_expected:
        assert time.monotonic() < deadline, "the walk's events were not written within 30 s"
        time.sleep(1)
    site.manage("insights_rollup", "-v0")

    with opened(Admin, browser, site.url) as open_tab:
        tab = open_tab("funnel-publisher")
        tab.log_in("journey-publisher")
        tab.page.goto(site.url + "/admin/insights/?range=7")
        shown = funnel_table(tab)
        assert shown == {step: done[step] for step in shown}, (shown, dict(done))
        assert set(shown) == set(done)
        top = tab.page.locator("section[aria-labelledby=articles-heading] tbody tr").first
        tab.page.goto(site.url + "/admin/insights/?range=7&sort=conversions")
        # The checkout credited to the article whose wall the subscribe click came from.
        expect(top.locator("th")).to_have_text(walled_at["title"])
        expect(top.locator("td").nth(2)).to_have_text("1")
        settle_in_place(tab.page)
        full_shot(tab, screenshots / "insights-funnel-walked.png")
        tab.page.goto(site.url + "/admin/insights/members/")
        row = tab.page.locator("table.mh-members tbody tr").filter(has_text=address)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Weekly")
        expect(row).to_contain_text("Active")
        follow(tab.page, row.get_by_role("link", name=address))
        steps = tab.page.locator("section[aria-labelledby=events-heading] tbody")
        expect(steps).to_contain_text("Created an account from the paywall's offer")
        expect(steps).to_contain_text(STOPPED_AT["title"])
        expect(steps).to_contain_text("Started a checkout")
        expect(steps).to_contain_text(walled_at["title"])
        expect(steps).to_contain_text("Paid: subscription active")
        tab.watch.assert_clean("the publisher's pages")


@pytest.fixture(scope="module")
def demo_events(live_site):
    live_site.manage("load_demo", "--events", "20000")
    live_site.manage("shell", "-c", USERS)


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_publisher_reads_the_dashboard(browser, live_site, demo_events, screenshots, device):
    options = PHONE_OPTIONS if device == "phone" else {}
    with opened(Admin, browser, live_site.url) as open_tab:
        tab = open_tab(f"publisher-{device}", **options)
        tab.log_in("journey-publisher")
        expect(tab.page.get_by_text("Audience & revenue, last 7 days")).to_be_visible()
        tab.page.screenshot(path=screenshots / f"insights-home-{device}.png", full_page=True)
        response = tab.page.goto(live_site.url + "/admin/insights/?range=90")
        assert response.status == 200
        expect(tab.page.get_by_role("heading", name="The funnel")).to_be_visible()
        expect(tab.page.locator("svg.mh-chart")).to_have_count(5)
        expect(tab.page.get_by_text("Attribution:")).to_be_visible()
        views = tab.page.locator("table").first.locator("tbody tr").first.locator("td").first
        assert int(views.inner_text().replace(",", "")) > 15000
        settle_in_place(tab.page)
        full_shot(tab, screenshots / f"insights-dashboard-{device}.png")
        # No horizontal scroll on the page itself: wide tables scroll in their own box.
        overflow = tab.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1
        tab.watch.assert_clean(f"the dashboard ({device})")
        with tab.page.expect_download() as download:
            tab.page.get_by_role("link", name="Download every article as CSV").click()
        assert download.value.suggested_filename.startswith("articles-")
        # To Chromium a download is a navigation it aborted: not the site's failure.
        tab.watch.problems.clear()

        # Members: the demo's subscribers, a page of them, each opening their history.
        tab.page.goto(live_site.url + "/admin/insights/members/")
        rows = tab.page.locator("table.mh-members tbody tr")
        expect(rows).to_have_count(50)
        settle_in_place(tab.page)
        full_shot(tab, screenshots / f"insights-members-{device}.png")
        overflow = tab.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1
        tab.page.get_by_label("Status").select_option("trialing")
        tab.page.get_by_role("button", name="Show").click()
        tab.page.wait_for_url(re.compile(r"status=trialing"))
        expect(rows.first).to_contain_text("Trialing")
        first = rows.first.locator("th a")
        address = first.inner_text()
        first.click()
        expect(tab.page.get_by_role("heading", name=address)).to_be_visible()
        expect(tab.page.get_by_role("heading", name="Subscriptions")).to_be_visible()
        full_shot(tab, screenshots / f"insights-member-{device}.png")
        tab.watch.assert_clean(f"the insights pages ({device})")


def test_an_editor_without_the_permission_is_refused(browser, live_site, demo_events, screenshots):
    with opened(Admin, browser, live_site.url) as open_tab:
        tab = open_tab("editor")
        tab.log_in("journey-editor")
        expect(tab.page.get_by_text("Audience & revenue, last 7 days")).to_have_count(0)
        for path in (
            "/admin/insights/",
            "/admin/insights/export/articles.csv",
            "/admin/insights/members/",
            "/admin/insights/members/export.csv",
        ):
            response = tab.context.request.get(live_site.url + path)
            assert response.status == 403, path
        response = tab.page.goto(live_site.url + "/admin/insights/")
        assert response.status == 403
        expect(tab.page.get_by_text("view insights")).to_be_visible()
        tab.page.screenshot(path=screenshots / "insights-editor-403.png", full_page=True)
