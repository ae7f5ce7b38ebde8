"""The one way the site sends e-mail: store the message, then one task sends it.

``email_queue`` writes an ``OutgoingEmail`` row in the caller's transaction and enqueues
``deliver`` once that transaction commits, so a rolled-back change sends nothing and a
committed one loses nothing. ``deliver`` claims the row, sends it over SMTP and marks it
sent; with a durable backend (django-tasks-db) the claim also schedules a second run for
when the claim runs out, so a worker killed mid-send is followed by another attempt and a
finished one by a run that finds nothing to do. The sending worker's claim keeps every other
run off the row until then. Each e-mail keeps one Message-ID through every attempt.

What no queue can close: a worker killed after the mail server accepted the message and
before the row says ``sent`` leads to a second delivery, with the same Message-ID.
"""

from __future__ import annotations

import datetime
import logging
from email.utils import make_msgid, parseaddr
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from masthead.mail import smtp
from masthead.mail.models import EmailStatus, OutgoingEmail

logger = logging.getLogger(__name__)

# After this many failed sends (about four hours with the default claim, the wait doubling
# each time) the e-mail is given up (status ``failed``) and logged.
MAX_ATTEMPTS = 8
MAX_RETRY_WAIT = datetime.timedelta(hours=2)


class UnsupportedEmail(ValueError):
    """The message has attachments, which the outbox does not store."""


def email_queue(message: EmailMessage, *, wait_for_commit: bool = True) -> OutgoingEmail:
    """Store ``message`` and have the worker send it.

    With ``wait_for_commit`` the task is enqueued when the caller's transaction commits
    (at once outside one). Without it the task is enqueued now: for callers whose own
    writes are already committed (allauth runs in autocommit), so that a test's
    surrounding transaction does not hold their mail back; with the database backend the
    task row then commits or rolls back together with the e-mail row.
    """
    if message.attachments:
        raise UnsupportedEmail("e-mails with attachments cannot be queued")
    from_email = message.from_email or settings.DEFAULT_FROM_EMAIL
    headers = {k: str(v) for k, v in message.extra_headers.items()}
    message_id = headers.pop("Message-ID", None) or make_msgid(domain=_domain(from_email))
    email = OutgoingEmail.objects.create(
        message_id=message_id,
        subject=str(message.subject)[:998],
        recipients=[*message.to, *message.cc, *message.bcc],
        message={
            "from_email": from_email,
            "to": list(message.to),
            "cc": list(message.cc),
            "bcc": list(message.bcc),
            "reply_to": list(message.reply_to),
            "body": str(message.body),
            "content_subtype": message.content_subtype,
            "alternatives": [
                [str(content), mimetype]
                for content, mimetype in getattr(message, "alternatives", [])
            ],
            "headers": headers,
        },
    )
    if wait_for_commit:
        transaction.on_commit(partial(_enqueue, email.pk), robust=True)
    else:
        _enqueue(email.pk)
    return email


def _domain(address: str) -> str | None:
    return parseaddr(address)[1].rpartition("@")[2] or None


def _enqueue(email_id: int) -> None:
    deliver.enqueue(email_id)


def claim_seconds() -> float:
    return float(settings.EMAIL_CLAIM_SECONDS)


@task()
def deliver(email_id: int) -> str:
    """Send one stored e-mail unless it is sent, given up, claimed, or waiting to retry."""
    email = _claim(email_id)
    if email is None:
        return "nothing to do"
    message = _as_message(email)
    try:
        with get_connection(fail_silently=False) as connection:
            seconds_left = (email.claimed_until - timezone.now()).total_seconds()
            smtp.await_replies(connection, smtp.reply_wait(seconds_left))
            connection.send_messages([message])
    except Exception as exc:
        _release(email, exc)
        raise
    # Only the run holding the claim marks it: a run that outlived its claim and lost the
    # row to another attempt changes nothing.
    OutgoingEmail.objects.filter(
        pk=email.pk, status=EmailStatus.SENDING, attempts=email.attempts
    ).update(
        status=EmailStatus.SENT,
        sent_at=timezone.now(),
        claimed_until=None,
        message={},
        last_error="",
    )
    return "sent"


def _claim(email_id: int) -> OutgoingEmail | None:
    now = timezone.now()
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status in (EmailStatus.SENT, EmailStatus.FAILED):
            return None
        if email.claimed_until and email.claimed_until > now:
            return None  # a live run holds it, or a failed send waits for its retry
        if email.attempts >= MAX_ATTEMPTS:
            email.status = EmailStatus.FAILED
            email.claimed_until = None
            email.save(update_fields=["status", "claimed_until"])
            logger.error("gave up e-mail %s after %s attempts", email.message_id, email.attempts)
            return None
        email.status = EmailStatus.SENDING
        email.attempts += 1
        email.claimed_until = now + datetime.timedelta(seconds=claim_seconds())
        email.save(update_fields=["status", "attempts", "claimed_until"])
        backend = deliver.get_backend()
        if backend.supports_defer:
            # Committed with the claim: if this worker dies, this run sends it again.
            deliver.using(run_after=email.claimed_until).enqueue(email.pk)
    return email


def _release(email: OutgoingEmail, exc: Exception) -> None:
    """A failed send goes back to the queue, to be tried again after a doubling wait."""
    wait = min(
        datetime.timedelta(seconds=claim_seconds() * 2 ** (email.attempts - 1)), MAX_RETRY_WAIT
    )
    retry_at = timezone.now() + wait
    with transaction.atomic():
        released = OutgoingEmail.objects.filter(
            pk=email.pk, status=EmailStatus.SENDING, attempts=email.attempts
        ).update(
            status=EmailStatus.QUEUED,
            claimed_until=retry_at,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        if released and deliver.get_backend().supports_defer:
            deliver.using(run_after=retry_at).enqueue(email.pk)
    logger.warning(
        "sending e-mail %s failed (attempt %s): %s", email.message_id, email.attempts, exc
    )


def _as_message(email: OutgoingEmail) -> EmailMessage:
    stored = email.message
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=stored["body"],
        from_email=stored["from_email"],
        to=stored["to"],
        cc=stored["cc"],
        bcc=stored["bcc"],
        reply_to=stored["reply_to"],
        headers={**stored["headers"], "Message-ID": email.message_id},
    )
    message.content_subtype = stored["content_subtype"]
    for content, mimetype in stored["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


def requeue_stranded(*, older_than: datetime.timedelta) -> int:
    """Enqueue ``deliver`` again for e-mails no task is known to hold; returns how many.

    Catches an enqueue lost between a commit and its callback (the process died there)
    and, with a backend that cannot defer, a claim whose worker died. Safe to run at any
    time: ``deliver`` does nothing for a sent e-mail or one a live run has claimed.
    """
    now = timezone.now()
    unclaimed = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    stranded = OutgoingEmail.objects.filter(
        unclaimed,
        status__in=[EmailStatus.QUEUED, EmailStatus.SENDING],
        created_at__lte=now - older_than,
    )
    ids = list(stranded.values_list("pk", flat=True)[:1000])
    for email_id in ids:
        deliver.enqueue(email_id)
    return len(ids)
