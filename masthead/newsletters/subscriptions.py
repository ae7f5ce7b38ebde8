"""Who takes which newsletter: double opt-in, a signed-in reader's ticks, unsubscribing."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from masthead.billing import entitlements
from masthead.billing.emails import publication_sender
from masthead.content.models import PublicationSettings
from masthead.insights import events
from masthead.mail.outbox import email_queue
from masthead.newsletters import rendering, tokens
from masthead.newsletters.models import Audience, Delivery, Newsletter, NewsletterSubscription


def open_newsletters():
    """The newsletters anyone may sign up for."""
    return Newsletter.objects.filter(audience=Audience.EVERYONE)


def available_to(user) -> list[Newsletter]:
    """Every newsletter the reader may take: the paid-only ones with paid access."""
    paid = entitlements.for_user(user).paid_access or user.is_staff
    return [n for n in Newsletter.objects.all() if paid or not n.paid_only]


def subscribed_ids(user) -> set[int]:
    return set(
        NewsletterSubscription.objects.filter(user=user).values_list("newsletter_id", flat=True)
    )


def confirmation_send(*, email: str, newsletter_ids: list[int]) -> None:
    """The double opt-in mail: the same whether or not the address has an account."""
    newsletters = list(open_newsletters().filter(pk__in=newsletter_ids))
    if not newsletters:
        return
    publication = PublicationSettings.objects.first()
    token = tokens.confirmation_token(email, [n.pk for n in newsletters])
    context = {
        "publication": publication.name if publication else "Masthead",
        "newsletters": newsletters,
        "confirm_url": f"{rendering.base_url()}/newsletters/confirm/{token}/",
        "days": tokens.CONFIRM_MAX_AGE.days,
    }
    email_queue(
        EmailMessage(
            f"Confirm your sign-up to {', '.join(n.name for n in newsletters)}",
            render_to_string("newsletters/confirm_email.txt", context),
            publication_sender(publication),
            [email],
        ),
        # Nothing else is written with it: no change to wait for.
        wait_for_commit=False,
    )


def confirm(*, email: str, newsletter_ids: list[int]) -> list[Newsletter]:
    """Subscribe the address; nothing else is created, and an account is only linked."""
    email = email.strip().lower()
    user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
    newsletters = list(open_newsletters().filter(pk__in=newsletter_ids))
    for newsletter in newsletters:
        _subscribe(newsletter, email, user, how=SIGNED_UP_CONFIRMED)
    return newsletters


# How a sign-up came, in its insights event (``EventKind.NEWSLETTER_SIGNUP``'s outcome).
SIGNED_UP_CONFIRMED = "confirmed"
SIGNED_UP_ACCOUNT = "account"


def _subscribe(newsletter: Newsletter, email: str, user, *, how: str) -> None:
    try:
        with transaction.atomic():
            _, created = NewsletterSubscription.objects.get_or_create(
                newsletter=newsletter, email=email, defaults={"user": user}
            )
    except IntegrityError:
        return  # a second click at the same moment: the first one counted
    if created:
        events.record(
            events.EventKind.NEWSLETTER_SIGNUP,
            article_id=None,
            outcome=how,
            user_id=user.pk if user else None,
        )


def preferences_set(*, user, shown_ids: set[int], ticked_ids: set[int]) -> None:
    """Apply a form's ticks to the newsletters it showed (and only those)."""
    allowed = {n.pk: n for n in available_to(user)}
    email = user.email.strip().lower()
    for newsletter_id in shown_ids & set(allowed):
        if newsletter_id in ticked_ids:
            _subscribe(allowed[newsletter_id], email, user, how=SIGNED_UP_ACCOUNT)
        else:
            for row in NewsletterSubscription.objects.filter(
                newsletter_id=newsletter_id, user=user
            ):
                row.delete()
    for newsletter_id in shown_ids - set(allowed):
        for row in NewsletterSubscription.objects.filter(newsletter_id=newsletter_id, user=user):
            row.delete()


def is_subscribed(newsletter: Newsletter, email: str) -> bool:
    return NewsletterSubscription.objects.filter(newsletter=newsletter, email=email).exists()


def unsubscribe(delivery: Delivery) -> Newsletter:
    """Take the delivery's address off its newsletter; counted once on its issue."""
    newsletter = delivery.issue.newsletter
    for row in NewsletterSubscription.objects.filter(newsletter=newsletter, email=delivery.email):
        row.delete()
    if delivery.subscription_id:
        NewsletterSubscription.objects.filter(pk=delivery.subscription_id).delete()
    Delivery.objects.filter(pk=delivery.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now()
    )
    return newsletter
