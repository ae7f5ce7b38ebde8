"""A newsletter from the foot of an article to one-click unsubscribe, in a real Chromium.

An anonymous reader signs up with the form at the foot of a free article, confirms from
the e-mail (read from an aiosmtpd server this module runs), receives the next issue, a
metered article, as its teaser with "Continue reading", and unsubscribes in one click as
a mail program does (RFC 8058's POST). The e-mail's HTML is rendered in Chromium and
screenshotted, as are the sign-up and the account page of a signed-in reader.
"""

from __future__ import annotations

import subprocess
import time
import urllib.request
import uuid

import pytest
from playwright.sync_api import expect

from masthead.content.demo_data import ARTICLES
from tests.e2e.browser import (
    TEASER_BLOCKS,
    Tab,
    assert_last_paragraph_identifies,
    last_paragraph,
    opened,
    path_of,
    texts,
)
from tests.support.live_site import LiveSite
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.e2e

RUN = uuid.uuid4().hex[:6]
READER = f"n1-reader-{RUN}@example.org"
MEMBER = f"n1-member-{RUN}@example.org"
PASSWORD = "a long newsletter pass 42"
FREE = next(a for a in ARTICLES if a["access"] == "free")
METERED = [a for a in ARTICLES if a["access"] == "metered" and len(a["body"]) > TEASER_BLOCKS + 2]
BRIEF = "The Morning Brief"

# The next issue: a metered article the demo's archive does not have yet.
SEND_ISSUE = """
from masthead.content.models import ArticlePage
from masthead.newsletters.models import Issue, Newsletter
from masthead.newsletters.sending import issue_for_article
brief = Newsletter.objects.get(slug="morning-brief")
sent = Issue.objects.filter(newsletter=brief).values_list("article_id", flat=True)
article = ArticlePage.objects.live().filter(slug__in={slugs!r}).exclude(pk__in=sent).first()
issue, created = issue_for_article(newsletter=brief, article=article, audience="all")
print(article.slug if created else "already")
"""
SUBSCRIBED = """
from masthead.newsletters.models import NewsletterSubscription
print(NewsletterSubscription.objects.filter(email={email!r}).count())
"""
MAKE_MEMBER = """
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
user = get_user_model().objects.create_user({name!r}, {email!r}, {password!r}, first_name="Nell")
EmailAddress.objects.create(user=user, email={email!r}, verified=True, primary=True)
print("ok")
"""


@pytest.fixture(scope="module")
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def site(smtp, tmp_path_factory):
    live = LiveSite(
        workdir=tmp_path_factory.mktemp("newsletters"),
        extra_env={
            "EMAIL_HOST": smtp.host,
            "EMAIL_PORT": str(smtp.port),
            "NEWSLETTER_RATE_PER_MINUTE": "0",
        },
    )
    # Links in the e-mails are built from BASE_URL: this site's own address.
    live.env["BASE_URL"] = live.url
    try:
        live.start()
    except subprocess.CalledProcessError as failed:
        live.stop()
        pytest.fail(f"the site did not start: {failed.cmd}\n{failed.stdout}\n{failed.stderr}")
    yield live
    live.stop()


class Reader(Tab):
    ignore_favicon_response = True

    def goto(self, path_or_url: str) -> None:
        url = path_or_url if "://" in path_or_url else self.base_url + path_or_url
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.status == 200, (url, response)


def test_sign_up_confirm_receive_the_teaser_and_unsubscribe_in_one_click(
    browser, site, smtp, screenshots
):
    with opened(Reader, browser, site.url, "newsletter reader") as new:
        reader = new()
        reader.goto(path_of(FREE))
        foot = reader.page.locator(".newsletter-foot")
        expect(foot.get_by_role("checkbox", name=BRIEF)).to_be_checked()
        foot.get_by_label("Your e-mail address").fill(READER)
        foot.scroll_into_view_if_needed()
        reader.page.screenshot(path=screenshots / "n1-article-foot-sign-up.png")
        foot.get_by_role("button", name="Sign up").click()
        expect(reader.page.get_by_role("heading", name="Check your inbox")).to_be_visible()
        reader.snap(screenshots, "n1-check-your-inbox")

        confirmation = smtp.inbox.last_to(READER, timeout=15)
        assert BRIEF in confirmation.subject
        reader.goto(confirmation.link("/newsletters/confirm/"))
        assert site.manage("shell", "-v0", "-c", SUBSCRIBED.format(email=READER)).strip() == "0"
        reader.page.get_by_role("button", name="Confirm").click()
        expect(reader.page.get_by_role("heading", name="You're signed up")).to_be_visible()
        assert site.manage("shell", "-v0", "-c", SUBSCRIBED.format(email=READER)).strip() == "1"

        slugs = [a["slug"] for a in METERED]
        slug = site.manage("shell", "-v0", "-c", SEND_ISSUE.format(slugs=slugs)).strip()
        article = next(a for a in METERED if a["slug"] == slug)
        issue = next(
            m for m in _wait_for(smtp, READER, article["title"]) if m.subject == article["title"]
        )
        assert_last_paragraph_identifies(article)
        gated = last_paragraph(article)[:60]
        assert texts(article["body"])[0][:60] in issue.body
        assert gated not in issue.body and gated not in issue.html and gated not in str(issue.raw)
        assert "Continue reading" in issue.html

        mail_view = new()
        mail_view.page.set_content(issue.html, wait_until="load")
        expect(mail_view.page.get_by_role("link", name="Continue reading")).to_be_visible()
        mail_view.page.screenshot(path=screenshots / "n1-email-teaser.png", full_page=True)
        # Every image in the e-mail loaded from the site, at the size it says.
        for image in mail_view.page.locator("img").all():
            assert image.evaluate("i => i.complete && i.naturalWidth > 0"), image
            assert image.get_attribute("width") and image.get_attribute("alt") is not None

        link = issue.header("List-Unsubscribe").strip("<>")
        assert issue.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
        one_click = urllib.request.Request(link, data=b"List-Unsubscribe=One-Click", method="POST")
        with urllib.request.urlopen(one_click, timeout=10) as answer:
            assert answer.status == 200 and b"unsubscribed" in answer.read()
        assert site.manage("shell", "-v0", "-c", SUBSCRIBED.format(email=READER)).strip() == "0"
        reader.goto(link)
        expect(reader.page.get_by_text("no longer receives")).to_be_visible()
        reader.snap(screenshots, "n1-unsubscribe-page")


def test_a_signed_in_reader_ticks_newsletters_on_the_account_page(browser, site, screenshots):
    assert "ok" in site.manage(
        "shell",
        "-v0",
        "-c",
        MAKE_MEMBER.format(name=f"n1m{RUN}", email=MEMBER, password=PASSWORD),
    )
    with opened(Reader, browser, site.url, "newsletter member") as new:
        member = new()
        member.goto("/accounts/login/?next=/account/")
        member.page.fill('input[name="login"]', MEMBER)
        member.page.fill('input[name="password"]', PASSWORD)
        member.page.get_by_role("button", name="Log in", exact=True).click()
        member.page.wait_for_url("**/account/")
        section = member.page.locator("#newsletters")
        brief = section.get_by_role("checkbox", name=BRIEF)
        expect(brief).not_to_be_checked()
        brief.check()
        section.get_by_role("button", name="Save newsletters").click()
        member.page.wait_for_url("**/account/#newsletters")
        expect(
            member.page.locator("#newsletters").get_by_role("checkbox", name=BRIEF)
        ).to_be_checked()
        member.snap(screenshots, "n1-account-newsletters")
        assert site.manage("shell", "-v0", "-c", SUBSCRIBED.format(email=MEMBER)).strip() == "1"
        member.goto(path_of(FREE))
        foot = member.page.locator(".newsletter-foot")
        expect(foot.get_by_role("checkbox", name=BRIEF)).to_be_checked()


def _wait_for(smtp, address, subject, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = smtp.inbox.to(address)
        if any(m.subject == subject for m in found):
            return found
        time.sleep(0.1)
    raise AssertionError(f"no {subject!r} to {address}: {smtp.inbox.subjects(address)}")
