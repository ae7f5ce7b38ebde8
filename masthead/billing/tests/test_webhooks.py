"""The Stripe webhook, driven as Stripe (or an attacker, or a fault) would drive it.

Every event is POSTed as raw JSON through the Django test client to
/billing/webhooks/stripe/, signed with the SDK's scheme; the handler re-reads
the subscription from the fake Stripe API over HTTP.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from masthead.billing import services
from masthead.billing.models import (
    Customer,
    EventStatus,
    RejectedWebhook,
    RejectedWebhookTally,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
)
from masthead.billing.providers import stripe as stripe_provider
from masthead.billing.tests.helpers import (
    PRICES,
    WEBHOOK_SECRET,
    encode,
    event,
    has_access,
    sign,
    signed_post,
    start_stripe_checkout,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkout_done(client, fake_stripe, plans, make_reader):
    """A reader who paid on Stripe's page; no webhook has arrived yet.

    Returns (reader, the completed checkout session as Stripe holds it).
    """
    reader = make_reader()
    client.force_login(reader)
    session_id = start_stripe_checkout(client, plans["Monthly"])
    return reader, fake_stripe.complete_checkout(session_id)


def nothing_applied(reader=None):
    assert not WebhookEvent.objects.exists()
    if reader is not None:
        assert not Subscription.objects.filter(user=reader).exists()
        assert not Customer.objects.filter(user=reader).exists()


# Signature


def test_a_webhook_without_stripe_signature_is_rejected_and_logged(
    checkout_done, fake_stripe, caplog
):
    reader, session = checkout_done
    fetches_before = len(fake_stripe.requests_to("GET", "/v1/subscriptions/"))
    payload = encode(event("checkout.session.completed", session))

    response = signed_post(Client(enforce_csrf_checks=True), payload, HTTP_STRIPE_SIGNATURE=None)

    assert response.status_code == 400
    nothing_applied(reader)
    assert len(fake_stripe.requests_to("GET", "/v1/subscriptions/")) == fetches_before
    rejected = RejectedWebhook.objects.get()
    assert "missing Stripe-Signature" in rejected.reason
    assert rejected.remote_addr == "127.0.0.1"
    assert session["id"] in rejected.body_excerpt
    assert "rejected stripe webhook from 127.0.0.1" in caplog.text


def test_a_webhook_signed_with_the_wrong_secret_is_rejected_and_logged(checkout_done):
    reader, session = checkout_done
    payload = encode(event("checkout.session.completed", session))

    response = signed_post(Client(), payload, secret="whsec_attacker_guess")

    assert response.status_code == 400
    nothing_applied(reader)
    assert "bad signature" in RejectedWebhook.objects.get().reason


def test_a_rejected_delivery_does_not_use_up_the_event_id(checkout_done, deliver):
    reader, session = checkout_done
    completed = event("checkout.session.completed", session)

    assert deliver(completed, secret="whsec_attacker_guess").status_code == 400
    assert deliver(completed).status_code == 200

    assert WebhookEvent.objects.get(event_id=completed["id"]).status == EventStatus.PROCESSED
    assert has_access(reader)


def test_a_body_changed_after_signing_is_rejected(checkout_done, make_reader, fake_stripe):
    reader, session = checkout_done
    attacker = make_reader()
    genuine = encode(event("checkout.session.completed", session))
    forged = genuine.replace(f'"{reader.pk}"', f'"{attacker.pk}"')
    assert forged != genuine
    header = sign(genuine, WEBHOOK_SECRET)

    response = signed_post(Client(), forged, HTTP_STRIPE_SIGNATURE=header)

    assert response.status_code == 400
    nothing_applied(attacker)
    assert RejectedWebhook.objects.count() == 1


def test_a_replay_older_than_the_tolerance_is_rejected(checkout_done):
    reader, session = checkout_done
    payload = encode(event("checkout.session.completed", session))

    response = signed_post(Client(), payload, timestamp=int(time.time()) - 301)

    assert response.status_code == 400
    nothing_applied(reader)
    assert "tolerance" in RejectedWebhook.objects.get().reason


def test_the_tolerance_is_stripes_300_seconds_and_never_zero(checkout_done, deliver):
    # A tolerance of 0 (or None) turns the SDK's replay check off altogether.
    assert stripe_provider.WEBHOOK_TOLERANCE == 300
    reader, session = checkout_done

    late = deliver(event("checkout.session.completed", session), timestamp=int(time.time()) - 290)

    assert late.status_code == 200
    assert has_access(reader)


def test_a_signed_delivery_that_is_not_json_is_rejected(fake_stripe):
    response = signed_post(Client(), "not json at all")

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()
    assert "malformed" in RejectedWebhook.objects.get().reason


def test_the_webhook_takes_only_post(fake_stripe):
    assert Client().get("/billing/webhooks/stripe/").status_code == 405


# Event types we do not handle


@pytest.mark.parametrize(
    "kind", ["customer.created", "charge.succeeded", "payment_intent.created", "invoice.created"]
)
def test_an_event_type_we_do_not_handle_gets_200_and_nothing_is_stored(
    kind, checkout_done, deliver, fake_stripe
):
    reader, session = checkout_done
    calls_before = len(fake_stripe.calls)

    response = deliver(event(kind, {"id": "obj_test_1", "object": kind.split(".")[0]}))

    assert response.status_code == 200
    assert not WebhookEvent.objects.exists()
    assert len(fake_stripe.calls) == calls_before
    assert not Subscription.objects.filter(user=reader).exists()


# Delivered twice


def test_the_same_event_twice_changes_state_once_and_sends_one_email(
    checkout_done, deliver, fake_stripe, inbox
):
    reader, session = checkout_done
    completed = event("checkout.session.completed", session)

    first = deliver(completed)
    second = deliver(completed)

    assert (first.status_code, second.status_code) == (200, 200)
    assert "processed" in first.content.decode()
    assert "ignored" in second.content.decode()
    stored = WebhookEvent.objects.get()
    assert (stored.event_id, stored.status, stored.attempts) == (
        completed["id"],
        EventStatus.PROCESSED,
        1,
    )
    sub = Subscription.objects.get(user=reader)
    assert sub.status == SubscriptionStatus.TRIALING
    # The redelivery is skipped before it asks Stripe anything.
    assert len(fake_stripe.requests_to("GET", f"/v1/subscriptions/{session['subscription']}")) == 1
    [welcome] = inbox.to(reader.email)
    assert welcome.subject.startswith("Welcome to")


def test_two_events_about_one_subscription_make_one_row_and_one_welcome(
    checkout_done, deliver, fake_stripe, inbox
):
    reader, session = checkout_done
    sub = fake_stripe.subscription(session["subscription"])

    assert deliver(event("customer.subscription.created", sub)).status_code == 200
    assert deliver(event("checkout.session.completed", session)).status_code == 200

    assert Subscription.objects.filter(user=reader).count() == 1
    assert WebhookEvent.objects.filter(status=EventStatus.PROCESSED).count() == 2
    assert len(inbox.to(reader.email)) == 1


# Out of order


def test_deleted_before_updated_ends_canceled_and_never_goes_back(
    checkout_done, deliver, fake_stripe, inbox
):
    reader, session = checkout_done
    sub_id = session["subscription"]
    deliver(event("checkout.session.completed", session))
    now = int(time.time())
    # Stripe's story: the reader asked to cancel (an `updated` event carrying
    # cancel_at_period_end), then the subscription ended (`deleted`). The
    # deliveries arrive the other way round.
    asked = fake_stripe.update_subscription(sub_id, status="active", cancel_at_period_end=True)
    updated = event("customer.subscription.updated", asked, created=now - 60)
    ended = fake_stripe.update_subscription(
        sub_id, status="canceled", canceled_at=now, ended_at=now
    )
    deleted = event("customer.subscription.deleted", ended, created=now)

    assert deliver(deleted).status_code == 200
    assert Subscription.objects.get(user=reader).status == SubscriptionStatus.CANCELED
    assert deliver(updated).status_code == 200

    sub = Subscription.objects.get(user=reader)
    assert sub.status == SubscriptionStatus.CANCELED
    assert not has_access(reader)
    assert sub.provider_updated_at.timestamp() == now
    # welcome, then one cancellation notice for the one change
    assert len(inbox.to(reader.email)) == 2


def test_invoice_paid_before_checkout_completed_ends_in_the_newest_state(
    client, fake_stripe, plans, make_reader, deliver, inbox
):
    reader = make_reader()
    client.force_login(reader)
    session = fake_stripe.complete_checkout(start_stripe_checkout(client, plans["Yearly"]))
    sub_id = session["subscription"]
    # The trial has already ended and the first invoice is paid by the time
    # anything reaches us.
    fake_stripe.update_subscription(sub_id, status="active", trial_end=int(time.time()) - 5)
    paid = event("invoice.paid", fake_stripe.invoice(sub_id))
    completed = event("checkout.session.completed", session, created=paid["created"] - 120)

    assert deliver(paid).status_code == 200
    assert deliver(completed).status_code == 200

    sub = Subscription.objects.get(user=reader)
    assert sub.status == SubscriptionStatus.ACTIVE
    assert sub.plan == plans["Yearly"]
    assert Customer.objects.get(user=reader).provider_customer_id == session["customer"]
    assert has_access(reader)
    assert len(inbox.to(reader.email)) == 1


def test_a_stale_event_payload_is_not_trusted_the_subscription_is_re_read(
    checkout_done, deliver, fake_stripe
):
    reader, session = checkout_done
    sub_id = session["subscription"]
    deliver(event("checkout.session.completed", session))
    stale = fake_stripe.subscription(sub_id)  # trialing, as the event was written
    fake_stripe.update_subscription(sub_id, status="past_due")

    deliver(event("customer.subscription.updated", stale))

    assert Subscription.objects.get(user=reader).status == SubscriptionStatus.PAST_DUE


def test_a_plan_change_at_stripe_is_followed(checkout_done, deliver, fake_stripe, plans):
    reader, session = checkout_done
    sub_id = session["subscription"]
    deliver(event("checkout.session.completed", session))

    changed = fake_stripe.update_subscription(sub_id, price=PRICES["Weekly"])
    deliver(event("customer.subscription.updated", changed))

    assert Subscription.objects.get(user=reader).plan == plans["Weekly"]


# A handler error


def test_a_stripe_error_inside_the_handler_rolls_back_and_a_redelivery_succeeds(
    checkout_done, deliver, fake_stripe, inbox
):
    reader, session = checkout_done
    completed = event("checkout.session.completed", session)
    fake_stripe.fail_next("GET", f"/v1/subscriptions/{session['subscription']}", status=500)

    failed = deliver(completed)

    assert failed.status_code == 500
    # The customer link is written before the subscription is fetched: rolled back too.
    assert not Customer.objects.filter(user=reader).exists()
    assert not Subscription.objects.filter(user=reader).exists()
    stored = WebhookEvent.objects.get()
    assert stored.status == EventStatus.FAILED
    assert "injected failure" in stored.error
    assert stored.attempts == 1
    assert inbox.messages == []

    retried = deliver(completed)

    assert retried.status_code == 200
    stored.refresh_from_db()
    assert (stored.status, stored.error, stored.attempts) == (EventStatus.PROCESSED, "", 2)
    assert stored.processed_at is not None
    assert Subscription.objects.get(user=reader).status == SubscriptionStatus.TRIALING
    assert Customer.objects.get(user=reader).provider_customer_id == session["customer"]
    assert len(inbox.to(reader.email)) == 1


def test_an_exception_after_the_write_rolls_it_back_and_sends_nothing(
    checkout_done, deliver, inbox, monkeypatch
):
    reader, session = checkout_done
    completed = event("checkout.session.completed", session)

    def explode(sub, **kwargs):
        assert Subscription.objects.filter(pk=sub.pk).exists()  # written, not yet committed
        raise RuntimeError("handler bug")

    with monkeypatch.context() as patch:
        patch.setattr(services, "_announce_changes", explode)
        failed = deliver(completed)

    assert failed.status_code == 500
    assert not Subscription.objects.filter(user=reader).exists()
    assert not has_access(reader)
    stored = WebhookEvent.objects.get()
    assert stored.status == EventStatus.FAILED
    assert "RuntimeError: handler bug" in stored.error
    assert inbox.messages == []

    assert deliver(completed).status_code == 200
    assert WebhookEvent.objects.get().status == EventStatus.PROCESSED
    assert has_access(reader)
    assert len(inbox.to(reader.email)) == 1


def test_an_event_for_a_price_we_do_not_sell_fails_loudly(checkout_done, deliver, fake_stripe):
    reader, session = checkout_done
    fake_stripe.update_subscription(session["subscription"], price="price_unknown")

    response = deliver(event("checkout.session.completed", session))

    assert response.status_code == 500
    assert not Subscription.objects.filter(user=reader).exists()
    assert "price_unknown" in WebhookEvent.objects.get().error


def test_the_webhook_is_absent_where_stripe_is_not_configured(settings):
    # Test mode (the default outside production) sets no Stripe keys.
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    client = Client(raise_request_exception=False)

    response = client.post(
        "/billing/webhooks/stripe/",
        data="{}",
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE="t=1,v1=00",
    )

    assert response.status_code == 404
    assert not WebhookEvent.objects.exists()


# Forged deliveries in bulk


def test_a_flood_of_forged_webhooks_keeps_a_bounded_record_with_the_right_counts(
    checkout_done, deliver
):
    reader, session = checkout_done
    genuine = encode(event("checkout.session.completed", session))
    padded = genuine[:-1] + ', "padding": "' + "x" * 2000 + '"}'  # 2 KB a request
    attacker = Client(enforce_csrf_checks=True)
    sent = {"missing_signature": 110, "bad_signature": 110, "too_old": 110, "malformed": 20}

    for _ in range(sent["missing_signature"]):
        assert signed_post(attacker, padded, HTTP_STRIPE_SIGNATURE=None).status_code == 400
    for _ in range(sent["bad_signature"]):
        assert signed_post(attacker, padded, secret="whsec_attacker_guess").status_code == 400
    for _ in range(sent["too_old"]):
        stale = int(time.time()) - 3600
        assert signed_post(attacker, padded, timestamp=stale).status_code == 400
    for _ in range(sent["malformed"]):
        # Signed with the real secret (a leaked one, say) but not an event.
        assert signed_post(attacker, '{"padding": "' + "x" * 2000 + '"}').status_code == 400

    assert RejectedWebhook.objects.count() <= services.REJECTED_SAMPLES_KEPT
    assert all(
        len(excerpt.encode()) <= services.REJECTED_EXCERPT_BYTES
        for excerpt in RejectedWebhook.objects.values_list("body_excerpt", flat=True)
    )
    counted = dict(
        RejectedWebhookTally.objects.values("kind")
        .annotate(total=Sum("count"))
        .values_list("kind", "total")
    )
    assert counted == sent
    # An hour boundary during the test may split a reason over two rows, never more.
    assert RejectedWebhookTally.objects.count() <= 2 * len(sent)
    newest = RejectedWebhook.objects.order_by("-pk").first()
    assert newest.kind == "malformed" and newest.remote_addr == "127.0.0.1"
    # Stripe's own delivery still goes through, and is recorded.
    assert deliver(event("checkout.session.completed", session)).status_code == 200
    assert WebhookEvent.objects.get().status == EventStatus.PROCESSED
    assert has_access(reader)


def test_counts_of_refused_webhooks_older_than_the_retention_are_dropped(fake_stripe):
    long_ago = timezone.now() - services.REJECTED_COUNTS_KEPT - timedelta(hours=2)
    RejectedWebhookTally.objects.create(
        provider="stripe",
        kind="bad_signature",
        hour=long_ago.replace(minute=0, second=0, microsecond=0),
        count=5,
    )

    assert signed_post(Client(), "{}", secret="whsec_attacker_guess").status_code == 400

    assert list(RejectedWebhookTally.objects.values_list("kind", "count")) == [("bad_signature", 1)]
