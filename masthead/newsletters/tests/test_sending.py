"""Sending an article or a digest: once per recipient, the right variant, failures handled.

Every e-mail crosses a real socket to an aiosmtpd server; tasks run at once (the tests'
immediate backend) once the transaction that queued them commits.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from masthead.content.models import ArticlePage, PublicationSettings
from masthead.content.tests.helpers import demo_article
from masthead.newsletters import digests, sending
from masthead.newsletters.models import Delivery, DeliveryStatus, Issue, Newsletter, Suppression
from masthead.newsletters.tests.conftest import reader, subscribe
from masthead.paywall.tests.conftest import gated_sentence, metered_articles
from masthead.paywall.tests.test_leaks import encodings
from tests.support.smtp import Inbox, SlowToConfirmInbox

pytestmark = pytest.mark.django_db


def press_send(editor, article, newsletter, audience="all", commits=None):
    response = editor.post(
        f"/admin/newsletters/send/{article.pk}/",
        {"newsletter": newsletter.pk, "audience": audience, "send": "1"},
    )
    assert response.status_code == 302
    return response


def test_an_article_goes_to_each_subscriber_once_however_often_the_button_is_pressed(
    smtp, newsletter, editor, django_capture_on_commit_callbacks
):
    article = demo_article("metered")
    addresses = [f"r{i}@example.org" for i in range(5)]
    for address in addresses:
        subscribe(newsletter, address)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            press_send(editor, article, newsletter)
    assert Issue.objects.filter(article=article, newsletter=newsletter).count() == 1
    received = sorted(r for m in smtp.inbox.messages for r in m.recipients)
    assert received == sorted(addresses)
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    page = editor.get(f"/admin/newsletters/send/{article.pk}/").content.decode()
    assert "already sent" in page or "Already sent" in page


def test_the_audience_setting_picks_free_or_paid_recipients(
    smtp, newsletter, editor, django_capture_on_commit_callbacks
):
    payer = reader("payer", paid=True)
    subscribe(newsletter, payer.email, payer)
    subscribe(newsletter, "free@example.org")
    first, second = metered_articles()[:2]
    with django_capture_on_commit_callbacks(execute=True):
        press_send(editor, first, newsletter, audience="paid")
    with django_capture_on_commit_callbacks(execute=True):
        press_send(editor, second, newsletter, audience="free")
    assert [m.recipients for m in smtp.inbox.messages] == [
        ("payer@example.org",),
        ("free@example.org",),
    ]


def test_a_test_send_reaches_the_editor_in_both_versions_and_sends_no_issue(
    smtp, newsletter, editor, django_capture_on_commit_callbacks
):
    article = demo_article("metered")
    subscribe(newsletter, "someone@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            f"/admin/newsletters/send/{article.pk}/",
            {"newsletter": newsletter.pk, "audience": "all", "test": "1"},
        )
    assert response.status_code == 302
    subjects = sorted(smtp.inbox.subjects("ed@example.org"))
    assert subjects == [
        f"[Test, as a free reader] {article.title}",
        f"[Test, as a paid reader] {article.title}",
    ]
    assert smtp.inbox.to("someone@example.org") == []
    assert not Issue.objects.filter(newsletter=newsletter).exists()


class RefusingInbox(Inbox):
    """Refuses some addresses for good (550) and others for now (451)."""

    def __init__(self, *, permanent=(), temporary=()):
        super().__init__()
        self.permanent, self.temporary = set(permanent), set(temporary)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.permanent:
            return "550 5.1.1 No such mailbox"
        if address in self.temporary:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_permanent_refusals_are_recorded_and_the_address_suppressed_after_n(
    smtp, settings, newsletter, django_capture_on_commit_callbacks
):
    settings.NEWSLETTER_HARD_BOUNCES = 2
    smtp.inbox = RefusingInbox(permanent={"gone@example.org"})
    smtp.stop(), smtp.start()
    settings.EMAIL_PORT = smtp.port
    subscribe(newsletter, "gone@example.org")
    subscribe(newsletter, "here@example.org")
    articles = metered_articles()[:3]
    for article in articles:
        with django_capture_on_commit_callbacks(execute=True):
            sending.issue_for_article(newsletter=newsletter, article=article, audience="all")
    gone = Delivery.objects.filter(email="gone@example.org").order_by("pk")
    assert [d.status for d in gone] == [DeliveryStatus.FAILED] * 2
    assert "550" in gone[0].last_error
    suppression = Suppression.objects.get(email="gone@example.org")
    assert suppression.hard_bounces == 2 and suppression.suppressed_at is not None
    assert len(smtp.inbox.to("here@example.org")) == 3


def test_a_temporary_failure_waits_doubling_and_is_then_delivered(
    smtp, settings, newsletter, django_capture_on_commit_callbacks
):
    settings.EMAIL_CLAIM_SECONDS = 60
    inbox = RefusingInbox(temporary={"later@example.org"})
    smtp.inbox = inbox
    smtp.stop(), smtp.start()
    settings.EMAIL_PORT = smtp.port
    subscribe(newsletter, "later@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        issue, _ = sending.issue_for_article(
            newsletter=newsletter, article=demo_article("metered"), audience="all"
        )
    delivery = Delivery.objects.get(issue=issue)
    waits = []
    for attempt in (1, 2):
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, attempt)
        assert "451" in delivery.last_error
        waits.append((delivery.claimed_until - timezone.now()).total_seconds())
        # Nothing is resumed before its wait is over.
        assert sending.resume_stalled(older_than=datetime.timedelta(0)) == 0
        Delivery.objects.filter(pk=delivery.pk).update(claimed_until=timezone.now())
        if attempt == 2:
            inbox.temporary.clear()
        assert sending.resume_stalled(older_than=datetime.timedelta(0)) == 1
        delivery.refresh_from_db()
    assert 55 < waits[0] <= 60 and 115 < waits[1] <= 120
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 3)
    assert len(smtp.inbox.to("later@example.org")) == 1


def test_a_server_slow_to_confirm_a_message_gets_it_once(
    smtp, settings, newsletter, django_capture_on_commit_callbacks
):
    # The reply comes four EMAIL_TIMEOUTs late, well inside the claim: given up on, the
    # message would be put back and sent again.
    settings.EMAIL_TIMEOUT = 0.5
    settings.EMAIL_CLAIM_SECONDS = 20
    smtp.inbox = SlowToConfirmInbox("slow@example.org", seconds=2)
    smtp.stop(), smtp.start()
    settings.EMAIL_PORT = smtp.port
    for address in ("first@example.org", "slow@example.org", "last@example.org"):
        subscribe(newsletter, address)
    with django_capture_on_commit_callbacks(execute=True):
        issue, _ = sending.issue_for_article(
            newsletter=newsletter, article=demo_article("metered"), audience="all"
        )
    # Whatever was put back is made due and run, as the worker would once its wait is over.
    Delivery.objects.filter(issue=issue, status=DeliveryStatus.QUEUED).update(
        claimed_until=timezone.now()
    )
    sending.resume_stalled(older_than=datetime.timedelta(0))
    deliveries = Delivery.objects.filter(issue=issue)
    assert {(d.email, d.status, d.attempts) for d in deliveries} == {
        (address, DeliveryStatus.SENT, 1)
        for address in ("first@example.org", "slow@example.org", "last@example.org")
    }
    for address in ("first@example.org", "slow@example.org", "last@example.org"):
        assert len(smtp.inbox.to(address)) == 1, address


def test_the_rate_setting_holds_sends_to_the_budget_of_each_minute(settings, monkeypatch):
    settings.NEWSLETTER_RATE_PER_MINUTE = 2
    clock = {"now": 600.0}
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock["now"] += seconds

    monkeypatch.setattr(sending.time, "time", lambda: clock["now"])
    monkeypatch.setattr(sending.time, "sleep", sleep)
    for _ in range(5):
        sending._pace()
    # Two in the first minute, two in the next, the fifth in the third.
    assert slept == [60.0, 60.0]


def test_a_digest_is_made_once_when_its_time_comes_with_the_days_articles(smtp, newsletter):
    Newsletter.objects.exclude(pk=newsletter.pk).update(digest_time=None)
    zone = PublicationSettings.objects.first().zone
    latest = ArticlePage.objects.live().order_by("-first_published_at").first()
    due = (latest.first_published_at + datetime.timedelta(minutes=5)).astimezone(zone)
    newsletter.digest_time = due.time().replace(second=0, microsecond=0)
    newsletter.save()
    assert digests.send_due(now=due - datetime.timedelta(minutes=10)) == []
    [issue] = digests.send_due(now=due + datetime.timedelta(minutes=1))
    assert digests.send_due(now=due + datetime.timedelta(minutes=2)) == []
    assert issue.article_ids[0] == latest.pk and issue.digest_date == due.date()


def test_the_admin_shows_each_issues_counts(
    smtp, newsletter, editor, django_capture_on_commit_callbacks
):
    article = demo_article("metered")
    for i in range(3):
        subscribe(newsletter, f"c{i}@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        issue, _ = sending.issue_for_article(newsletter=newsletter, article=article, audience="all")
    Delivery.objects.filter(issue=issue, email="c0@example.org").update(
        status=DeliveryStatus.FAILED
    )
    Delivery.objects.filter(issue=issue, email="c1@example.org").update(
        unsubscribed_at=timezone.now()
    )
    page = editor.get("/admin/snippets/newsletters/issue/").content.decode()
    assert article.title in page
    row = page[page.index(article.title) :]
    row = row[: row.index("</tr>")]
    cells = re.findall(r"<td[^>]*>\s*([0-9]+)\s*</td>", row)
    assert cells == ["3", "2", "1", "1"], row
    edit = editor.get(f"/admin/pages/{article.pk}/edit/").content.decode()
    assert "Send as newsletter" in edit


def test_free_recipients_get_no_gated_text_anywhere_in_the_message(
    smtp, newsletter, django_capture_on_commit_callbacks
):
    """The outbox's leak test: HTML, text part and headers of every free recipient's mail."""
    payer = reader("payer", paid=True)
    subscribe(newsletter, payer.email, payer)
    subscribe(newsletter, "free@example.org")
    reader_with_account = reader("freeacct")
    subscribe(newsletter, reader_with_account.email, reader_with_account)
    gated = [*metered_articles()[:2], demo_article("subscribers")]
    for article in gated:
        with django_capture_on_commit_callbacks(execute=True):
            sending.issue_for_article(newsletter=newsletter, article=article, audience="all")
    for article in gated:
        markers = encodings(gated_sentence(article))
        for address in ("free@example.org", "freeacct@example.org"):
            [mail] = [m for m in smtp.inbox.to(address) if m.subject == article.title]
            everything = [
                mail.raw.decode("utf-8", "replace"),
                mail.html,
                mail.body,
                repr(mail.headers),
            ]
            for marker in markers:
                assert not any(marker in part for part in everything), (address, marker)
            assert article.url in mail.body and "/subscribe/" in mail.body
            assert "Continue reading" in mail.html
        [paid_mail] = [m for m in smtp.inbox.to(payer.email) if m.subject == article.title]
        assert gated_sentence(article) in paid_mail.body
        assert gated_sentence(article) in paid_mail.html


def test_a_digest_carries_each_articles_opening_and_no_gated_text(
    smtp, newsletter, django_capture_on_commit_callbacks
):
    subscribe(newsletter, "digest@example.org")
    gated = [*metered_articles()[:2], demo_article("subscribers")]
    with django_capture_on_commit_callbacks(execute=True):
        issue = sending.digest_for(
            newsletter, day=datetime.date(2026, 1, 5), article_ids=[a.pk for a in gated]
        )
    [mail] = smtp.inbox.to("digest@example.org")
    assert mail.subject == issue.subject
    for article in gated:
        assert article.title in mail.body and article.url in mail.body
        for marker in encodings(gated_sentence(article)):
            assert marker not in mail.raw.decode("utf-8", "replace") and marker not in mail.html
    assert mail.body.count("Read the story") == 3
