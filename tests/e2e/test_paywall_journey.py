"""The metered paywall as an anonymous reader meets it, in a real Chromium.

A fresh reader reads three metered articles whole (the notice counts down
2, 1, 0), is stopped at the fourth by the limit prompt, may still re-read the
first, and finds the fourth cut short on the server: not in the DOM, not with
JavaScript off, not in the page source. A subscribers-only article is a teaser
for everyone without a subscription.

Every page is checked for console errors and failed requests, and the paywall
states are screenshotted into artifacts/screenshots/ (p*.png).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Response, expect

from masthead.content.demo_data import ARTICLES
from tests.e2e.browser import (
    ANONYMOUS_LIMIT,
    IDENTIFY_MARKER,
    LIMIT_HEADING,
    PHONE_OPTIONS,
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
    texts,
)

pytestmark = pytest.mark.e2e

# --- The paywall's defaults (PaywallSettings) and the demo plans (billing.services.DEMO_PLANS).
# (ANONYMOUS_LIMIT, REGISTERED_LIMIT, TEASER_BLOCKS, TRIAL_DAYS: tests/e2e/browser.py.)
PLANS = [
    # (name, price as shown, per interval, highlight)
    ("Weekly", "$2.00", "a week", ""),
    ("Monthly", "$8.00", "a month", ""),
    ("Yearly", "$80.00", "a year", "Best value"),
]
READER_COOKIE = "mh_reader"
SUBSCRIBERS_HEADING = "This article is for subscribers."

# --- The route, from the demo data (no ORM: the site runs in its own process).
METERED = [a for a in ARTICLES if a["access"] == "metered"]
# Four metered articles from four different sections; none is read by the other journey.
ROUTE_SLUGS = [
    "council-passes-budget-night-bus-routes",
    "fort-aldous-drone-corridor-hearing",
    "port-of-meridian-record-quarter",
    "valley-symphony-names-ines-valcourt",
]
ROUTE = [next(a for a in METERED if a["slug"] == slug) for slug in ROUTE_SLUGS]
SUBSCRIBERS_ONLY = next(a for a in ARTICLES if a["access"] == "subscribers")


def gated_sentences(article: dict) -> list[str]:
    """Every sentence of the body after the teaser, as written in the demo data."""
    teaser = " ".join([article["title"], article["dek"], *texts(article["body"][:TEASER_BLOCKS])])
    sentences = []
    for text in texts(article["body"][TEASER_BLOCKS:]):
        for sentence in re.split(r"(?<=[.!?])[\"”’]?\s+(?=[\"“A-Z0-9])", text):
            sentence = sentence.strip()
            if len(sentence) >= 12 and sentence not in teaser:
                sentences.append(sentence)
    return sentences


def test_route_matches_demo_data():
    """The constants above still describe the demo publication."""
    assert len(ROUTE) == ANONYMOUS_LIMIT + 1
    assert all(a["access"] == "metered" for a in ROUTE)
    assert len({a["section"] for a in ROUTE}) == len(ROUTE)
    for article in [*ROUTE, SUBSCRIBERS_ONLY]:
        assert len(article["body"]) > TEASER_BLOCKS + 2
        assert article["body"][-1]["type"] == "paragraph"
        assert_last_paragraph_identifies(article)
        assert len(gated_sentences(article)) >= 10


# --- Browser plumbing -------------------------------------------------------------------


class Visitor(Tab):
    """One browser context (one set of cookies, so one meter) with one watched page."""

    def __init__(
        self,
        browser: Browser,
        base_url: str,
        label: str,
        *,
        phone: bool = False,
        javascript: bool = True,
        cookies: list | None = None,
    ):
        options = PHONE_OPTIONS if phone else {}
        super().__init__(
            browser, base_url, label, cookies=cookies, java_script_enabled=javascript, **options
        )
        self.javascript = javascript

    def open(self, article: dict) -> Response:
        """Open an article by its URL, as a typed or shared link would."""
        path = path_of(article)
        response = self.page.goto(self.base_url + path, wait_until="load")
        assert response is not None and response.status == 200, (path, response)
        # Whatever redirects the paywall made, the reader lands on the clean URL.
        landed = urlsplit(self.page.url)
        assert (landed.path, landed.query) == (path, ""), self.page.url
        assert self.page.locator("h1.article__title").inner_text() == article["title"]
        return response

    def check(self, where: str) -> None:
        if self.javascript:
            super().check(where)
        else:
            self.page.wait_for_load_state("networkidle")
            self.watch.assert_clean(f"{where} ({self.label})")


@pytest.fixture
def visitors(browser, live_site):
    with opened(Visitor, browser, live_site.url) as new:
        yield new


# --- Assertions about one article page --------------------------------------------------


def assert_whole(page: Page, article: dict, remaining: int, *, reread: bool = False) -> None:
    """The whole article, with the meter notice counting what is left."""
    noun = "article" if remaining == 1 else "articles"
    notice = page.locator("p.meter-notice")
    expect(notice).to_have_count(1)
    expect(notice).to_be_visible()
    if reread:
        wording = "You read this article today, so it is still free to read again."
    elif remaining == 0:
        wording = "This is your last free article today."
    else:
        wording = f"You have {remaining} free {noun} left today."
    expect(notice).to_contain_text(wording)
    subscribe = notice.get_by_role("link", name="Subscribe for unlimited access")
    expect(subscribe).to_have_attribute(
        "href", f"/subscribe/?{urlencode({'next': path_of(article)})}&from=paywall"
    )
    body = page.locator("article.article .article__body")
    expect(body.locator(".article__gated")).to_have_count(1)
    first = body.get_by_text(article["body"][0]["text"], exact=True)
    expect(first).to_be_visible()
    assert_last_paragraph_shown(body, article)
    expect(page.locator(".paywall-prompt")).to_have_count(0)


def assert_cut_short(page: Page, article: dict) -> None:
    """Only the teaser blocks reached the browser: the rest is nowhere in the DOM."""
    body = assert_teaser_shown(page, article)
    expect(page.locator("p.meter-notice")).to_have_count(0)
    dom = html.unescape(page.content())
    assert last_paragraph(article) not in dom
    leaked = [s for s in gated_sentences(article) if s in dom]
    assert not leaked, f"gated text in the DOM of {path_of(article)}: {leaked}"
    # Nothing past the teaser, whatever its kind of block.
    assert body.locator(":scope > *").count() == TEASER_BLOCKS


def assert_prompt_plans(prompt) -> None:
    plans = prompt.locator("ul.plan-list > li.plan")
    expect(plans).to_have_count(len(PLANS))
    for plan, (name, price, per, highlight) in zip(plans.all(), PLANS, strict=True):
        expect(plan.locator(".plan__name")).to_have_text(name)
        expect(plan.locator(".plan__price strong")).to_have_text(price)
        expect(plan.locator(".plan__price")).to_have_text(f"{price} {per}")
        expect(plan.locator(".plan__trial")).to_have_text(f"{TRIAL_DAYS} days free")
        if highlight:
            expect(plan.locator(".plan__highlight")).to_have_text(highlight)
        else:
            expect(plan.locator(".plan__highlight")).to_have_count(0)
        # The whole row is a link to that plan's own checkout path.
        choose = plan.locator("a.plan__choose")
        expect(choose).to_have_count(1)
        expect(choose).to_have_attribute(
            "href", re.compile(r"^/subscribe/\d+/\?next=.*&from=paywall$")
        )


def assert_prompt(page: Page, article: dict, heading: str, *, register_offer: int) -> None:
    path = path_of(article)
    next_query = urlencode({"next": path})
    # The next= value is the article's path, URL-encoded.
    assert next_query == "next=" + path.replace("/", "%2F")
    prompt = page.locator("article.article section.paywall-prompt")
    expect(prompt).to_have_count(1)
    expect(prompt).to_be_visible()
    expect(prompt.locator("h2")).to_have_text(heading)
    expect(prompt).to_have_attribute("aria-labelledby", "paywall-heading")
    assert_prompt_plans(prompt)
    trial = prompt.locator(".paywall-prompt__actions a.button")
    expect(trial).to_have_text(f"Try {TRIAL_DAYS} days free")
    expect(trial).to_have_attribute("href", f"/subscribe/?{next_query}&from=paywall")
    login_line = prompt.locator(".paywall-prompt__login")
    expect(login_line).to_have_text("Already a subscriber? Log in")
    login = login_line.get_by_role("link", name="Log in")
    expect(login).to_have_attribute("href", f"/accounts/login/?{next_query}")
    assert parse_qs(urlsplit(login.get_attribute("href")).query) == {"next": [path]}
    register = prompt.locator(".paywall-prompt__register a")
    if register_offer:
        expect(register).to_have_text(f"Create a free account to read {register_offer} more")
        # "from=paywall" marks the sign-up as a register offer taken, for the funnel.
        expect(register).to_have_attribute("href", f"/accounts/signup/?{next_query}&from=paywall")
    else:
        expect(register).to_have_count(0)


class SourceScan(HTMLParser):
    """The text, script and noscript contents and attribute values of a raw document."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.noscripts: list[str] = []
        self.attributes: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.attributes.extend(value for _, value in attrs if value)
        if tag in ("script", "noscript", "template", "style"):
            self._open.append(tag)

    def handle_endtag(self, tag):
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data):
        self.text.append(data)
        if "script" in self._open:
            self.scripts.append(data)
        if "noscript" in self._open:
            self.noscripts.append(data)


def _plain(source: str) -> str:
    """Undo HTML and JSON-in-script escaping, so an escaped leak still matches."""
    source = html.unescape(source)
    source = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), source)
    return source.replace('\\"', '"').replace("\\/", "/")


def assert_source_clean(source: str, article: dict) -> None:
    scan = SourceScan()
    scan.feed(source)
    scan.close()
    places = {
        "raw HTML": source,
        "the document": _plain(source),
        "text": _plain(" ".join(scan.text)),
        "<script>": _plain("\n".join(scan.scripts)),
        "<noscript>": _plain("\n".join(scan.noscripts)),
        "attributes": _plain("\n".join(scan.attributes)),
    }
    sentences = gated_sentences(article)
    for where, haystack in places.items():
        leaked = [s for s in sentences if s in haystack or html.escape(s) in haystack]
        assert not leaked, f"gated text of {path_of(article)} in {where}: {leaked}"
    # The scan saw the page: its teaser is there, in the text.
    assert article["body"][0]["text"] in places["text"]


# --- The journey ------------------------------------------------------------------------


def test_metered_reader_journey(visitors, screenshots):
    first, second, third, fourth = ROUTE
    reader = visitors("reader")
    page = reader.page

    # 1. Three metered articles by URL: each whole, the notice counting down.
    response = reader.open(first)
    # The first visit went round once for the reader cookie, then back to the clean URL.
    hops = []
    request = response.request.redirected_from
    while request is not None:
        hops.append(request.url)
        request = request.redirected_from
    assert len(hops) == 2, hops
    marked, bare = urlsplit(hops[0]), urlsplit(hops[1])
    assert bare.path == marked.path == path_of(first) and not bare.query
    assert set(parse_qs(marked.query)) == {IDENTIFY_MARKER}
    cookie = next(c for c in reader.context.cookies() if c["name"] == READER_COOKIE)
    assert cookie["httpOnly"]
    assert_whole(page, first, remaining=ANONYMOUS_LIMIT - 1)
    expect(page.locator("p.meter-notice")).to_contain_text("You have 2 free articles left today.")
    reader.snap(screenshots, "p1-notice-2-left")

    reader.open(second)
    assert_whole(page, second, remaining=1)
    expect(page.locator("p.meter-notice")).to_contain_text("You have 1 free article left today.")
    reader.check("second metered article")

    reader.open(third)
    assert_whole(page, third, remaining=0)
    expect(page.locator("p.meter-notice")).to_contain_text("This is your last free article today.")
    reader.snap(screenshots, "p2-notice-0-left")

    # 2. The fourth: the limit prompt after the teaser, and nothing of the rest.
    reader.open(fourth)
    assert_prompt(page, fourth, LIMIT_HEADING, register_offer=REGISTERED_LIMIT - ANONYMOUS_LIMIT)
    assert_cut_short(page, fourth)
    lede = page.locator(".paywall-prompt__lede")
    expect(lede).to_have_text(
        "Subscribe to keep reading this article and everything else we publish."
    )
    reader.snap(screenshots, "p3-limit-reached")
    # Every way out of the prompt leads somewhere.
    for link in page.locator(".paywall-prompt a").all():
        href = link.get_attribute("href")
        answer = reader.context.request.get(reader.base_url + href)
        assert answer.status == 200, (href, answer.status)

    # The same reader on a phone (same cookies, so the same meter).
    phone = visitors("phone", phone=True, cookies=reader.context.cookies())
    phone.open(fourth)
    assert_prompt(
        phone.page, fourth, LIMIT_HEADING, register_offer=REGISTERED_LIMIT - ANONYMOUS_LIMIT
    )
    assert_cut_short(phone.page, fourth)
    phone.snap(screenshots, "p3-limit-reached-phone")

    # 3. An article already read today is still whole; nothing left to spend.
    reader.open(first)
    assert_whole(page, first, remaining=0, reread=True)
    expect(page.locator("p.meter-notice")).to_contain_text(
        "You read this article today, so it is still free to read again."
    )
    reader.check("first article re-read")

    # 4. JavaScript off, same cookies: still the teaser with the prompt.
    no_js = visitors("no-js", javascript=False, cookies=reader.context.cookies())
    no_js.open(fourth)
    assert no_js.page.evaluate("1 + 1") == 2  # Playwright's own scripts still run.
    assert_prompt(
        no_js.page, fourth, LIMIT_HEADING, register_offer=REGISTERED_LIMIT - ANONYMOUS_LIMIT
    )
    assert_cut_short(no_js.page, fourth)
    no_js.snap(screenshots, "p4-no-js-teaser")

    # 5. View source with the reader's cookies: the gated part was never sent.
    raw = reader.context.request.get(reader.base_url + path_of(fourth), max_redirects=0)
    assert raw.status == 200, raw.status
    # A reader-specific page: no shared cache may keep it for someone else.
    assert "private" in raw.headers.get("cache-control", ""), raw.headers
    source = raw.text()
    assert LIMIT_HEADING in html.unescape(source)
    assert_source_clean(source, fourth)
    # Nothing in the page's scripts or markup would fetch the rest later either.
    assert "article__gated" not in source.replace('"cssSelector": ".article__gated"', "")

    # The whole first article's source, for contrast, does carry its gated text.
    whole_source = reader.context.request.get(reader.base_url + path_of(first)).text()
    assert last_paragraph(first) in html.unescape(whole_source)

    # Still no problems on the reader's pages after all that.
    reader.watch.assert_clean("end of the journey")


def test_subscribers_only_article(visitors, screenshots):
    # 6. A fresh reader, a subscribers-only article: the teaser and the subscribe prompt.
    article = SUBSCRIBERS_ONLY
    visitor = visitors("subscribers-only")
    page = visitor.page
    visitor.open(article)
    expect(page.locator("article.article .badge")).to_have_text("Subscribers only")
    assert_prompt(page, article, SUBSCRIBERS_HEADING, register_offer=0)
    expect(page.locator(".paywall-prompt__lede")).to_have_text(
        "Subscribe to read it in full, with unlimited access to everything we publish."
    )
    assert_cut_short(page, article)
    visitor.snap(screenshots, "p5-subscribers-only")
    source = visitor.context.request.get(visitor.base_url + path_of(article)).text()
    assert_source_clean(source, article)
