"""The home page's grid and section menu at desktop, tablet and phone sizes, and the pages
whose look changed with them (search results, error pages), screenshotted."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from masthead.content.demo_data import SECTIONS
from tests.e2e.browser import DESKTOP, PHONE_OPTIONS, TIMEOUT_MS, Watch, assert_layout_sound, settle

pytestmark = pytest.mark.e2e

TABLET = {"viewport": {"width": 800, "height": 1000}}

# Each section row: its cards grouped by line, and how much of the row each line fills.
ROWS_JS = """() => Array.from(document.querySelectorAll('.section-block .card-grid')).map(grid => {
  const box = grid.getBoundingClientRect();
  const gap = parseFloat(getComputedStyle(grid).columnGap) || 0;
  const lines = {};
  for (const card of grid.children) {
    const r = card.getBoundingClientRect();
    (lines[Math.round(r.top)] ||= []).push(r.width);
  }
  return {
    section: grid.closest('.section-block').querySelector('h2').textContent.trim(),
    width: box.width,
    filled: Object.values(lines).map(ws => ws.reduce((a, b) => a + b, 0) + gap * (ws.length - 1)),
  };
})"""

NAV_JS = """() => {
  const ul = document.querySelector('.section-nav ul');
  const tops = Array.from(ul.querySelectorAll('li'))
    .map(li => Math.round(li.getBoundingClientRect().top));
  return {
    lines: new Set(tops).size,
    overflowX: getComputedStyle(ul).overflowX,
    scrollable: ul.scrollWidth > ul.clientWidth,
    count: tops.length,
  };
}"""


def open_page(browser: Browser, url: str, options: dict, label: str) -> tuple[Page, Watch]:
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch = Watch(page, label, ignore_favicon_response=True)
    page.goto(url)
    settle(page)
    return page, watch


SIZES = {"desktop": {"viewport": DESKTOP}, "tablet": TABLET, "phone": PHONE_OPTIONS}


@pytest.mark.parametrize("size", SIZES)
def test_home_section_rows_leave_no_empty_cell(browser, live_site, screenshots, size):
    page, watch = open_page(browser, live_site.url + "/", SIZES[size], f"home ({size})")
    rows = page.evaluate(ROWS_JS)
    assert len(rows) == len(SECTIONS)
    for row in rows:
        for filled in row["filled"]:
            assert filled >= row["width"] - 2, (size, row)
    assert_layout_sound(page, f"home ({size})")
    page.screenshot(path=screenshots / f"layout-home-{size}.png", full_page=True)
    watch.assert_clean(page.url)
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_section_menu_is_one_row_that_scrolls_when_it_must(browser, live_site, screenshots, size):
    page, watch = open_page(browser, live_site.url + "/", SIZES[size], f"menu ({size})")
    nav = page.evaluate(NAV_JS)
    assert nav["count"] == len(SECTIONS)
    assert nav["lines"] == 1, (size, nav)
    page.screenshot(path=screenshots / f"layout-menu-{size}.png", clip=_top(page))
    if nav["scrollable"]:
        assert nav["overflowX"] in ("auto", "scroll"), nav
        last = page.locator(".section-nav li").last.locator("a")
        last.scroll_into_view_if_needed()
        box, bar = last.bounding_box(), page.locator(".section-nav ul").bounding_box()
        assert box["x"] + box["width"] <= bar["x"] + bar["width"] + 1
    watch.assert_clean(page.url)
    page.context.close()


def _top(page: Page) -> dict:
    width = page.viewport_size["width"]
    return {"x": 0, "y": 0, "width": width, "height": 260}


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_search_and_error_pages_keep_the_site_around_them(browser, live_site, screenshots, size):
    for name, path, status in [
        ("search", '/search/?q="night bus" OR reservoir', 200),
        ("search-punctuation", '/search/?q=a"b', 200),
        ("404", "/no-such-page/", 404),
    ]:
        context = browser.new_context(**SIZES[size])
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        response = page.goto(live_site.url + path)
        assert response.status == status, (name, response.status)
        settle(page)
        assert page.locator(".site-header").is_visible()
        assert page.locator('form[role="search"]').first.is_visible()
        assert_layout_sound(page, f"{name} ({size})")
        page.screenshot(path=screenshots / f"layout-{name}-{size}.png", full_page=True)
        context.close()
