"""The publisher's dashboard in Chromium against the live site, with 90 days of demo data.

A publisher opens Reports → Audience & revenue on a desktop and on a phone and sees
the funnel, charts and tables; an editor without "view insights" gets 403 on the
dashboard and its CSV export, and no panel on the admin's home page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import PHONE_OPTIONS, Tab, opened, settle_in_place

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
        tab.page.screenshot(path=screenshots / f"insights-dashboard-{device}.png", full_page=True)
        # No horizontal scroll on the page itself: wide tables scroll in their own box.
        overflow = tab.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1
        with tab.page.expect_download() as download:
            tab.page.get_by_role("link", name="Download every article as CSV").click()
        assert download.value.suggested_filename.startswith("articles-")


def test_an_editor_without_the_permission_is_refused(browser, live_site, demo_events, screenshots):
    with opened(Admin, browser, live_site.url) as open_tab:
        tab = open_tab("editor")
        tab.log_in("journey-editor")
        expect(tab.page.get_by_text("Audience & revenue, last 7 days")).to_have_count(0)
        for path in ("/admin/insights/", "/admin/insights/export/articles.csv"):
            response = tab.context.request.get(live_site.url + path)
            assert response.status == 403, path
        response = tab.page.goto(live_site.url + "/admin/insights/")
        assert response.status == 403
        expect(tab.page.get_by_text("view insights")).to_be_visible()
        tab.page.screenshot(path=screenshots / "insights-editor-403.png", full_page=True)
