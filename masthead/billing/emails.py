"""Subscription e-mails, queued with the change and sent by the task worker once it commits."""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from masthead.billing.models import Subscription
from masthead.content.models import PublicationSettings
from masthead.mail.outbox import email_queue

SUBJECTS = {
    "welcome": "Welcome to {publication}",
    "trial_ending": "Your free trial of {publication} ends in 3 days",
    "payment_failed": "We couldn't take your payment for {publication}",
    "cancelled": "Your subscription to {publication} has been cancelled",
}


def publication_sender(publication: PublicationSettings | None = None) -> str:
    """The From: of every e-mail to readers: the publication's name and its chosen address.

    Without an address on the publication's settings, ``DEFAULT_FROM_EMAIL``'s address,
    still under the publication's name.
    """
    publication = publication or PublicationSettings.objects.first()
    if publication is None:
        return settings.DEFAULT_FROM_EMAIL
    default_name, default_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((publication.name or default_name, publication.email_from or default_address))


def send_after_commit(kind: str, subscription) -> None:
    """Queue the e-mail about ``subscription``; it is sent once this transaction commits.

    Rendered now, from the change being made; a rolled-back change (a failed webhook
    handler) takes the queued e-mail with it and sends nothing.
    """
    if kind not in SUBJECTS:
        raise ValueError(f"unknown billing e-mail {kind!r}")
    sub = Subscription.objects.select_related("user", "plan").get(pk=subscription.pk)
    if not sub.user.email:
        return
    publication = PublicationSettings.objects.first()
    name = publication.name if publication else "Masthead"
    context = {
        "publication": name,
        "zone": publication.time_zone if publication else "UTC",
        "subscription": sub,
        "plan": sub.plan,
        "user": sub.user,
        "account_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/account/",
    }
    email_queue(
        EmailMessage(
            SUBJECTS[kind].format(publication=name),
            render_to_string(f"billing/emails/{kind}.txt", context),
            publication_sender(publication),
            [sub.user.email],
        )
    )
