"""What the browser journeys share: Chromium, watched pages, settling, screenshots.

The ``browser`` and ``screenshots`` fixtures built on this are in conftest.py.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Request,
    Response,
    expect,
)

from masthead.content.demo_data import ARTICLES

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# Browser context options for a phone.
PHONE_OPTIONS = {"viewport": PHONE, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
# Long enough for a slow CI machine running both passes side by side (the admin's editor,
# with Wagtail's scripts and the preview panel, took over 15 s to reach "load" once).
TIMEOUT_MS = 30_000

# --- The paywall's defaults (PaywallSettings) and the demo plans (billing.services.DEMO_PLANS).
ANONYMOUS_LIMIT = 3
REGISTERED_LIMIT = 5
TEASER_BLOCKS = 2
TRIAL_DAYS = 14
LIMIT_HEADING = "You've reached your daily free article limit."
# The paywall's redirect that sets the reader cookie adds this to an article's URL.
IDENTIFY_MARKER = "mh_rc"


# --- The demo data ----------------------------------------------------------------------


def path_of(article: dict) -> str:
    return f"/{article['section']}/{article['slug']}/"


def texts(blocks: list[dict]) -> list[str]:
    return [b["text"] for b in blocks if b.get("text")]


def last_paragraph(article: dict) -> str:
    return [b["text"] for b in article["body"] if b["type"] == "paragraph"][-1]


def assert_last_paragraph_identifies(article: dict) -> None:
    """The last paragraph is unique to its article, so it identifies the whole text."""
    last = last_paragraph(article)
    assert sum(last in texts(a["body"]) for a in ARTICLES) == 1
    assert last not in texts(article["body"][:TEASER_BLOCKS])


def assert_teaser_shown(page: Page, article: dict) -> Locator:
    """The teaser blocks are visible and the gated part is not in the page; gives the body."""
    body = page.locator("article.article .article__body")
    for block in article["body"][:TEASER_BLOCKS]:
        expect(body.get_by_text(block["text"], exact=True)).to_be_visible()
    expect(page.locator(".article__gated")).to_have_count(0)
    return body


def assert_last_paragraph_shown(body: Locator, article: dict) -> None:
    """The article's last paragraph is in ``body``, once, and can be scrolled into view."""
    last = body.get_by_text(last_paragraph(article), exact=True)
    expect(last).to_have_count(1)
    last.scroll_into_view_if_needed()
    expect(last).to_be_visible()


# --- What went wrong on a page ----------------------------------------------------------


def is_favicon_probe(message: ConsoleMessage) -> bool:
    """Chromium's own /favicon.ico probe, which no page asks for.

    The site has no favicon yet, so the probe 404s. Only that exact URL is let
    through; an icon the markup links to and fails would still be reported.
    """
    url = urlsplit(message.location.get("url", ""))
    return url.path == "/favicon.ico" and "status of 404" in message.text


class Watch:
    """Everything that went wrong on a page: console errors, uncaught errors, bad requests.

    With ``ignore_favicon_response`` an error answer for /favicon.ico is not reported
    either (the console line for Chromium's own 404 probe never is). Nothing else is
    let through unless a journey says so with ``expect_status``.
    """

    def __init__(self, page: Page, label: str, *, ignore_favicon_response: bool = False):
        self.label = label
        self.ignore_favicon_response = ignore_favicon_response
        self.problems: list[str] = []
        self.expected: list[tuple[int, str]] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("response", self._response)
        page.on("requestfailed", self._request_failed)

    def expect_status(self, status: int, path_prefix: str) -> None:
        """Answers ``status`` from under ``path_prefix`` are what the journey is after
        (until the next ``assert_clean``)."""
        self.expected.append((status, path_prefix))

    def _is_expected(self, status: int, path: str) -> bool:
        return any(status == s and path.startswith(p) for s, p in self.expected)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error" or is_favicon_probe(message):
            return
        path = urlsplit(message.location.get("url", "")).path
        status = re.search(r"status of (\d{3})", message.text)
        if status and self._is_expected(int(status.group(1)), path):
            return  # the browser's own log line for an expected answer
        self.problems.append(f"console error: {message.text} ({message.location})")

    def _response(self, response: Response) -> None:
        path = urlsplit(response.url).path
        if response.status < 400:
            return
        if self.ignore_favicon_response and path == "/favicon.ico":
            return
        if not self._is_expected(response.status, path):
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _request_failed(self, request: Request) -> None:
        # A subresource the page started and then left behind on navigation (Wagtail's
        # icon sprite, the favicon) is aborted by the browser, not failed by the site;
        # an HTTP error is still reported by _response.
        left_behind = request.resource_type != "document"
        if left_behind and "ERR_ABORTED" in (request.failure or ""):
            return
        self.problems.append(f"request failed ({request.failure}): {request.url}")

    def assert_clean(self, where: str) -> None:
        problems, self.problems, self.expected = self.problems, [], []
        assert not problems, f"[{self.label}] problems on {where}:\n" + "\n".join(problems)


# --- Settling a page and checking its layout --------------------------------------------


# The body of an async function scrolling down the page a step at a time.
_SCROLL_DOWN = """
            const pause = () => new Promise(r => setTimeout(r, 60));
            const step = Math.max(200, Math.floor(window.innerHeight * 0.8));
            for (let y = 0; y < document.documentElement.scrollHeight; y += step) {
                window.scrollTo(0, y);
                await pause();
            }
"""


def settle(page: Page) -> None:
    """Scroll to the bottom and back so lazy images load, then wait for the network."""
    page.wait_for_load_state("load")
    page.evaluate(
        "async () => {"
        + _SCROLL_DOWN
        + """
            window.scrollTo(0, document.documentElement.scrollHeight);
            await pause();
            window.scrollTo(0, 0);
        }"""
    )
    page.wait_for_load_state("networkidle")
    page.wait_for_function("Array.from(document.images).every(img => img.complete)")


def settle_in_place(page: Page) -> None:
    """Like ``settle``, but back at the scroll position it started from, and without
    evaluating strings (for pages whose CSP has no 'unsafe-eval')."""
    page.wait_for_load_state("load")
    position = page.evaluate("() => window.scrollY")
    page.evaluate("async () => {" + _SCROLL_DOWN + "}")
    page.evaluate("y => window.scrollTo(0, y)", position)
    page.wait_for_load_state("networkidle")
    # Polled with evaluate(): wait_for_function() evaluates a string, which the
    # site's CSP (no 'unsafe-eval') rightly refuses.
    deadline = time.monotonic() + 10
    while not page.evaluate("() => Array.from(document.images).every(img => img.complete)"):
        assert time.monotonic() < deadline, f"images still loading on {page.url}"
        time.sleep(0.1)


def assert_layout_sound(page: Page, where: str) -> None:
    broken = page.evaluate(
        "Array.from(document.images).filter(img => !img.naturalWidth).map(img => img.src)"
    )
    assert not broken, f"broken images on {where}: {broken}"
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{where} scrolls sideways by {overflow}px"


# --- One browser user -------------------------------------------------------------------


class Tab:
    """One browser context (one set of cookies) with one watched page.

    Desktop-sized unless ``context_options`` say otherwise.
    """

    # Whether the page's Watch lets an error answer for /favicon.ico through.
    ignore_favicon_response = False

    def __init__(
        self,
        browser: Browser,
        base_url: str,
        label: str,
        *,
        cookies: list | None = None,
        **context_options,
    ):
        self.base_url = base_url
        self.label = label
        self.context: BrowserContext = browser.new_context(
            **({"viewport": DESKTOP} | context_options)
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        if cookies:
            self.context.add_cookies(cookies)
        self.page = self.context.new_page()
        self.watch = Watch(self.page, label, ignore_favicon_response=self.ignore_favicon_response)

    def close(self) -> None:
        self.context.close()

    def check(self, where: str) -> None:
        """The page is settled, its layout sound, and nothing went wrong."""
        settle(self.page)
        assert_layout_sound(self.page, f"{where} ({self.label})")
        self.watch.assert_clean(f"{where} ({self.label})")

    def snap(self, shots: Path, name: str) -> None:
        """Checked, then a full-page screenshot ``<name>.png`` in ``shots``."""
        self.check(name)
        self.page.screenshot(path=shots / f"{name}.png", full_page=True)
        self.watch.assert_clean(f"{name} ({self.label})")


T = TypeVar("T", bound=Tab)


@contextmanager
def opened(factory: Callable[..., T], *args) -> Iterator[Callable[..., T]]:
    """A maker of ``factory(*args, ...)`` that closes everything it made at the end."""
    made: list[T] = []

    def new(*more, **options) -> T:
        tab = factory(*args, *more, **options)
        made.append(tab)
        return tab

    yield new
    for tab in made:
        tab.close()
