"""Subscriber comments in a real Chromium, from posting to moderation.

A subscriber logs in, posts a comment on a free article with demo comments (the
comments script posts it and reloads at the new comment), replies to a demo
comment (an immediate second post is refused with a visible message and the text
kept; after the 5-second limit it goes through), and edits the comment, which then
shows "(edited)". A second subscriber reports it. A staff moderator, in the
Wagtail admin (Moderation -> Comments, the reported filter), hides it with a
reason. Readers no longer see it; an anonymous reader sees the gate with the
count and not one comment's text anywhere in the page.

The site runs under gunicorn with the demo loaded (the shared ``live_site``).
Every page is checked for console errors and failed requests, and screenshotted
into artifacts/screenshots/c1-*.png.
"""

from __future__ import annotations

import base64
import html
import re
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from masthead.content.demo_data import ARTICLES, COMMENTS
from tests.e2e.browser import PHONE_OPTIONS, Tab, opened, settle_in_place

pytestmark = pytest.mark.e2e

PASSWORD = "comment journey password 7"
GATE = "You must become a subscriber or log in to view or post comments."
RATE_LIMIT_SECONDS = 5  # services.MIN_INTERVAL_SECONDS

# --- The article, from the demo data (no ORM: the site runs in its own process). ---------
ARTICLE = next(a for a in ARTICLES if a["slug"] == "kessler-reservoir-early-drawdown")
ARTICLE_PATH = f"/{ARTICLE['section']}/{ARTICLE['slug']}/"
DEMO_THREADS = [c for c in COMMENTS if c["article"] == ARTICLE["slug"]]
DEMO_TEXTS = [t["text"] for c in DEMO_THREADS for t in [c, *c.get("replies", [])]]
REPLIED_TO = DEMO_THREADS[0]  # "Can confirm the slough is fishing well..."

RUN = uuid.uuid4().hex[:6]  # the live site is shared by the session's journeys
COMMENT = f"The refill curves are the **real** story here ({RUN})."
EDITED = f"The refill curves are the **real** story here, and the snowpack ({RUN})."
EDITED_TEXT = f"The refill curves are the real story here, and the snowpack ({RUN})."
REPLY = f"Which stretch of the slough, roughly? Asking for a friend ({RUN})."
REASON = "Off-topic speculation about a named reader"
PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def test_route_matches_demo_data():
    """The constants above still describe the demo publication."""
    assert ARTICLE["access"] == "free"
    assert len(DEMO_TEXTS) == 3
    assert REPLIED_TO["text"].startswith("Can confirm the slough is fishing well")


def plain(markdown: str) -> str:
    """What a reader sees of a demo comment (its Markdown markers dropped)."""
    return re.sub(r"[*_`]", "", markdown)


# --- Users in the live site's database ----------------------------------------------------

CREATE_USERS = """
from datetime import timedelta
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from masthead.billing.models import Plan, Subscription, SubscriptionStatus

User = get_user_model()
password = {password!r}

def person(email, first_name, **extra):
    user, _ = User.objects.get_or_create(
        username=email.split("@")[0], defaults={{"email": email, "first_name": first_name}}
    )
    for name, value in extra.items():
        setattr(user, name, value)
    user.set_password(password)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={{"verified": True, "primary": True}}
    )
    return user

for email, name in [({first!r}, "Riverbend Reader"), ({second!r}, "Careful Reporter")]:
    user = person(email, name)
    if not Subscription.objects.filter(user=user, status=SubscriptionStatus.ACTIVE).exists():
        Subscription.objects.create(
            user=user,
            plan=Plan.objects.order_by("pk").first(),
            status=SubscriptionStatus.ACTIVE,
            current_period_end=timezone.now() + timedelta(days=30),
        )

# A moderator is staff in a group with the admin and the moderation permissions only.
moderators, _ = Group.objects.get_or_create(name="Comment moderators")
moderators.permissions.set(
    Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    | Permission.objects.filter(
        content_type__app_label="comments",
        codename__in=[
            "change_comment", "view_comment", "view_moderationaction",
            "add_commentban", "change_commentban", "view_commentban",
        ],
    )
)
moderator = person({moderator!r}, "Mod Erator", is_staff=True)
moderator.groups.add(moderators)
print("users ready")
"""


@pytest.fixture(scope="module")
def people(live_site) -> dict[str, str]:
    emails = {
        "reader": f"c1-reader-{RUN}@example.org",
        "second": f"c1-second-{RUN}@example.org",
        "moderator": f"c1-moderator-{RUN}@example.org",
    }
    code = CREATE_USERS.format(
        password=PASSWORD,
        first=emails["reader"],
        second=emails["second"],
        moderator=emails["moderator"],
    )
    assert "users ready" in live_site.manage("shell", "-c", code)
    return emails


# --- Browser plumbing -------------------------------------------------------------------


class Person(Tab):
    """One browser context (one set of cookies) with one watched page."""

    ignore_favicon_response = True

    def goto(self, path: str) -> None:
        response = self.page.goto(self.base_url + path, wait_until="load")
        assert response is not None and response.status == 200, (path, response)

    def log_in(self, email: str, then: str = ARTICLE_PATH) -> None:
        self.goto(f"/accounts/login/?next={then}")
        self.page.fill('input[name="login"]', email)
        self.page.fill('input[name="password"]', PASSWORD)
        self.page.get_by_role("button", name="Log in", exact=True).click()
        self.page.wait_for_url(lambda url: urlsplit(url).path == then)
        self.page.wait_for_load_state("load")

    def check(self, where: str) -> None:
        settle_in_place(self.page)
        self.watch.assert_clean(where)

    def snap(self, shots: Path, name: str, *, full_page: bool = True) -> None:
        settle_in_place(self.page)
        self.page.screenshot(path=shots / f"c1-{name}.png", full_page=full_page)
        self.watch.assert_clean(name)

    # The comments section.

    def comments(self):
        return self.page.locator("#comments")

    def comment_with(self, text: str):
        return self.page.locator(
            "article.comment", has=self.page.locator(".comment__body", has_text=text)
        )


@pytest.fixture
def cast(browser, live_site):
    with opened(Person, browser, live_site.url) as open_person:
        yield open_person


# --- The journey ------------------------------------------------------------------------


def test_comment_post_reply_edit_report_hide(cast, people, screenshots):
    # 1. A subscriber logs in and lands back on the article, with its comments.
    reader = cast("reader")
    reader.log_in(people["reader"])
    section = reader.comments()
    expect(section.locator(".comments__count")).to_have_text(f"({len(DEMO_TEXTS)})")
    for text in DEMO_TEXTS:
        expect(section).to_contain_text(plain(text))
    reader.check("the article, as a subscriber")

    # 2. Posts a comment; the script posts it and brings the page back at the new comment.
    section.get_by_label("Join the conversation").fill(COMMENT)
    section.get_by_role("button", name="Post comment").click()
    first_post = time.monotonic()
    posted = reader.comment_with(f"({RUN})")
    expect(posted).to_be_visible()
    expect(posted.locator("strong", has_text="real")).to_be_visible()
    comment_id = posted.get_attribute("id")
    assert re.fullmatch(r"comment-\d+", comment_id), comment_id
    assert urlsplit(reader.page.url).fragment == comment_id
    expect(section.locator(".comments__count")).to_have_text(f"({len(DEMO_TEXTS) + 1})")
    reader.snap(screenshots, "posted-desktop")

    # 3. Replies to a demo comment. A reply of blank lines is refused with a clear
    # message in the form (no reload, nothing lost); the real reply joins the thread.
    # (A refused duplicate or too-fast post is not driven here: the demo site's
    # LocMemCache keeps the rate-limit counters per gunicorn worker, so which worker
    # answers decides it. The HTTP tests drive the 429s in one process.)
    thread = section.locator(".comment-thread", has_text=plain(REPLIED_TO["text"]))
    thread.locator("summary", has_text="Reply").click()
    reply_form = thread.locator("form.comment-form")
    reply_box = reply_form.get_by_label("Your reply")
    reply_box.fill("   \n\n   ")
    reader.watch.expect_status(400, "/comments/articles/")
    reply_form.get_by_role("button", name="Post reply").click()
    error = reply_form.locator(".comment-form__error")
    expect(error).to_have_text("Write something before posting.")
    thread.screenshot(path=screenshots / "c1-reply-refused-desktop.png")
    reply_box.fill(REPLY)
    # One comment per 5 s: the reply waits out the limit from the first post.
    time.sleep(max(0.0, RATE_LIMIT_SECONDS + 0.5 - (time.monotonic() - first_post)))
    reply_form.get_by_role("button", name="Post reply").click()
    reply = reader.comment_with(REPLY)
    expect(reply).to_be_visible()
    expect(reply).to_have_class(re.compile(r"\bcomment--reply\b"))
    thread = section.locator(".comment-thread", has_text=plain(REPLIED_TO["text"]))
    expect(thread.locator(f"#{reply.get_attribute('id')}")).to_have_count(1)
    reader.check("after the reply")

    # 4. Edits the comment (a plain form and page), which then shows "(edited)".
    posted = reader.comment_with(f"({RUN})").filter(has_not_text=REPLY)
    posted.get_by_role("link", name="Edit").click()
    reader.page.wait_for_load_state("load")
    expect(reader.page.get_by_role("heading", name="Edit your comment")).to_be_visible()
    reader.page.get_by_label("Your comment").fill(EDITED)
    reader.snap(screenshots, "edit-desktop")
    reader.page.get_by_role("button", name="Save").click()
    reader.page.wait_for_url(lambda url: urlsplit(url).path == ARTICLE_PATH)
    edited = reader.page.locator(f"#{comment_id}")
    expect(edited.locator(".comment__body")).to_have_text(EDITED_TEXT)
    expect(edited.locator(".comment__edited")).to_have_text("(edited)")
    reader.snap(screenshots, "edited-desktop")

    # The comments section on a phone, for the same reader.
    phone = cast(
        "phone",
        **PHONE_OPTIONS,
        storage_state=reader.context.storage_state(),
    )
    phone.goto(ARTICLE_PATH)
    phone_section = phone.comments()
    expect(phone_section.locator(f"#{comment_id} .comment__edited")).to_be_visible()
    overflow = phone.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the article scrolls sideways by {overflow}px on a phone"
    settle_in_place(phone.page)
    phone_section.screenshot(path=screenshots / "c1-comments-phone.png")
    phone.watch.assert_clean("comments on a phone")

    # 5. A second subscriber reports it (a plain form post, back at the comment).
    second = cast("second reader")
    second.log_in(people["second"])
    target = second.page.locator(f"#{comment_id}")
    expect(target.locator(".comment__body")).to_have_text(EDITED_TEXT)
    target.get_by_role("button", name="Report").click()
    second.page.wait_for_url(lambda url: urlsplit(url).fragment == comment_id)
    expect(second.page.locator(".messages")).to_contain_text("a moderator will look at it")
    second.check("after reporting")

    # 6. The moderator finds it in the reported queue and hides it, with a reason.
    moderator = cast("moderator")
    # Wagtail's admin shows Gravatar avatars (//www.gravatar.com/..., so plain http here)
    # unless WAGTAIL_GRAVATAR_PROVIDER_URL is None, and the sandbox has no internet.
    moderator.context.route(
        re.compile(r"^https?://(www|secure)\.gravatar\.com/"),
        lambda route: route.fulfill(status=200, content_type="image/png", body=PIXEL_PNG),
    )
    moderator.log_in(people["moderator"], then="/admin/")
    menu = moderator.page.get_by_role("navigation", name="Main menu")
    menu.get_by_role("button", name="Moderation").click()
    menu.get_by_role("link", name="Comments", exact=True).click()
    moderator.page.wait_for_url(re.compile(r"/admin/snippets/comments/comment/"))
    moderator.goto("/admin/snippets/comments/comment/?reported=true")
    row = moderator.page.locator("tr", has_text=f"({RUN})")
    expect(row).to_have_count(1)
    moderator.snap(screenshots, "moderation-queue-desktop")
    row.get_by_role("link").first.click()
    moderator.page.wait_for_url(re.compile(r"/admin/snippets/comments/comment/edit/\d+/"))
    # The moderator reads the comment as readers do (rendered, not its Markdown).
    expect(moderator.page.locator("main")).to_contain_text(EDITED_TEXT)
    expect(moderator.page.locator("main strong", has_text="real")).to_be_visible()
    moderator.page.get_by_role("combobox", name="Action").select_option("hide")
    moderator.page.get_by_role("textbox", name="Reason").fill(REASON)
    moderator.snap(screenshots, "moderation-edit-desktop")
    moderator.page.get_by_role("button", name="Save", exact=True).click()
    moderator.page.wait_for_url(re.compile(r"/admin/snippets/comments/comment/(\?.*)?$"))
    moderator.page.wait_for_load_state("load")
    moderator.goto("/admin/snippets/comments/moderationaction/")
    expect(moderator.page.locator("main")).to_contain_text(REASON)
    moderator.snap(screenshots, "moderation-log-desktop")

    # 7. Readers no longer see it; the reply to the demo comment stays.
    second.goto(ARTICLE_PATH)
    section = second.comments()
    expect(section.locator(f"#{comment_id}")).to_have_count(0)
    expect(section).not_to_contain_text(f"snowpack ({RUN})")
    expect(section).to_contain_text(REPLY)
    expect(section.locator(".comments__count")).to_have_text(f"({len(DEMO_TEXTS) + 1})")
    second.check("the article after moderation")

    # 8. An anonymous reader: the gate with the count, and no comment text anywhere.
    anonymous = cast("anonymous")
    # With a query string, so the shared page cache cannot answer with a copy made
    # before this journey's comments (a known staleness; see test_http.py's xfail).
    anonymous.goto(ARTICLE_PATH + "?comments=newest")
    gate = anonymous.comments()
    expect(gate.locator(".comments__count")).to_have_text(f"({len(DEMO_TEXTS) + 1})")
    anonymous.check("the article, anonymous, with a query")
    # The article's own address, as a shared link: the gate, whatever the cache holds.
    anonymous.goto(ARTICLE_PATH)
    gate = anonymous.comments()
    expect(gate).to_contain_text(GATE)
    expect(gate.get_by_role("link", name="Subscribe")).to_be_visible()
    expect(gate.get_by_role("link", name="Log in")).to_be_visible()
    content = anonymous.page.content()
    unescaped = html.unescape(content)
    for text in [*DEMO_TEXTS, COMMENT, EDITED, REPLY]:
        for variant in {text, plain(text), plain(text)[:40]}:
            assert variant not in content and variant not in unescaped, variant
    anonymous.page.locator("#comments").scroll_into_view_if_needed()
    anonymous.snap(screenshots, "anonymous-gate-desktop")
    anonymous.page.locator("#comments").screenshot(path=screenshots / "c1-gate-desktop.png")
