"""A reader's journey through the demo publication in a real Chromium.

Home -> section -> article -> byline author -> back -> "View all posts by" ->
another article by that author -> one of its tags -> header search.

Every page is checked for console errors, failed requests and broken images,
and screenshotted full page at desktop and phone sizes into artifacts/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from playwright.sync_api import Browser, Page

from masthead.content.demo_data import ARTICLES, AUTHORS, PUBLICATION, SECTIONS
from tests.e2e.browser import (
    DESKTOP,
    IDENTIFY_MARKER,
    PHONE_OPTIONS,
    TIMEOUT_MS,
    Watch,
    assert_layout_sound,
    settle,
)

pytestmark = pytest.mark.e2e

# --- The route, taken from the demo data (no ORM: the site runs in its own process).
SECTION = next(s for s in SECTIONS if s["slug"] == "climate")
FIRST_ARTICLE = next(a for a in ARTICLES if a["slug"] == "kessler-reservoir-early-drawdown")
AUTHOR = next(a for a in AUTHORS if a["slug"] == FIRST_ARTICLE["authors"][0])
SECOND_ARTICLE = next(
    a for a in ARTICLES if a["slug"] == "fort-aldous-airfield-prairie-restoration"
)
TAG = "fort aldous"
SEARCH_WORD = "prairie"


def _tag_slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def test_route_matches_demo_data():
    """The constants above still describe the demo publication."""
    assert FIRST_ARTICLE["section"] == SECTION["slug"]
    assert AUTHOR["slug"] in SECOND_ARTICLE["authors"]
    assert SECOND_ARTICLE["slug"] != FIRST_ARTICLE["slug"]
    assert TAG in SECOND_ARTICLE["tags"]
    assert SEARCH_WORD in SECOND_ARTICLE["title"].lower()


# --- Browser plumbing -------------------------------------------------------------------


class Reader:
    """A desktop reader clicking through the site, with a phone twin for screenshots."""

    def __init__(self, browser: Browser, base_url: str, shots: Path):
        self.base_url = base_url
        self.shots = shots
        self.desktop_context = browser.new_context(viewport=DESKTOP)
        self.phone_context = browser.new_context(**PHONE_OPTIONS)
        for context in (self.desktop_context, self.phone_context):
            context.set_default_timeout(TIMEOUT_MS)
        self.page = self.desktop_context.new_page()
        self.phone = self.phone_context.new_page()
        self.watch = Watch(self.page, "desktop")
        self.phone_watch = Watch(self.phone, "phone")

    def close(self) -> None:
        self.desktop_context.close()
        self.phone_context.close()

    def check(self, where: str) -> None:
        """The desktop page is settled and healthy."""
        settle(self.page)
        assert_layout_sound(self.page, where)
        self.watch.assert_clean(where)

    def snap(self, name: str) -> None:
        """Full-page screenshots of the current page at desktop and phone sizes."""
        where = urlsplit(self.page.url)
        settle(self.page)
        assert_layout_sound(self.page, f"{name} (desktop)")
        self.page.screenshot(path=self.shots / f"{name}-desktop.png", full_page=True)
        self.watch.assert_clean(f"{name} (desktop)")

        # The phone is another reader: it gets the address without this reader's
        # one-off cookie-check marker, as a shared link would be.
        query = [(k, v) for k, v in parse_qsl(where.query) if k != IDENTIFY_MARKER]
        self.phone.goto(urlunsplit(where._replace(query=urlencode(query))), wait_until="load")
        assert urlsplit(self.phone.url).path == where.path
        settle(self.phone)
        assert_layout_sound(self.phone, f"{name} (phone)")
        self.phone.screenshot(path=self.shots / f"{name}-phone.png", full_page=True)
        self.phone_watch.assert_clean(f"{name} (phone)")


def wait_for_path(page: Page, path: str) -> None:
    """Wait for a navigation to ``path``, whatever query string it lands with."""
    page.wait_for_url(lambda url: urlsplit(url).path == path)
    page.wait_for_load_state("load")


def card_titles(page: Page, scope: str = "main") -> list[str]:
    return [t.strip() for t in page.locator(f"{scope} .card__title a").all_inner_texts()]


@pytest.fixture
def reader(browser, live_site, screenshots):
    reader = Reader(browser, live_site.url, screenshots)
    yield reader
    reader.close()


# --- The journey ------------------------------------------------------------------------


def test_reader_journey(reader: Reader):
    page = reader.page
    publication = PUBLICATION["name"]

    # 1. Home: the only URL typed in.
    page.goto(reader.base_url + "/")
    assert page.title().startswith(publication)
    assert page.locator("a.brand .brand__name").inner_text() == publication
    nav_links = page.locator("nav.section-nav a")
    assert nav_links.all_inner_texts() == [s["title"] for s in SECTIONS]
    assert page.locator("section.lead-story .card__title a").count() == 1
    newest = min(ARTICLES, key=lambda a: a["hours_ago"])
    assert page.locator("section.lead-story .card__title a").inner_text() == newest["title"]
    reader.snap("01-home")

    # 2. Click a section in the header nav.
    nav_links.get_by_text(SECTION["title"], exact=True).click()
    wait_for_path(page, f"/{SECTION['slug']}/")
    assert page.locator("main h1").inner_text() == SECTION["title"]
    assert page.locator(".page-header__intro").inner_text() == SECTION["intro"]
    in_section = sorted(
        (a for a in ARTICLES if a["section"] == SECTION["slug"]), key=lambda a: a["hours_ago"]
    )
    assert card_titles(page) == [a["title"] for a in in_section]
    reader.snap("02-section")

    # 3. Click an article in that section.
    article_path = f"/{SECTION['slug']}/{FIRST_ARTICLE['slug']}/"
    page.locator("main .card__title a", has_text=FIRST_ARTICLE["title"]).click()
    wait_for_path(page, article_path)
    assert_article(page, FIRST_ARTICLE)
    reader.snap("03-article")

    # 4. Click the byline author.
    byline = page.locator("article.article p.byline a[rel=author]")
    assert byline.all_inner_texts() == [AUTHOR["name"]]
    byline.click()
    author_path = f"/authors/{AUTHOR['slug']}/"
    wait_for_path(page, author_path)
    assert_author_page(page)
    reader.snap("04-author")

    # 5. Back to the article, then "View all posts by <name>" in the author box.
    page.go_back()
    wait_for_path(page, article_path)
    assert page.locator("h1.article__title").inner_text() == FIRST_ARTICLE["title"]
    reader.check("article after going back")
    box = page.locator(".author-box", has_text=AUTHOR["name"])
    assert box.locator(".author-box__name").inner_text() == AUTHOR["name"]
    assert box.locator(".author-box__bio").inner_text() == AUTHOR["short_bio"]
    view_all = box.get_by_role("link", name=f"View all posts by {AUTHOR['name']}")
    view_all.scroll_into_view_if_needed()
    view_all.click()
    wait_for_path(page, author_path)
    assert_author_page(page)
    reader.check("author page from the author box")

    # 6. Open another article from the author's list.
    second_path = f"/{SECOND_ARTICLE['section']}/{SECOND_ARTICLE['slug']}/"
    page.locator("main .card__title a", has_text=SECOND_ARTICLE["title"]).click()
    wait_for_path(page, second_path)
    assert_article(page, SECOND_ARTICLE)
    reader.snap("05-second-article")

    # 7. Click one of its tags.
    tag_link = page.locator(".article__tags a", has_text=re.compile(rf"^{TAG}$", re.I))
    tag_link.scroll_into_view_if_needed()
    tag_link.click()
    wait_for_path(page, f"/tags/{_tag_slug(TAG)}/")
    assert page.locator("main .page-header .kicker").inner_text().lower() == "topic"
    assert page.locator("main h1").inner_text().lower() == TAG
    tagged = sorted((a for a in ARTICLES if TAG in a["tags"]), key=lambda a: a["hours_ago"])
    assert card_titles(page) == [a["title"] for a in tagged]
    assert SECOND_ARTICLE["title"] in card_titles(page)
    reader.snap("06-tag")

    # 8. Search from the header box.
    search_box = page.locator("form[role=search] input#site-search")
    search_box.click()
    search_box.press_sequentially(SEARCH_WORD)
    search_box.press("Enter")
    wait_for_path(page, "/search/")
    assert parse_qs(urlsplit(page.url).query)["q"] == [SEARCH_WORD]
    assert page.locator("main h1").inner_text() == "Search"
    assert page.locator("input#search-page-q").input_value() == SEARCH_WORD
    assert page.locator("input#site-search").input_value() == SEARCH_WORD
    count = page.locator("main .result-count").inner_text()
    assert re.fullmatch(rf"\d+ articles? found for “{SEARCH_WORD}”", count), count
    results = card_titles(page)
    assert SECOND_ARTICLE["title"] in results
    for article in ARTICLES:
        if SEARCH_WORD in article["title"].lower():
            assert article["title"] in results
    reader.snap("07-search")


def assert_article(page: Page, article: dict) -> None:
    section = next(s for s in SECTIONS if s["slug"] == article["section"])
    authors = [next(a for a in AUTHORS if a["slug"] == slug) for slug in article["authors"]]
    assert page.title() == f"{article['title']} – {PUBLICATION['name']}"
    assert page.locator("article.article").count() == 1
    assert page.locator("h1.article__title").inner_text() == article["title"]
    assert page.locator(".article__dek").inner_text() == article["dek"]
    assert page.locator("article.article .kicker").inner_text().lower() == section["title"].lower()
    current = page.locator("nav.section-nav a[aria-current=page]")
    assert current.all_inner_texts() == [section["title"]]
    byline = page.locator("p.byline a[rel=author]").all_inner_texts()
    assert byline == [a["name"] for a in authors]
    # An anonymous reader well inside the meter reads the whole article, unprompted.
    paragraphs = [b["text"] for b in article["body"] if b["type"] == "paragraph"]
    body = page.locator(".article__body")
    for text in (paragraphs[0], paragraphs[-1]):
        assert body.get_by_text(text, exact=True).count() == 1
    assert page.locator(".paywall-prompt").count() == 0
    lead = page.locator(".article__lead-image img")
    assert lead.count() == 1
    assert lead.get_attribute("alt") == article["image"]["caption"]
    tags = sorted(t.lower() for t in page.locator(".article__tags a").all_inner_texts())
    assert tags == sorted(article["tags"])
    for name in article["tags"]:
        link = page.locator(".article__tags a", has_text=re.compile(rf"^{name}$", re.I))
        assert link.get_attribute("href") == f"/tags/{_tag_slug(name)}/"
    for author in authors:
        box = page.locator(".author-box", has_text=author["name"])
        assert box.get_by_role("link", name=f"View all posts by {author['name']}").count() == 1
    more_from = page.locator(".more-from")
    assert more_from.locator("h2").inner_text() == f"More from {PUBLICATION['name']}"
    related = card_titles(page, ".more-from")
    assert related and article["title"] not in related


def assert_author_page(page: Page) -> None:
    assert page.locator("main h1").inner_text() == AUTHOR["name"]
    assert (
        page.locator(".author-header .author-role").inner_text().lower() == AUTHOR["role"].lower()
    )
    assert page.locator(".author-bio").inner_text().startswith(AUTHOR["bio"][0][:60])
    heading = page.locator("#author-articles")
    assert heading.inner_text() == f"Articles by {AUTHOR['name']}"
    theirs = sorted(
        (a for a in ARTICLES if AUTHOR["slug"] in a["authors"]), key=lambda a: a["hours_ago"]
    )
    assert card_titles(page) == [a["title"] for a in theirs]


# --- Keyboard ---------------------------------------------------------------------------


def test_skip_link_is_first_and_jumps_to_main(browser, live_site):
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        watch = Watch(page, "keyboard")
        page.goto(live_site.url + "/")
        page.wait_for_load_state("networkidle")

        skip = page.locator("a.skip-link")
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "({text: document.activeElement.textContent.trim(),"
            " href: document.activeElement.getAttribute('href'),"
            " cls: document.activeElement.className})"
        )
        assert focused == {"text": "Skip to content", "href": "#main", "cls": "skip-link"}
        # Once focused it is on screen, not parked off-canvas.
        box = skip.bounding_box()
        assert box and box["x"] >= 0 and box["y"] >= 0 and box["width"] > 0
        assert box["x"] + box["width"] <= DESKTOP["width"]

        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"#main$"))
        main_top = page.evaluate("document.querySelector('#main').getBoundingClientRect().top")
        assert abs(main_top) <= 2, f"#main should be scrolled to the top, is at {main_top}px"
        assert page.evaluate("window.scrollY") > 0

        # Focus navigation now starts from #main: the next Tab lands inside it,
        # not on the header's search box or section links.
        page.keyboard.press("Tab")
        inside_main = page.evaluate(
            "document.querySelector('#main').contains(document.activeElement)"
        )
        assert inside_main, page.evaluate("document.activeElement.outerHTML")
        watch.assert_clean("home page (keyboard)")
    finally:
        context.close()
