"""Sharing an article in a browser: the copy button with the script, the field without it;
the share bar, reading time and "Most read" screenshotted at desktop and phone widths."""

from __future__ import annotations

import pytest

from masthead.content.demo_data import ARTICLES
from tests.e2e.browser import (
    DESKTOP,
    PHONE_OPTIONS,
    TIMEOUT_MS,
    Watch,
    assert_layout_sound,
    path_of,
    settle,
)

pytestmark = pytest.mark.e2e

FREE = next(a for a in ARTICLES if a["access"] == "free")


def canonical(page) -> str:
    return page.locator('link[rel="canonical"]').get_attribute("href")


def test_copy_link_copies_the_canonical_url_with_the_script(browser, live_site):
    context = browser.new_context(viewport=DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_site.url)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch = Watch(page, "share with script", ignore_favicon_response=True)
    page.goto(live_site.url + path_of(FREE) + "?utm_source=test")
    button = page.get_by_role("button", name="Copy link")
    button.click()
    page.get_by_role("status").filter(has_text="Link copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    # The canonical URL, without the tracking parameter. Its host is the one the article's
    # cached variant was first rendered for (a test may reach this site through nginx).
    assert copied == canonical(page) and copied.endswith(path_of(FREE))
    watch.assert_clean("the article after copying its link")
    context.close()


def test_without_javascript_the_link_is_in_a_field_to_select(browser, live_site):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(live_site.url + path_of(FREE))
    assert not page.get_by_role("button", name="Copy link").is_visible()
    field = page.get_by_label("Link", exact=True)
    assert field.input_value() == canonical(page)
    assert field.input_value().endswith(path_of(FREE))
    assert field.get_attribute("readonly") is not None
    context.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_share_bar_reading_time_and_most_read_look_sound(browser, live_site, screenshots, size):
    options = {"viewport": DESKTOP} if size == "desktop" else PHONE_OPTIONS
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch = Watch(page, f"article ({size})", ignore_favicon_response=True)
    page.goto(live_site.url + path_of(FREE))
    settle(page)
    assert page.locator(".reading-time").inner_text().endswith("min read")
    assert page.locator(".share__link").count() >= 7
    page.locator(".share").screenshot(path=str(screenshots / f"share-{size}.png"))
    page.screenshot(path=str(screenshots / f"article-share-{size}.png"))
    most_read = page.locator(".most-read")
    if most_read.count():
        most_read.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / f"article-most-read-{size}.png"))
    assert_layout_sound(page, f"the article ({size})")
    page.goto(live_site.url + "/")
    settle(page)
    page.screenshot(path=str(screenshots / f"home-most-read-{size}.png"), full_page=True)
    assert_layout_sound(page, f"the home page ({size})")
    watch.assert_clean(f"the article and home page ({size})")
    context.close()
