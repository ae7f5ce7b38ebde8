"""Sending an issue: one delivery row per recipient, sent in batches by the task worker.

``issue_for_article`` (the editor's button) and ``digest_for`` (the schedule) create the
issue under a unique constraint, so pressing the button twice makes one issue. ``fan_out``
writes every recipient's ``Delivery`` and queues the batches in one transaction (with the
database queue the task rows commit with the deliveries), and marks the issue fanned out.

``send_batch`` claims its rows (an id range of one issue, on the (issue, id) index) with
one conditional UPDATE (a claim id and an expiry), queues a follow-up run for when the
claim runs out in the same transaction, then sends over ``NEWSLETTER_CONNECTIONS`` SMTP
connections, each opened once for its share of the batch, and marks each row ``sent`` by
its primary key as soon as the server said 250. Each variant of the e-mail is built once
per batch (``messages``); a recipient's copy is those bytes with their address, Message-ID
and unsubscribe link filled in. A batch's queries read its own rows only.
A worker killed mid-batch leaves its rows claimed; the follow-up run claims them again
once the claim has run out and sends what is not marked sent, so each recipient gets the
issue once. What no queue can close (as in ``mail.outbox``): a worker killed between the
server's 250 and the row's update sends that one e-mail again, with the same Message-ID, as
does a server that takes a message and does not say so before the claim runs out (a slower
reply is waited for: see ``_deliver``).

Temporary failures (4xx, a refused or dropped connection) wait and are tried again with a
doubling wait; permanent ones (5xx) are recorded, and an address refused
``NEWSLETTER_HARD_BOUNCES`` times is suppressed from every later issue.
"""

from __future__ import annotations

import datetime
import html
import logging
import smtplib
import time
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from email.utils import parseaddr

from django import db
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from masthead.billing.entitlements import grants_access
from masthead.billing.models import Subscription as BillingSubscription
from masthead.content.models import ArticlePage
from masthead.core.memo import Memo
from masthead.mail import smtp
from masthead.mail.outbox import email_queue
from masthead.newsletters import messages, rendering, tokens
from masthead.newsletters.models import (
    Audience,
    Delivery,
    DeliveryStatus,
    Issue,
    IssueAudience,
    Newsletter,
    NewsletterSubscription,
    Suppression,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_RETRY_WAIT = datetime.timedelta(hours=2)
_rendered = Memo(max_entries=8)


def batch_size() -> int:
    return int(settings.NEWSLETTER_BATCH_SIZE)


def claim_seconds() -> float:
    return float(settings.EMAIL_CLAIM_SECONDS)


# --- Making issues ------------------------------------------------------------------------


def issue_for_article(
    *, newsletter: Newsletter, article: ArticlePage, audience: str, user=None
) -> tuple[Issue, bool]:
    """The article's issue of this newsletter, created and queued the first time only."""
    existing = Issue.objects.filter(newsletter=newsletter, article=article).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            issue = Issue.objects.create(
                newsletter=newsletter,
                article=article,
                subject=article.title,
                audience=audience,
                created_by=user,
            )
            _enqueue(fan_out, issue.pk)
    except IntegrityError:
        # Another press of the button got there first.
        return Issue.objects.get(newsletter=newsletter, article=article), False
    return issue, True


def digest_for(
    newsletter: Newsletter, *, day: datetime.date, article_ids: list[int]
) -> Issue | None:
    if not article_ids:
        return None
    try:
        with transaction.atomic():
            issue = Issue.objects.create(
                newsletter=newsletter,
                digest_date=day,
                article_ids=article_ids,
                subject=f"{newsletter.name}: {day:%A, %B} {day.day}",
            )
            _enqueue(fan_out, issue.pk)
    except IntegrityError:
        return None
    return issue


def send_test(*, newsletter: Newsletter, article: ArticlePage, to: str) -> None:
    """Both versions of the e-mail to the editor, through the outbox, before the real send."""
    issue = Issue(newsletter=newsletter, article=article, subject=article.title)
    rendered = rendering.render_issue(issue)
    for variant, label in ((rendering.WHOLE, "paid"), (rendering.TEASER, "free")):
        html, text = rendered.variants[variant].for_recipient(rendering.base_url() + "/account/")
        message = EmailMultiAlternatives(
            f"[Test, as a {label} reader] {rendered.subject}", text, rendered.sender, [to]
        )
        message.attach_alternative(html, "text/html")
        email_queue(message, wait_for_commit=False)


# --- Fan-out ----------------------------------------------------------------------------


@task()
def fan_out(issue_id: int) -> str:
    with transaction.atomic():
        issue = (
            Issue.objects.select_for_update(of=("self",))
            .select_related("newsletter")
            .filter(pk=issue_id)
            .first()
        )
        if issue is None or issue.fanned_out_at:
            return "nothing to do"
        count = _write_deliveries(issue)
        ids = Delivery.objects.filter(issue=issue).order_by("pk").values_list("pk", flat=True)
        for first, last in _ranges(ids.iterator(chunk_size=5000), batch_size()):
            _enqueue(send_batch, issue.pk, first, last)
        issue.fanned_out_at = timezone.now()
        issue.save(update_fields=["fanned_out_at"])
    return f"{count} recipients"


def _write_deliveries(issue: Issue) -> int:
    now = timezone.now()
    suppressed = set(
        Suppression.objects.filter(suppressed_at__isnull=False).values_list("email", flat=True)
    )
    subscriptions = NewsletterSubscription.objects.filter(newsletter=issue.newsletter).values_list(
        "pk", "email", "user_id", "user__email"
    )
    paid_only = issue.newsletter.audience == Audience.PAID
    count, pending = 0, []
    for chunk in _chunks(subscriptions.order_by("pk").iterator(chunk_size=2000), 2000):
        paid_users = _paid_user_ids({user_id for _, _, user_id, _ in chunk if user_id}, now)
        for pk, email, user_id, user_email in chunk:
            address = (user_email or email).lower()
            paid = user_id in paid_users
            if address in suppressed or not _in_audience(paid, issue.audience, paid_only):
                continue
            pending.append(Delivery(issue=issue, subscription_id=pk, email=address, paid=paid))
        Delivery.objects.bulk_create(pending, batch_size=1000, ignore_conflicts=True)
        count += len(pending)
        pending = []
    return count


def _in_audience(paid: bool, audience: str, paid_only: bool) -> bool:
    if paid_only or audience == IssueAudience.PAID:
        return paid
    if audience == IssueAudience.FREE:
        return not paid
    return True


def _paid_user_ids(user_ids: set[int], now: datetime.datetime) -> set[int]:
    if not user_ids:
        return set()
    rows = BillingSubscription.objects.filter(user_id__in=user_ids)
    return {row.user_id for row in rows if grants_access(row, now)}


def _chunks(items: Iterable, size: int) -> Iterable[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _ranges(ids: Iterable[int], size: int) -> Iterable[tuple[int, int]]:
    for chunk in _chunks(ids, size):
        yield chunk[0], chunk[-1]


def _enqueue(the_task, *args, run_after: datetime.datetime | None = None) -> None:
    """Now, inside the caller's transaction, with a queue in the database; else at commit.

    A queue that cannot defer runs each task at once (the tests' and ``make dev``'s):
    there the run waits for the commit, and a retry waits for ``resume_stalled``.
    """
    backend = the_task.get_backend()
    if backend.supports_defer:
        (the_task.using(run_after=run_after) if run_after else the_task).enqueue(*args)
    elif run_after is None:
        transaction.on_commit(lambda: the_task.enqueue(*args), robust=True)


# --- Sending ----------------------------------------------------------------------------


@task()
def send_batch(issue_id: int, first_id: int, last_id: int) -> str:
    """Send the unsent deliveries of ``issue_id`` with ids in ``first_id..last_id``.

    Over ``NEWSLETTER_CONNECTIONS`` SMTP connections at once, each in a thread with its
    share of the rows: a send mostly waits on the mail server, so the waits overlap.
    """
    claim, until = _claim(issue_id, first_id, last_id)
    deliveries = list(
        # The id range keeps this on the (issue, id) index: by the claim alone it would read
        # every delivery of the issue, once per batch.
        Delivery.objects.filter(
            issue_id=issue_id,
            pk__gte=first_id,
            pk__lte=last_id,
            claim=claim,
            status=DeliveryStatus.SENDING,
        )
        .order_by("pk")
        .only("pk", "issue_id", "email", "paid", "attempts")
    )
    if not deliveries:
        return "nothing to do"
    issue = Issue.objects.select_related("newsletter").get(pk=issue_id)
    rendered = _rendered_issue(issue)
    claim_ends = time.monotonic() + (until - timezone.now()).total_seconds()
    connections = max(1, min(int(settings.NEWSLETTER_CONNECTIONS), len(deliveries)))
    templates = _templates(rendered, type(get_connection()))
    if connections == 1:
        sent = _send_share(rendered, templates, issue, deliveries, claim, claim_ends)
    else:
        shares = [deliveries[i::connections] for i in range(connections)]
        with ThreadPoolExecutor(max_workers=connections) as pool:
            sent = sum(
                pool.map(
                    lambda share: _in_thread(
                        _send_share, rendered, templates, issue, share, claim, claim_ends
                    ),
                    shares,
                )
            )
    return f"{sent} sent"


def _in_thread(function, *args):
    try:
        return function(*args)
    finally:
        # The thread's own database connection, which nothing else will close.
        db.connection.close()


def _send_share(
    rendered, templates: dict, issue: Issue, deliveries: list[Delivery], claim: str, claim_ends
) -> int:
    """Send ``deliveries`` over one connection, marking each sent as the server accepts it."""
    connection = get_connection(fail_silently=False)
    # Stop while the claim still has a send's time left, rather than outlive it.
    deadline = claim_ends - 2 * settings.EMAIL_TIMEOUT
    sent = 0
    try:
        for index, delivery in enumerate(deliveries):
            if time.monotonic() > deadline:
                _release(deliveries[index:], claim, error="claim running out", retry=False)
                break
            _pace()
            wait = smtp.reply_wait(claim_ends - time.monotonic())
            try:
                _deliver(connection, templates, rendered, issue, delivery, reply_wait=wait)
            except smtplib.SMTPResponseException as exc:
                if exc.smtp_code >= 500:
                    _hard_bounce(delivery, claim, exc)
                    continue
                _release([delivery], claim, error=_describe(exc), retry=True)
                _reconnect(connection)
                continue
            except smtplib.SMTPRecipientsRefused as exc:
                code, _ = next(iter(exc.recipients.values()))
                if code >= 500:
                    _hard_bounce(delivery, claim, exc)
                else:
                    _release([delivery], claim, error=_describe(exc), retry=True)
                continue
            except (OSError, smtplib.SMTPException) as exc:
                # The server is gone or unreachable: the rest of this share waits too.
                _release(deliveries[index:], claim, error=_describe(exc), retry=True)
                break
            _mark_sent(delivery.pk, claim)
            sent += 1
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - closing a broken connection
            logger.debug("closing the SMTP connection failed", exc_info=True)
    return sent


def _templates(rendered: rendering.RenderedIssue, connection_class) -> dict:
    """Each variant's e-mail as bytes to fill in, when the backend is Django's SMTP one.

    Other backends (the console's, the tests' in-memory one, a subclass that changes how a
    message is sent) get Django's messages.
    """
    if connection_class is not SmtpBackend:
        return {}
    templates = {}
    for variant in rendered.variants:
        template = messages.build(rendered, variant=variant)
        if template is None:
            logger.warning("the %s e-mail is built per recipient: a stand-in was cut", variant)
        templates[variant] = template
    return templates


def _deliver(
    connection, templates: dict, rendered, issue: Issue, delivery: Delivery, *, reply_wait: float
) -> None:
    """Hand one delivery's e-mail to the server; open the connection once, keep it open.

    The server's replies are awaited for ``reply_wait`` seconds (``mail.smtp``).
    """
    link = unsubscribe_url(delivery.pk)
    template = templates.get(rendering.variant_for(delivery.paid))
    if isinstance(connection, SmtpBackend) and connection.connection is None:
        # Open, the connection stays open across ``send_messages`` calls too.
        connection.open()
    smtp.await_replies(connection, reply_wait)
    if template is None or not messages.plain_address(delivery.email) or html.escape(link) != link:
        connection.send_messages([_message(rendered, issue, delivery, link=link)])
        return
    connection.connection.sendmail(
        template.envelope_sender,
        [delivery.email],
        template.fill(
            to=delivery.email,
            message_id=_message_id(rendered, issue, delivery),
            unsubscribe_url=link,
        ),
    )


def _mark_sent(delivery_id: int, claim: str) -> None:
    """``sent``, in one statement by primary key, right after the server's 250.

    By hand rather than through the ORM: it runs once per e-mail, and building the query
    cost more than running it.
    """
    connection = db.connections[Delivery.objects.db]
    table = connection.ops.quote_name(Delivery._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s, claimed_until = NULL, "  # noqa: S608 - the table's name, quoted
            "last_error = '' WHERE id = %s AND claim = %s AND status = %s",
            [DeliveryStatus.SENT.value, now, delivery_id, claim, DeliveryStatus.SENDING.value],
        )


def _claim(issue_id: int, first_id: int, last_id: int) -> tuple[str, datetime.datetime]:
    now = timezone.now()
    claim = uuid.uuid4().hex
    until = now + datetime.timedelta(seconds=claim_seconds())
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    with transaction.atomic():
        claimed = (
            Delivery.objects.filter(
                free,
                issue_id=issue_id,
                pk__gte=first_id,
                pk__lte=last_id,
                status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING],
            )
            .filter(attempts__lt=MAX_ATTEMPTS)
            .update(
                status=DeliveryStatus.SENDING,
                claim=claim,
                claimed_until=until,
                attempts=F("attempts") + 1,
            )
        )
        if claimed:
            # Committed with the claim: if this worker dies, this run is made again.
            _enqueue(send_batch, issue_id, first_id, last_id, run_after=until)
        _give_up(issue_id, first_id, last_id, now)
    return claim, until


def _give_up(issue_id: int, first_id: int, last_id: int, now) -> None:
    given_up = Delivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now),
        issue_id=issue_id,
        pk__gte=first_id,
        pk__lte=last_id,
        status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING],
        attempts__gte=MAX_ATTEMPTS,
    ).update(status=DeliveryStatus.FAILED, claimed_until=None)
    if given_up:
        logger.error("gave up %s deliveries of issue %s", given_up, issue_id)


def _release(deliveries: list[Delivery], claim: str, *, error: str, retry: bool) -> None:
    """Back to the queue; with ``retry``, after a wait that doubles with each attempt."""
    attempts = max(d.attempts for d in deliveries)
    wait = min(datetime.timedelta(seconds=claim_seconds() * 2 ** (attempts - 1)), MAX_RETRY_WAIT)
    retry_at = timezone.now() + wait if retry else timezone.now()
    ids = [d.pk for d in deliveries]
    with transaction.atomic():
        released = Delivery.objects.filter(
            pk__in=ids, claim=claim, status=DeliveryStatus.SENDING
        ).update(status=DeliveryStatus.QUEUED, claimed_until=retry_at, last_error=error[:2000])
        if released:
            _enqueue(send_batch, deliveries[0].issue_id, min(ids), max(ids), run_after=retry_at)
    logger.warning("%s deliveries back in the queue: %s", len(deliveries), error)


def _hard_bounce(delivery: Delivery, claim: str, exc: Exception) -> None:
    error = _describe(exc)
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk, claim=claim).update(
            status=DeliveryStatus.FAILED, claimed_until=None, last_error=error[:2000]
        )
        record, _ = Suppression.objects.select_for_update().get_or_create(email=delivery.email)
        record.hard_bounces += 1
        record.last_error = error[:2000]
        if record.hard_bounces >= settings.NEWSLETTER_HARD_BOUNCES and not record.suppressed_at:
            record.suppressed_at = timezone.now()
        record.save()


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


def _reconnect(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - the next send opens a new one
        logger.debug("closing the SMTP connection failed", exc_info=True)


def _pace() -> None:
    """Hold to ``NEWSLETTER_RATE_PER_MINUTE`` across every worker (a counter per minute)."""
    rate = int(settings.NEWSLETTER_RATE_PER_MINUTE)
    if rate <= 0:
        return
    while True:
        minute = int(time.time() // 60)
        key = f"newsletters:rate:{minute}"
        try:
            used = cache.incr(key)
        except ValueError:
            # The minute's first send (one more round trip, once a minute).
            used = 1 if cache.add(key, 1, 120) else cache.incr(key)
        if used <= rate:
            return
        time.sleep(max(0.05, (minute + 1) * 60 - time.time()))


def _rendered_issue(issue: Issue) -> rendering.RenderedIssue:
    key = (issue.pk, issue.created_at, issue.article_id)
    return _rendered.get_or_set(key, lambda: rendering.render_issue(issue))


def unsubscribe_url(delivery_id: int) -> str:
    return (
        f"{rendering.base_url()}/newsletters/unsubscribe/{tokens.unsubscribe_token(delivery_id)}/"
    )


def _message_id(rendered: rendering.RenderedIssue, issue: Issue, delivery: Delivery) -> str:
    domain = parseaddr(rendered.sender)[1].rpartition("@")[2] or "localhost"
    # The same through every attempt, so a resend can be recognised as one.
    return f"<newsletter.{issue.pk}.{delivery.pk}@{domain}>"


def _message(rendered: rendering.RenderedIssue, issue: Issue, delivery: Delivery, *, link=None):
    return messages.newsletter_message(
        rendered,
        variant=rendering.variant_for(delivery.paid),
        to=delivery.email,
        message_id=_message_id(rendered, issue, delivery),
        unsubscribe_url=link or unsubscribe_url(delivery.pk),
        list_id=rendered.list_id,
    )


# --- What the scheduler runs --------------------------------------------------------------


def resume_stalled(*, older_than: datetime.timedelta) -> int:
    """Queue again whatever no task is known to hold; returns how many tasks it queued.

    Catches a fan-out lost between a commit and its enqueue, batches whose task row was
    lost, and retries on a queue that cannot defer. Safe at any time: the claims keep a
    second run off rows a live run holds.
    """
    now = timezone.now()
    queued = 0
    for issue_id in Issue.objects.filter(
        fanned_out_at__isnull=True, created_at__lte=now - older_than
    ).values_list("pk", flat=True)[:100]:
        fan_out.enqueue(issue_id)
        queued += 1
    stalled = (
        Delivery.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lte=now),
            status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING],
            issue__fanned_out_at__lte=now - older_than,
        )
        .order_by("issue_id", "pk")
        .values_list("issue_id", "pk")[:20000]
    )
    by_issue: dict[int, list[int]] = {}
    for issue_id, pk in stalled:
        by_issue.setdefault(issue_id, []).append(pk)
    for issue_id, ids in by_issue.items():
        for first, last in _ranges(ids, batch_size()):
            send_batch.enqueue(issue_id, first, last)
            queued += 1
    return queued
