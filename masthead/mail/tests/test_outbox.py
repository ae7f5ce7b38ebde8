"""The outbox in one process, tasks run at once (the tests' ImmediateBackend)."""

from __future__ import annotations

import datetime

import pytest
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from masthead.mail.models import EmailStatus, OutgoingEmail
from masthead.mail.outbox import (
    MAX_ATTEMPTS,
    UnsupportedEmail,
    deliver,
    email_queue,
    requeue_stranded,
)
from tests.support.smtp import SlowToConfirmInbox, SmtpServer, free_port

pytestmark = pytest.mark.django_db


def a_message(**kwargs) -> EmailMessage:
    return EmailMessage(
        "Welcome", "Hello", "Masthead <news@example.org>", ["reader@example.org"], **kwargs
    )


def test_it_is_sent_once_the_transaction_commits_and_its_body_is_not_kept(
    mailoutbox, django_capture_on_commit_callbacks
):
    html = EmailMultiAlternatives("Welcome", "Hello", "news@example.org", ["r@example.org"])
    html.attach_alternative("<p>Hello</p>", "text/html")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = email_queue(html)
    assert mailoutbox == []
    for callback in callbacks:
        callback()
    [sent] = mailoutbox
    assert sent.alternatives[0][0] == "<p>Hello</p>"
    assert sent.extra_headers["Message-ID"] == email.message_id
    email.refresh_from_db()
    assert (email.status, email.attempts, email.message) == (EmailStatus.SENT, 1, {})


def test_a_rolled_back_change_sends_nothing(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            email_queue(a_message())
            raise RuntimeError("the change failed")
    assert mailoutbox == []
    assert not OutgoingEmail.objects.exists()


def test_running_the_task_again_sends_nothing_more(mailoutbox):
    email = email_queue(a_message(), wait_for_commit=False)
    deliver.call(email.pk)
    deliver.call(email.pk)
    assert len(mailoutbox) == 1


def test_an_email_claimed_by_a_live_worker_is_left_to_it_until_the_claim_runs_out(mailoutbox):
    email = email_queue(a_message())  # enqueued at a commit, which a test never makes
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=EmailStatus.SENDING, claimed_until=timezone.now() + datetime.timedelta(minutes=1)
    )
    assert deliver.call(email.pk) == "nothing to do"
    assert requeue_stranded(older_than=datetime.timedelta(0)) == 0
    OutgoingEmail.objects.filter(pk=email.pk).update(claimed_until=timezone.now())
    assert requeue_stranded(older_than=datetime.timedelta(0)) == 1
    assert len(mailoutbox) == 1


def test_a_failed_send_waits_then_is_retried_with_the_same_message_id(settings, mailoutbox):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 1
    email = email_queue(a_message(), wait_for_commit=False)
    email.refresh_from_db()
    assert email.status == EmailStatus.QUEUED and "ConnectionRefusedError" in email.last_error
    assert email.claimed_until > timezone.now()
    assert requeue_stranded(older_than=datetime.timedelta(0)) == 0  # waiting for its retry

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutgoingEmail.objects.filter(pk=email.pk).update(claimed_until=timezone.now())
    requeue_stranded(older_than=datetime.timedelta(0))
    [sent] = mailoutbox
    assert sent.extra_headers["Message-ID"] == email.message_id
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.SENT, 2)


def test_a_server_slow_to_confirm_gets_the_email_once(settings):
    # The reply comes four EMAIL_TIMEOUTs late, well inside the claim: given up on, the
    # e-mail would be put back and sent again.
    server = SmtpServer()
    server.inbox = SlowToConfirmInbox("reader@example.org", seconds=2)
    server.start()
    try:
        for name, value in server.django_settings().items():
            setattr(settings, name, value)
        settings.EMAIL_TIMEOUT, settings.EMAIL_CLAIM_SECONDS = 0.5, 20
        email = email_queue(a_message(), wait_for_commit=False)
        OutgoingEmail.objects.filter(status=EmailStatus.QUEUED).update(claimed_until=timezone.now())
        requeue_stranded(older_than=datetime.timedelta(0))
        email.refresh_from_db()
        assert (email.status, email.attempts, email.last_error) == (EmailStatus.SENT, 1, "")
        assert len(server.inbox.to("reader@example.org")) == 1
    finally:
        server.stop()


def test_it_is_given_up_after_the_last_attempt(mailoutbox):
    email = email_queue(a_message(), wait_for_commit=True)  # not enqueued: no commit here
    OutgoingEmail.objects.filter(pk=email.pk).update(attempts=MAX_ATTEMPTS)
    assert deliver.call(email.pk) == "nothing to do"
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED and mailoutbox == []


def test_attachments_are_refused():
    message = a_message()
    message.attach("a.txt", "text", "text/plain")
    with pytest.raises(UnsupportedEmail):
        email_queue(message)
