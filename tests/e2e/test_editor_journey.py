"""The demo editor's journey in Wagtail's admin, in Chromium against the live site.

The editor logs in, finds the "New article" panel on the dashboard, opens an article
with two authors (both on the Content tab, in byline order), opens the preview side
panel and sees the article in it, then opens previews in a new tab of that article
and of a section page. Frames refused by the page's CSP leave an empty panel, and a
preview that fails leaves an error: both would fail here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import FrameLocator, Page, expect

from masthead.content.demo_data import ARTICLES, AUTHORS, SECTIONS
from tests.e2e.browser import Tab, opened, settle_in_place

TWO_AUTHORS = next(a for a in ARTICLES if len(a["authors"]) == 2)
BYLINE = [next(a["name"] for a in AUTHORS if a["slug"] == s) for s in TWO_AUTHORS["authors"]]
SECTION = next(s for s in SECTIONS if s["slug"] == TWO_AUTHORS["section"])


class Editor(Tab):
    ignore_favicon_response = True

    def goto(self, path: str) -> None:
        response = self.page.goto(self.base_url + path, wait_until="load")
        assert response is not None and response.status == 200, (path, response)

    def log_in(self, username: str, password: str) -> None:
        self.goto("/admin/login/")
        self.page.fill('input[name="username"]', username)
        self.page.fill('input[name="password"]', password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(re.compile(r"/admin/$"))

    def assert_clean(self, where: str) -> None:
        # Wagtail's content checks (axe, run on the previewed page) log their findings
        # with console.error; they are the checks panel's counter, not a failure here.
        self.watch.problems = [p for p in self.watch.problems if "axe.run results" not in p]
        self.watch.assert_clean(where)

    def snap(self, shots: Path, name: str, *, full_page: bool = True) -> None:
        settle_in_place(self.page)
        self.page.screenshot(path=shots / f"editor-{name}.png", full_page=full_page)
        self.assert_clean(name)

    def open_preview_panel(self) -> FrameLocator:
        """The preview side panel, open (Wagtail remembers the last panel opened)."""
        toggle = self.page.locator('button[data-side-panel-toggle="preview"]')
        expect(toggle).to_be_visible()
        if toggle.get_attribute("aria-expanded") != "true":
            toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        iframe = self.page.locator("iframe.w-preview__iframe").last
        expect(iframe).to_be_visible()
        return iframe.content_frame

    def open_preview_in_new_tab(self) -> Page:
        with self.context.expect_page() as new_tab:
            self.page.get_by_role("link", name="Preview in new tab").click()
        preview = new_tab.value
        # The checks that follow wait for what they read. "load" would also wait for
        # every image, stylesheet and script, each queued behind the live site's two
        # workers while the editor's own preview panel refreshes: with CI's two passes
        # side by side on two cores, that has outlasted the timeout.
        preview.wait_for_load_state("domcontentloaded")
        return preview


@pytest.fixture(scope="module")
def editor_login(live_site) -> tuple[str, str]:
    printed = live_site.manage("ensure_editor")
    found = re.search(r"Editor login: (\S+) / (\S+)", printed)
    assert found, printed
    return found[1], found[2]


@pytest.fixture(scope="module")
def page_ids(live_site) -> dict[str, int]:
    code = (
        "from masthead.content.models import ArticlePage, SectionPage\n"
        f"print('ids', ArticlePage.objects.get(slug={TWO_AUTHORS['slug']!r}).pk,"
        f" SectionPage.objects.get(slug={SECTION['slug']!r}).pk)"
    )
    found = re.search(r"^ids (\d+) (\d+)$", live_site.manage("shell", "-c", code), re.M)
    assert found
    return {"article": int(found[1]), "section": int(found[2])}


@pytest.fixture
def editor(browser, live_site, editor_login):
    with opened(Editor, browser, live_site.url) as open_editor:
        person = open_editor("editor")
        person.log_in(*editor_login)
        yield person


def byline_of(frame_or_page) -> list[str]:
    return frame_or_page.locator("p.byline a[rel=author]").all_inner_texts()


def test_the_editor_writes_and_previews_in_the_admin(editor, page_ids, screenshots):
    # The dashboard offers a new article in each section.
    expect(editor.page.get_by_role("heading", name="New article")).to_be_visible()
    panel = editor.page.locator("main")
    for section in SECTIONS:
        expect(panel.get_by_role("link", name=f"New article in {section['title']}")).to_be_visible()
    editor.snap(screenshots, "dashboard-desktop")

    # The article's authors, tags and access level are on the Content tab.
    editor.goto(f"/admin/pages/{page_ids['article']}/edit/")
    content = editor.page.locator("#tab-content")
    expect(content.get_by_text("Authors", exact=True).first).to_be_visible()
    for name in BYLINE:
        expect(content.get_by_text(name, exact=True).first).to_be_visible()
    expect(content.locator("#id_tags")).to_have_count(1)  # drawn as chips by script
    expect(content.locator("[name=access_level]").first).to_be_visible()
    editor.snap(screenshots, "article-edit-desktop")

    # The preview side panel shows the article with both authors.
    frame = editor.open_preview_panel()
    expect(frame.locator("h1")).to_have_text(TWO_AUTHORS["title"])
    expect(frame.locator("p.byline a[rel=author]")).to_have_text(BYLINE)
    editor.snap(screenshots, "article-preview-panel-desktop", full_page=False)

    # ...and in a new tab.
    preview = editor.open_preview_in_new_tab()
    expect(preview.locator("h1")).to_have_text(TWO_AUTHORS["title"])
    assert byline_of(preview) == BYLINE
    preview.screenshot(path=screenshots / "editor-article-preview-tab-desktop.png")
    preview.close()
    editor.assert_clean("article previews")

    # A section page previews too, in the panel and in a new tab.
    editor.goto(f"/admin/pages/{page_ids['section']}/edit/")
    frame = editor.open_preview_panel()
    expect(frame.locator("h1")).to_have_text(SECTION["title"])
    expect(frame.get_by_text(TWO_AUTHORS["title"]).first).to_be_attached()
    preview = editor.open_preview_in_new_tab()
    expect(preview.locator("h1")).to_have_text(SECTION["title"])
    preview.close()
    editor.snap(screenshots, "section-preview-panel-desktop", full_page=False)
