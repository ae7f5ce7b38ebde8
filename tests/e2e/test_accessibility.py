"""axe-core over every public page type, at desktop and phone sizes, with zero violations.

The pages are those the HTML validator checks (masthead/reading/tests/test_html_valid.py):
home, section, article (whole, the teaser for a reader over the limit, subscribers-only
as an anonymous reader and as a subscriber), author, tag, search with and without
results, and the account pages. axe-core comes from npm (tests/e2e/package.json,
installed by ``make browsers``) and is injected into each page; the WCAG 2.0 A/AA and
2.1 AA rules run. What axe cannot judge is measured here: the focus ring's contrast,
the comment actions' tap targets on a phone, and the ad label's size.

The site runs under gunicorn with the demo loaded (the shared ``live_site``); the
screenshots are artifacts/screenshots/a11y-*.png.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from masthead.content.demo_data import ARTICLES, AUTHORS, COMMENTS, SECTIONS
from tests.e2e.browser import DESKTOP, PHONE_OPTIONS, TIMEOUT_MS, Watch, path_of

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SIZES = {"desktop": {"viewport": DESKTOP}, "phone": PHONE_OPTIONS}
PASSWORD = "accessible journey password 7"
RUN = uuid.uuid4().hex[:6]  # the live site is shared by the session's journeys

COMMENTED = {c["article"] for c in COMMENTS}
FREE = next(a for a in ARTICLES if a["access"] == "free")
SUBSCRIBERS = next(a for a in ARTICLES if a["access"] == "subscribers")
METERED = [a for a in ARTICLES if a["access"] == "metered"]
WITH_COMMENTS = next(a for a in METERED if a["slug"] in COMMENTED)
# Read up to the limit, then the teaser; none of them is the subscriber's commented article.
OVER_LIMIT = [a for a in METERED if a is not WITH_COMMENTS][:4]

ANONYMOUS_PAGES = {
    "home": "/",
    "section": f"/{SECTIONS[0]['slug']}/",
    "article-free": path_of(FREE),
    "article-subscribers-anonymous": path_of(SUBSCRIBERS),
    "author": f"/authors/{AUTHORS[0]['slug']}/",
    "tag": "/tags/budget/",
    "search-results": "/search/?q=council",
    "search-none": "/search/?q=xylophonequartz",
    "login": "/accounts/login/",
    "signup": "/accounts/signup/",
    "subscribe": "/subscribe/",
}
SUBSCRIBER_PAGES = {
    "article-subscribers-subscriber": path_of(SUBSCRIBERS),
    "account": "/account/",
    "cancel-confirmation": "/account/cancel/",
    "article-comments-subscriber": path_of(WITH_COMMENTS),  # last: its tap targets are measured
}

CREATE_SUBSCRIBER = """
from datetime import timedelta
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone
from masthead.billing.models import Plan, Subscription, SubscriptionStatus
from masthead.comments.services import comment_create
from masthead.content.models import ArticlePage

user = get_user_model().objects.create_user(
    username={email!r}.split("@")[0], email={email!r}, password={password!r},
    first_name="Ally Access",
)
EmailAddress.objects.create(user=user, email={email!r}, verified=True, primary=True)
Subscription.objects.create(
    user=user,
    plan=Plan.objects.filter(active=True).order_by("pk").first(),
    status=SubscriptionStatus.ACTIVE,
    current_period_end=timezone.now() + timedelta(days=30),
)
comment_create(
    user=user, article=ArticlePage.objects.get(slug={slug!r}),
    body="The night routes matter to shift workers; glad to see them back.",
)
print("subscriber ready")
"""

# The contrast ratio of the focus ring against what is behind the focused element.
FOCUS_RING_JS = """el => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => {
    const [r, g, b] = c.map(v => v / 255)
      .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  let back = el.parentElement;
  while (back && getComputedStyle(back).backgroundColor.match(/rgba\\(.*, 0\\)|transparent/)) {
    back = back.parentElement;
  }
  const style = getComputedStyle(el);
  const ring = lum(rgb(style.outlineColor));
  const behind = lum(rgb(back ? getComputedStyle(back).backgroundColor : 'rgb(255,255,255)'));
  const [hi, lo] = ring > behind ? [ring, behind] : [behind, ring];
  const ratio = (hi + 0.05) / (lo + 0.05);
  return {ratio, width: parseFloat(style.outlineWidth), style: style.outlineStyle};
}"""

# Each comment's own actions (not the controls inside an opened reply form).
TARGETS_JS = """() => Array.from(document.querySelectorAll(
  '.comment__actions > a, .comment__report button, .comment__reply > summary'
)).map(el => {
  const r = el.getBoundingClientRect();
  return {text: el.textContent.trim(), width: r.width, height: r.height};
})"""


@pytest.fixture(scope="module")
def subscriber(live_site) -> str:
    email = f"a11y-{RUN}@example.org"
    code = CREATE_SUBSCRIBER.format(email=email, password=PASSWORD, slug=WITH_COMMENTS["slug"])
    assert "subscriber ready" in live_site.manage("shell", "-c", code)
    return email


def open_context(browser: Browser, options: dict, label: str) -> tuple[Page, Watch]:
    # axe is injected as a script, which the site's CSP rightly refuses to anything else.
    context = browser.new_context(**options, bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    return page, Watch(page, label, ignore_favicon_response=True)


def visit(page: Page, url: str) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, (url, response)


def violations(page: Page) -> list[str]:
    """axe-core's WCAG A/AA violations on the page as it stands, one line per element."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    assert len(result["passes"]) > 10, f"axe checked next to nothing on {page.url}"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {node['target']} {node['failureSummary']}"
        for v in result["violations"]
        for node in v["nodes"]
    ]


def log_in(page: Page, base_url: str, email: str) -> None:
    visit(page, f"{base_url}/accounts/login/?next=/account/")
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/account/")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("size", SIZES)
def test_every_public_page_type_has_no_axe_violations(
    browser, live_site, subscriber, screenshots, size
):
    assert AXE.exists(), f"axe-core is missing at {AXE}: run `make browsers`"
    found: dict[str, list[str]] = {}

    anonymous, anonymous_watch = open_context(browser, SIZES[size], f"anonymous ({size})")
    for name, path in ANONYMOUS_PAGES.items():
        visit(anonymous, live_site.url + path)
        found[name] = violations(anonymous)
        anonymous_watch.assert_clean(f"{name} ({size})")

    reader, reader_watch = open_context(browser, SIZES[size], f"over the limit ({size})")
    for article in OVER_LIMIT:
        visit(reader, live_site.url + path_of(article))
        reader.wait_for_load_state("networkidle")  # nothing cut off by the next visit
    assert reader.locator(".paywall-prompt").count() == 1, "the last one is not the teaser"
    found["article-teaser"] = violations(reader)
    reader.screenshot(path=screenshots / f"a11y-teaser-{size}.png", full_page=True)
    reader_watch.assert_clean(f"article-teaser ({size})")

    member, member_watch = open_context(browser, SIZES[size], f"subscriber ({size})")
    log_in(member, live_site.url, subscriber)
    for name, path in SUBSCRIBER_PAGES.items():
        visit(member, live_site.url + path)
        found[name] = violations(member)
        member_watch.assert_clean(f"{name} ({size})")

    # The subscriber's commented article is the last page open: its actions are tap targets.
    member.locator("#comments").scroll_into_view_if_needed()
    member.screenshot(path=screenshots / f"a11y-comments-{size}.png", full_page=True)
    targets = member.evaluate(TARGETS_JS)
    for context_page in (anonymous, reader, member):
        context_page.context.close()

    problems = [f"{name}: {line}" for name, lines in found.items() for line in lines]
    assert not problems, f"{len(problems)} axe violations ({size}):\n" + "\n".join(problems)
    assert {t["text"] for t in targets} >= {"Edit", "Delete", "Report", "Reply"}, targets
    least = 44 if size == "phone" else 24
    small = [t for t in targets if t["width"] < least or t["height"] < least]
    assert not small, f"tap targets under {least}px on {size}: {small}"


def test_the_focus_ring_stands_out_and_the_ad_label_is_legible(browser, live_site, screenshots):
    page, watch = open_context(browser, SIZES["desktop"], "focus")
    visit(page, live_site.url + path_of(FREE))
    # Keyboard focus (the ring is :focus-visible) on the first link in the article body.
    page.locator("main").first.evaluate("el => el.setAttribute('tabindex', '-1')")
    page.locator("main").first.focus()
    page.keyboard.press("Tab")
    focused = page.evaluate_handle("document.activeElement")
    ring = page.evaluate(FOCUS_RING_JS, focused)
    assert ring["style"] != "none" and ring["width"] >= 2, ring
    assert ring["ratio"] >= 3, ring
    page.screenshot(path=screenshots / "a11y-focus-ring.png")

    label = page.locator(".ad-slot__label").first
    label.scroll_into_view_if_needed()
    assert float(label.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")) >= 12
    watch.assert_clean("focus ring")
    page.context.close()
