"""Deliveries that overlap in time, with real commits from several threads.

Stripe may deliver an event again while the first delivery is still being
handled (a timeout on its side), and sends several events about one
subscription within a second. The event id is unique, so one request inserts
the event row and the others hit the IntegrityError, wait on the row lock and
find it processed; the subscription's row is locked before Stripe is asked,
so a slow reply cannot overwrite a newer one.

These tests commit for real, so they run outside pytest-django's per-test
transaction. They do not use ``transaction=True`` either: that flushes every
table afterwards and would take away the demo (loaded once per session) from
the tests that run after them. Instead they delete exactly the rows they made.

SQLite's in-memory test database answers a second writer "table is locked" at
once instead of waiting as a file database does (shared-cache mode ignores the
busy timeout), so there a loser gets a 500, which Stripe retries; the tests
then redeliver as Stripe would and check the outcome. On PostgreSQL (CI's
second pass) every overlapping delivery must answer 200 the first time.
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client

from masthead.billing import services
from masthead.billing.models import (
    Customer,
    EventStatus,
    Plan,
    RejectedWebhook,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
)
from masthead.billing.tests.helpers import PRICES, encode, event, new_reader, signed_post
from masthead.insights.models import ReaderEvent

DELIVERIES = 4
CONFIGURED_DATABASE = settings.DATABASES["default"]["NAME"]  # read before any test database


def _last_pk(model) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture
def committed_reader(django_db_setup, django_db_blocker, fake_stripe):
    """A reader who paid on Stripe's page, committed; every row made is deleted after."""
    with django_db_blocker.unblock():
        # pytest-django creates the test database only when some selected test
        # is marked for it; never commit to the configured database instead.
        assert connection.settings_dict["NAME"] != CONFIGURED_DATABASE, (
            "no test database: run this module together with a test that uses `db`"
        )
        marks = {model: _last_pk(model) for model in (WebhookEvent, RejectedWebhook, ReaderEvent)}
        plan = Plan.objects.get(name="Monthly")
        old_price = plan.stripe_price_id
        Plan.objects.filter(pk=plan.pk).update(stripe_price_id=PRICES["Monthly"])
        plan.refresh_from_db()
        reader = new_reader()
        try:
            url = services.checkout_start(
                user=reader, plan=plan, success_url="http://testserver/", cancel_url="/"
            )
            yield reader, fake_stripe.complete_checkout(url.rsplit("/", 1)[-1])
        finally:
            for model, last in marks.items():
                model.objects.filter(pk__gt=last).delete()
            Subscription.objects.filter(user=reader).delete()
            Customer.objects.filter(user=reader).delete()
            reader.delete()
            Plan.objects.filter(pk=plan.pk).update(stripe_price_id=old_price)


def post_at_once(*payloads: str) -> list[tuple[int, str]]:
    """POST signed bodies from one thread each, released together; (status, body)
    in the order given."""
    barrier = threading.Barrier(len(payloads))
    results: list[tuple[int, str] | None] = [None] * len(payloads)

    def post(index: int, payload: str):
        try:
            client = Client(enforce_csrf_checks=True)
            barrier.wait(timeout=10)
            response = signed_post(client, payload)
            results[index] = (response.status_code, response.content.decode())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=item) for item in enumerate(payloads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert None not in results, "a delivery never answered"
    return results


def as_stripe_retries(results: list[tuple[int, str]], payloads: list[str]) -> list[int]:
    """Redeliver, one by one, each body that got a 5xx, as Stripe does; their statuses."""
    failed = [p for (status, _), p in zip(results, payloads, strict=True) if status >= 500]
    if connection.vendor != "sqlite":
        assert not failed, f"an overlapping delivery failed: {results}"
    return [post_at_once(payload)[0][0] for payload in failed]


def test_the_same_event_delivered_concurrently_is_applied_once(
    committed_reader, fake_stripe, inbox, django_db_blocker
):
    reader, session = committed_reader
    completed = event("checkout.session.completed", session)
    payloads = [encode(completed)] * DELIVERIES

    results = post_at_once(*payloads)
    retried = as_stripe_retries(results, payloads)

    assert sum(body == "ok: processed" for _, body in results) == 1
    assert all(status == 200 for status in retried)
    with django_db_blocker.unblock():
        stored = WebhookEvent.objects.get(event_id=completed["id"])
        assert (stored.status, stored.attempts) == (EventStatus.PROCESSED, 1)
        assert Subscription.objects.get(user=reader).status == SubscriptionStatus.TRIALING
        assert Customer.objects.filter(user=reader).count() == 1
    assert len(fake_stripe.requests_to("GET", f"/v1/subscriptions/{session['subscription']}")) == 1
    assert len(inbox.to(reader.email)) == 1


def test_two_trial_reminders_at_once_send_one_email(
    committed_reader, fake_stripe, inbox, django_db_blocker
):
    reader, session = committed_reader
    assert post_at_once(encode(event("checkout.session.completed", session)))[0][0] == 200
    inbox.clear()
    sub = fake_stripe.subscription(session["subscription"])
    # Two distinct events (Stripe does not promise one per trial), at the same moment.
    payloads = [encode(event("customer.subscription.trial_will_end", sub)) for _ in range(2)]

    results = post_at_once(*payloads)
    retried = as_stripe_retries(results, payloads)

    assert all(status == 200 for status in retried)
    assert [m.subject for m in inbox.to(reader.email)] == [
        f"Your free trial of {publication_name()} ends in 3 days"
    ]


def publication_name() -> str:
    from masthead.content.models import PublicationSettings

    publication = PublicationSettings.objects.first()
    return publication.name if publication else "Masthead"


def test_a_slow_reply_about_an_older_state_does_not_overwrite_a_newer_one(
    committed_reader, fake_stripe, django_db_blocker
):
    reader, session = committed_reader
    sub_id = session["subscription"]
    assert post_at_once(encode(event("checkout.session.completed", session)))[0][0] == 200
    # Event A asks Stripe while the subscription is still active, but the reply
    # is slow; meanwhile the subscription ends and event B reads "canceled".
    active = fake_stripe.update_subscription(sub_id, status="active")
    updated = encode(event("customer.subscription.updated", active))
    hold = fake_stripe.hold_next("GET", f"/v1/subscriptions/{sub_id}")
    results: dict[str, list] = {}
    first = threading.Thread(target=lambda: results.update(a=post_at_once(updated)))
    first.start()
    assert hold.arrived.wait(10), "event A never asked Stripe"
    deleted = encode(
        event(
            "customer.subscription.deleted",
            fake_stripe.update_subscription(sub_id, status="canceled"),
        )
    )
    second = threading.Thread(target=lambda: results.update(b=post_at_once(deleted)))
    second.start()
    # B has to wait for A, which holds the subscription's row while it asks;
    # without that lock B would be done by now and A's late reply would win.
    second.join(timeout=1.0)
    hold.release()
    first.join(timeout=30)
    second.join(timeout=30)

    assert results["a"][0][0] == 200
    assert all(status == 200 for status in as_stripe_retries(results["b"], [deleted]))
    with django_db_blocker.unblock():
        assert Subscription.objects.get(user=reader).status == SubscriptionStatus.CANCELED


@pytest.mark.django_db
def test_the_database_refuses_a_second_row_for_one_event_id():
    # The uniqueness that duplicate deliveries rely on; being marked for the
    # database, this test also makes pytest-django create it for this module.
    WebhookEvent.objects.create(provider="stripe", event_id="evt_same", type="x", payload={})
    with pytest.raises(IntegrityError), transaction.atomic():
        WebhookEvent.objects.create(provider="stripe", event_id="evt_same", type="y", payload={})
