"""Billing's e-mails as a reader's mail server receives them, over real SMTP.

Each is caused the way production causes it (a signed Stripe webhook) and is
sent only after the change commits; duplicates and rollbacks are covered in
test_webhooks and test_trials.
"""

from __future__ import annotations

import time
import zoneinfo

import pytest
from django.conf import settings
from django.test import Client

from masthead.billing.models import EventStatus, Subscription, WebhookEvent
from masthead.billing.tests.helpers import event, start_stripe_checkout
from masthead.content.models import PublicationSettings
from tests.support.smtp import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def publication() -> str:
    found = PublicationSettings.objects.first()
    return found.name if found else "Masthead"


@pytest.fixture
def subscribed(client, make_reader, fake_stripe, plans, deliver, inbox):
    """A reader in a Monthly trial (the welcome already sent). Returns (reader, sub_id)."""
    reader = make_reader()
    client.force_login(reader)
    session = fake_stripe.complete_checkout(start_stripe_checkout(client, plans["Monthly"]))
    assert deliver(event("checkout.session.completed", session)).status_code == 200
    return reader, session["subscription"]


def in_publication_zone(moment):
    """The date as the e-mails print it: in the publication's zone, which near midnight
    UTC is another day than the stored instant's."""
    found = PublicationSettings.objects.first()
    return moment.astimezone(zoneinfo.ZoneInfo(found.time_zone if found else "UTC"))


def only_message(inbox, reader):
    [message] = inbox.to(reader.email)
    assert message.recipients == (reader.email,)
    assert message.sender in settings.DEFAULT_FROM_EMAIL
    return message


def test_the_welcome_names_the_trial_end_and_the_price(subscribed, inbox, publication, plans):
    reader, _ = subscribed
    sub = Subscription.objects.get(user=reader)

    message = only_message(inbox, reader)

    assert message.subject == f"Welcome to {publication}"
    ends = in_publication_zone(sub.trial_end)
    assert f"Your free trial ends on {ends:%B} {ends.day}, {ends.year}" in message.body
    assert plans["Monthly"].price_display in message.body
    assert "/account/" in message.body


def test_the_trial_reminder(subscribed, fake_stripe, deliver, inbox, publication, plans):
    reader, sub_id = subscribed
    inbox.clear()

    deliver(event("customer.subscription.trial_will_end", fake_stripe.subscription(sub_id)))

    message = only_message(inbox, reader)
    assert message.subject == f"Your free trial of {publication} ends in 3 days"
    assert (
        f"{plans['Monthly'].name} plan starts at {plans['Monthly'].price_display}" in message.body
    )


def test_the_payment_failed_notice(subscribed, fake_stripe, deliver, inbox, publication, plans):
    reader, sub_id = subscribed
    inbox.clear()
    fake_stripe.update_subscription(
        sub_id, status="past_due", current_period_start=int(time.time())
    )

    deliver(event("invoice.payment_failed", fake_stripe.invoice(sub_id, paid=False)))

    message = only_message(inbox, reader)
    assert message.subject == f"We couldn't take your payment for {publication}"
    assert plans["Monthly"].price_display in message.body
    assert "Please update your card" in message.body


def test_the_cancellation_notice_at_period_end_says_until_when(
    subscribed, client, inbox, publication, committed
):
    reader, _ = subscribed
    inbox.clear()

    with committed():
        client.post("/account/cancel/")

    message = only_message(inbox, reader)
    end = in_publication_zone(Subscription.objects.get(user=reader).current_period_end)
    assert message.subject == f"Your subscription to {publication} has been cancelled"
    assert f"You keep full access until {end:%B} {end.day}" in message.body


def test_the_cancellation_notice_when_it_ends_at_once(
    subscribed, fake_stripe, deliver, inbox, publication
):
    reader, sub_id = subscribed
    inbox.clear()
    now = int(time.time())
    ended = fake_stripe.update_subscription(sub_id, status="canceled", canceled_at=now)

    deliver(event("customer.subscription.deleted", ended))

    message = only_message(inbox, reader)
    assert message.subject == f"Your subscription to {publication} has been cancelled"
    assert "You keep full access" not in message.body


def test_a_reader_without_an_address_gets_no_mail_and_the_event_still_applies(
    client, make_reader, fake_stripe, plans, deliver, inbox
):
    reader = make_reader()
    client.force_login(reader)
    session_id = start_stripe_checkout(client, plans["Monthly"])
    reader.email = ""
    reader.save(update_fields=["email"])

    response = deliver(
        event("checkout.session.completed", fake_stripe.complete_checkout(session_id))
    )

    assert response.status_code == 200
    assert Subscription.objects.filter(user=reader).exists()
    assert inbox.messages == []


def test_a_mail_server_that_is_down_does_not_fail_the_webhook(
    client, make_reader, fake_stripe, plans, deliver, inbox, settings
):
    # The change is committed before the e-mail is queued; a refused SMTP
    # connection is the task backend's failure, not a reason for Stripe to retry.
    settings.EMAIL_PORT = free_port()
    reader = make_reader()
    client.force_login(reader)
    session = fake_stripe.complete_checkout(start_stripe_checkout(client, plans["Monthly"]))

    response = deliver(event("checkout.session.completed", session))

    assert response.status_code == 200
    assert WebhookEvent.objects.get().status == EventStatus.PROCESSED
    assert Subscription.objects.filter(user=reader).exists()
    assert inbox.messages == []


def test_the_account_link_in_mail_points_at_the_site(subscribed, inbox):
    reader, _ = subscribed
    message = only_message(inbox, reader)
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")

    assert f"{base}/account/" in message.body
    assert Client().get("/account/").status_code == 302  # it exists (and asks for a login)


@pytest.fixture
def newsroom_sender():
    publication = PublicationSettings.objects.first()
    publication.email_from = "newsroom@meridian.example"
    publication.save()
    return publication


def test_billing_mail_comes_from_the_address_the_publication_sets(
    client, make_reader, fake_stripe, plans, deliver, inbox, newsroom_sender
):
    reader = make_reader()
    client.force_login(reader)
    session = fake_stripe.complete_checkout(start_stripe_checkout(client, plans["Monthly"]))
    deliver(event("checkout.session.completed", session))

    [message] = inbox.to(reader.email)

    assert message.sender == "newsroom@meridian.example"
    assert message.from_header == f"{newsroom_sender.name} <newsroom@meridian.example>"


def test_without_an_address_mail_comes_from_the_server_default_under_the_publications_name(
    subscribed, inbox, publication
):
    reader, _ = subscribed

    message = only_message(inbox, reader)

    assert message.from_header.startswith(f"{publication} <")
    assert message.sender in settings.DEFAULT_FROM_EMAIL


def test_the_cancellation_notice_reads_as_a_sentence(
    subscribed, client, inbox, publication, committed
):
    reader, _ = subscribed
    inbox.clear()
    with committed():
        client.post("/account/cancel/")

    message = only_message(inbox, reader)

    assert f"Your subscription to {publication} has been cancelled." in message.body
    assert f"Your {publication} subscription" not in message.body
