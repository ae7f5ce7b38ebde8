"""Second free trials through parallel requests, with real commits from several threads.

The attack: one reader fires the same test-mode checkout six times at once, or
completes two Stripe Checkout Sessions (both created with a trial) whose
webhooks arrive together. One trial per account must hold: a test-mode
checkout completes once (a unique checkout id), and of two subscriptions the
unique ``TrialClaim`` row lets one keep its trial while the other's is ended
at the provider.

Like ``test_webhook_races``, these commit for real and delete exactly the rows
they made. On PostgreSQL every overlapping request must answer without a 5xx.
SQLite's in-memory test database answers a second writer "table is locked" at
once, so there a loser may get a 500; the tests then retry it as the reader (or
Stripe) would, and the outcome must be the same: one trial, one welcome.
"""

from __future__ import annotations

import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client

from masthead.billing import models as billing_models
from masthead.billing import services
from masthead.billing.models import (
    Customer,
    Plan,
    RejectedWebhook,
    Subscription,
    SubscriptionStatus,
    TrialClaim,
    WebhookEvent,
)
from masthead.billing.tests.helpers import PRICES, encode, event, new_reader
from masthead.billing.tests.test_webhook_races import as_stripe_retries, post_at_once
from masthead.insights.models import ReaderEvent

PARALLEL = 6
CONFIGURED_DATABASE = settings.DATABASES["default"]["NAME"]  # read before any test database


def _last_pk(model) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture
def committed_rows(django_db_setup, django_db_blocker):
    """A committed reader and the Monthly plan with its Stripe price; every row made
    from here on is deleted afterwards."""
    with django_db_blocker.unblock():
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
            yield reader, plan
        finally:
            for model, last in marks.items():
                model.objects.filter(pk__gt=last).delete()
            Subscription.objects.filter(user=reader).delete()
            Customer.objects.filter(user=reader).delete()
            billing_models.TestModeSubscription.objects.filter(user=reader).delete()
            TrialClaim.objects.filter(user=reader).delete()
            reader.delete()
            Plan.objects.filter(pk=plan.pk).update(stripe_price_id=old_price)


def _retry_if_sqlite(statuses: list[int], retry) -> None:
    if connection.vendor != "sqlite":
        assert all(status < 500 for status in statuses), f"a parallel request failed: {statuses}"
    elif all(status >= 500 for status in statuses):
        retry()  # every writer lost to "table is locked": the reader presses again


def test_six_parallel_posts_of_one_test_mode_checkout_token_make_one_trial_and_one_welcome(
    committed_rows, settings, inbox, django_db_blocker
):
    settings.PAYMENT_PROVIDER = "testmode"
    reader, plan = committed_rows
    with django_db_blocker.unblock():
        browser = Client()
        browser.force_login(reader)
        started = browser.post("/billing/checkout/", {"plan": plan.pk, "next": "/"})
        [token] = parse_qs(urlsplit(started["Location"]).query)["token"]
    session_cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value
    barrier = threading.Barrier(PARALLEL)
    statuses: list[int | None] = [None] * PARALLEL

    def confirm(index: int) -> None:
        try:
            tab = Client(raise_request_exception=False)
            tab.cookies[settings.SESSION_COOKIE_NAME] = session_cookie
            barrier.wait(timeout=10)
            statuses[index] = tab.post("/billing/test-checkout/", {"token": token}).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert None not in statuses, "a request never answered"

    with django_db_blocker.unblock():
        _retry_if_sqlite(
            statuses, lambda: browser.post("/billing/test-checkout/", {"token": token})
        )
        assert billing_models.TestModeSubscription.objects.filter(user=reader).count() == 1
        [sub] = Subscription.objects.filter(user=reader)
        assert sub.status == SubscriptionStatus.TRIALING
        assert TrialClaim.objects.get(user=reader).provider_subscription_id == (
            sub.provider_subscription_id
        )
    assert len(inbox.to(reader.email)) == 1


def test_two_stripe_sessions_with_a_trial_completed_at_once_give_one_trial(
    committed_rows, fake_stripe, inbox, django_db_blocker
):
    # Two tabs, two Checkout Sessions created before either completed, so both
    # carry the trial; paid on the same second, so Stripe made two customers and
    # both webhooks arrive together.
    reader, plan = committed_rows
    with django_db_blocker.unblock():
        urls = [
            services.checkout_start(
                user=reader, plan=plan, success_url="http://testserver/", cancel_url="/"
            )
            for _ in range(2)
        ]
    sessions = [fake_stripe.complete_checkout(url.rsplit("/", 1)[-1]) for url in urls]
    assert all(fake_stripe.subscription(s["subscription"])["trial_end"] for s in sessions)
    payloads = [encode(event("checkout.session.completed", s)) for s in sessions]

    results = post_at_once(*payloads)
    retried = as_stripe_retries(results, payloads)

    assert all(status == 200 for status in retried)
    with django_db_blocker.unblock():
        subs = {s.provider_subscription_id: s for s in Subscription.objects.filter(user=reader)}
        assert set(subs) == {s["subscription"] for s in sessions}
        assert sorted(s.status for s in subs.values()) == ["active", "trialing"]
        holder = TrialClaim.objects.get(user=reader).provider_subscription_id
        assert subs[holder].status == SubscriptionStatus.TRIALING
    [other] = [sub_id for sub_id in subs if sub_id != holder]
    ended = fake_stripe.requests_to("POST", f"/v1/subscriptions/{other}")
    assert [call.params.get("trial_end") for call in ended] == ["now"]
    assert not fake_stripe.requests_to("POST", f"/v1/subscriptions/{holder}")
    assert fake_stripe.subscription(other)["status"] == "active"
    assert len(inbox.to(reader.email)) == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_trial_claim_for_one_reader(make_reader):
    # The uniqueness the races rely on; being marked for the database, this test
    # also makes pytest-django create it for this module.
    reader = make_reader()
    TrialClaim.objects.create(user=reader, provider="stripe", provider_subscription_id="sub_a")
    with pytest.raises(IntegrityError), transaction.atomic():
        TrialClaim.objects.create(user=reader, provider="stripe", provider_subscription_id="sub_b")
