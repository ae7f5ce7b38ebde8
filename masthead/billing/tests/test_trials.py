"""A Stripe trial from start to end: trialing, the reminder, paid or failed,
past due within and beyond the grace, cancelled; and no second trial.

Each step sets what Stripe holds in the fake and delivers the event Stripe
would send, signed, through the webhook.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from masthead.billing.entitlements import PAST_DUE_GRACE
from masthead.billing.models import Customer, Subscription, SubscriptionStatus, TrialClaim
from masthead.billing.tests.helpers import event, has_access, start_stripe_checkout

pytestmark = pytest.mark.django_db

DAY = 86400


@pytest.fixture
def trialing(client, make_reader, fake_stripe, plans, deliver, inbox):
    """A reader in a Monthly trial, as the webhook left it. Returns (reader, session)."""
    reader = make_reader()
    client.force_login(reader)
    session = fake_stripe.complete_checkout(start_stripe_checkout(client, plans["Monthly"]))
    assert deliver(event("checkout.session.completed", session)).status_code == 200
    return reader, session


def status_of(reader) -> str:
    return Subscription.objects.get(user=reader).status


def subjects(inbox, reader) -> list[str]:
    return [m.subject for m in inbox.to(reader.email)]


def test_a_trial_gives_access_and_one_welcome(trialing, fake_stripe, inbox):
    reader, session = trialing

    sub = Subscription.objects.get(user=reader)
    assert sub.status == SubscriptionStatus.TRIALING
    held = fake_stripe.subscription(session["subscription"])
    assert sub.trial_end.timestamp() == held["trial_end"]
    assert held["trial_end"] - held["trial_start"] == 14 * DAY
    assert has_access(reader)
    [welcome] = inbox.to(reader.email)
    assert welcome.subject.startswith("Welcome to")
    assert "Your free trial ends on" in welcome.body


def test_the_trial_reminder_is_sent_once_however_often_it_is_announced(
    trialing, fake_stripe, deliver, inbox
):
    reader, session = trialing
    inbox.clear()
    sub = fake_stripe.subscription(session["subscription"])
    reminder = event("customer.subscription.trial_will_end", sub)

    assert deliver(reminder).status_code == 200
    assert deliver(reminder).status_code == 200  # the same event again
    assert deliver(event("customer.subscription.trial_will_end", sub)).status_code == 200

    [message] = inbox.to(reader.email)
    assert message.subject.endswith("ends in 3 days")
    assert Subscription.objects.get(user=reader).trial_reminder_sent


def test_a_trial_that_is_paid_becomes_active(trialing, fake_stripe, deliver, inbox):
    reader, session = trialing
    sub_id = session["subscription"]
    now = int(time.time())
    fake_stripe.update_subscription(
        sub_id,
        status="active",
        trial_end=now,
        current_period_start=now,
        current_period_end=now + 30 * DAY,
    )

    deliver(event("invoice.paid", fake_stripe.invoice(sub_id)))
    deliver(event("customer.subscription.updated", fake_stripe.subscription(sub_id)))

    sub = Subscription.objects.get(user=reader)
    assert sub.status == SubscriptionStatus.ACTIVE
    assert sub.current_period_end.timestamp() == now + 30 * DAY
    assert has_access(reader)
    assert len(inbox.to(reader.email)) == 1  # the welcome; paying sends nothing more


def test_a_failed_first_payment_keeps_access_for_the_grace_then_not(
    trialing, fake_stripe, deliver, inbox
):
    reader, session = trialing
    sub_id = session["subscription"]
    inbox.clear()
    # The trial ended a moment ago; Stripe started the first paid period and
    # could not take the card.
    ended = int(time.time()) - 60
    fake_stripe.update_subscription(
        sub_id,
        status="past_due",
        trial_end=ended,
        current_period_start=ended,
        current_period_end=ended + 30 * DAY,
    )
    failed = event("invoice.payment_failed", fake_stripe.invoice(sub_id, paid=False))

    deliver(failed)
    deliver(failed)  # delivered twice

    assert status_of(reader) == SubscriptionStatus.PAST_DUE
    assert has_access(reader)
    [notice] = inbox.to(reader.email)
    assert notice.subject.startswith("We couldn't take your payment")
    paid_through = Subscription.objects.get(user=reader).current_period_end
    assert paid_through.timestamp() == ended
    grace_end = paid_through + PAST_DUE_GRACE
    assert has_access(reader, now=grace_end - timedelta(minutes=1))
    assert not has_access(reader, now=grace_end + timedelta(minutes=1))


def test_past_due_for_longer_than_the_grace_loses_access(trialing, fake_stripe, deliver):
    reader, session = trialing
    sub_id = session["subscription"]
    # Stripe moves a subscription into its next period before it charges the
    # card, so a failed renewal still shows a period end weeks away; the grace
    # counts from the renewal, not from that.
    renewed = int(time.time()) - (PAST_DUE_GRACE.days + 1) * DAY
    fake_stripe.update_subscription(
        sub_id,
        status="past_due",
        trial_end=renewed,
        current_period_start=renewed,
        current_period_end=renewed + 30 * DAY,
    )

    deliver(event("customer.subscription.updated", fake_stripe.subscription(sub_id)))

    assert status_of(reader) == SubscriptionStatus.PAST_DUE
    assert not has_access(reader)


def test_paying_the_overdue_invoice_restores_access(trialing, fake_stripe, deliver):
    reader, session = trialing
    sub_id = session["subscription"]
    renewed = int(time.time()) - 10 * DAY
    fake_stripe.update_subscription(
        sub_id,
        status="past_due",
        current_period_start=renewed,
        current_period_end=renewed + 30 * DAY,
    )
    deliver(event("customer.subscription.updated", fake_stripe.subscription(sub_id)))
    assert not has_access(reader)

    fake_stripe.update_subscription(sub_id, status="active")
    deliver(event("invoice.paid", fake_stripe.invoice(sub_id)))

    assert status_of(reader) == SubscriptionStatus.ACTIVE
    assert has_access(reader)


def test_a_subscription_stripe_gives_up_on_is_cancelled_with_one_notice(
    trialing, fake_stripe, deliver, inbox
):
    reader, session = trialing
    sub_id = session["subscription"]
    inbox.clear()
    now = int(time.time())
    fake_stripe.update_subscription(sub_id, status="past_due", current_period_start=now - DAY)
    deliver(event("invoice.payment_failed", fake_stripe.invoice(sub_id, paid=False)))
    ended = fake_stripe.update_subscription(
        sub_id, status="canceled", canceled_at=now, ended_at=now
    )

    deleted = event("customer.subscription.deleted", ended)
    deliver(deleted)
    deliver(deleted)

    assert status_of(reader) == SubscriptionStatus.CANCELED
    assert not has_access(reader)
    failed_notice, cancelled_notice = subjects(inbox, reader)
    assert failed_notice.startswith("We couldn't take your payment")
    assert cancelled_notice.endswith("has been cancelled")


def test_a_second_trial_for_the_same_account_is_refused(
    trialing, client, fake_stripe, deliver, plans
):
    reader, session = trialing
    ended = fake_stripe.update_subscription(
        session["subscription"], status="canceled", canceled_at=int(time.time())
    )
    deliver(event("customer.subscription.deleted", ended))
    assert not has_access(reader)

    start_stripe_checkout(client, plans["Yearly"])

    params = fake_stripe.last_checkout_params()
    assert "trial_period_days" not in params["subscription_data"]
    assert params["customer"] == session["customer"]  # the same Stripe customer again
    assert "customer_email" not in params


def test_a_trial_cancelled_before_it_ends_still_counts_as_used(
    trialing, client, fake_stripe, deliver, plans, committed
):
    reader, session = trialing
    with committed():
        client.post("/account/cancel/")
    ended = fake_stripe.update_subscription(session["subscription"], status="canceled")
    deliver(event("customer.subscription.deleted", ended))

    start_stripe_checkout(client, plans["Monthly"])

    assert "trial_period_days" not in fake_stripe.last_checkout_params()["subscription_data"]


def test_a_subscription_on_a_customer_we_know_belongs_to_that_customers_account(
    trialing, fake_stripe, deliver, make_reader, plans
):
    # A Stripe customer is one account here (one row per customer id). If a
    # checkout started by another account comes back on that customer (the
    # same card holder, a second e-mail address), the subscription and its
    # trial are the customer's account's: the other account gets nothing, and
    # the customer's account still gets no second trial.
    owner, session = trialing
    other = make_reader()
    second = fake_stripe.add_subscription(
        customer=session["customer"],
        price=plans["Weekly"].stripe_price_id,
        user_id=other.pk,
        trial_days=14,
    )

    assert deliver(event("customer.subscription.created", second)).status_code == 200

    assert not has_access(other)
    assert not Subscription.objects.filter(user=other).exists()
    assert not Customer.objects.filter(user=other).exists()
    assert Subscription.objects.filter(user=owner).count() == 2
    owner_client = Client()
    owner_client.force_login(owner)
    for sub in (session["subscription"], second["id"]):
        fake_stripe.update_subscription(sub, status="canceled")
        deliver(event("customer.subscription.deleted", fake_stripe.subscription(sub)))
    start_stripe_checkout(owner_client, plans["Monthly"])
    assert "trial_period_days" not in fake_stripe.last_checkout_params()["subscription_data"]


def test_an_account_that_never_had_a_trial_gets_one(client, make_reader, fake_stripe, plans):
    reader = make_reader()
    client.force_login(reader)
    Subscription.objects.create(
        user=reader,
        plan=plans["Monthly"],
        status=SubscriptionStatus.CANCELED,
        provider="stripe",
        provider_subscription_id="sub_test_paid_without_trial",
        current_period_end=timezone.now() - timedelta(days=40),
    )

    start_stripe_checkout(client, plans["Monthly"])

    assert fake_stripe.last_checkout_params()["subscription_data"]["trial_period_days"] == "14"


# Second trials through several checkout sessions


def trial_ended_at_stripe(fake_stripe, sub_id: str) -> bool:
    return any(
        call.params.get("trial_end") == "now"
        for call in fake_stripe.requests_to("POST", f"/v1/subscriptions/{sub_id}")
    )


def test_two_checkout_sessions_opened_before_either_completes_give_one_trial(
    client, make_reader, fake_stripe, plans, deliver, inbox
):
    # The attack: open checkout in two tabs before paying in either. Both sessions
    # were created while the account still had its trial, so both carry it.
    reader = make_reader()
    client.force_login(reader)
    first_id = start_stripe_checkout(client, plans["Monthly"])
    second_id = start_stripe_checkout(client, plans["Yearly"])
    offered = fake_stripe.requests_to("POST", "/v1/checkout/sessions")
    assert [c.params["subscription_data"]["trial_period_days"] for c in offered] == ["14", "14"]

    first = fake_stripe.complete_checkout(first_id)
    assert deliver(event("checkout.session.completed", first)).status_code == 200
    second = fake_stripe.complete_checkout(second_id, customer=first["customer"])
    assert deliver(event("checkout.session.completed", second)).status_code == 200

    trialing = Subscription.objects.get(user=reader, status=SubscriptionStatus.TRIALING)
    assert trialing.provider_subscription_id == first["subscription"]
    paid = Subscription.objects.get(user=reader, provider_subscription_id=second["subscription"])
    assert paid.status == SubscriptionStatus.ACTIVE
    assert paid.trial_end <= timezone.now()
    assert trial_ended_at_stripe(fake_stripe, second["subscription"])
    assert fake_stripe.subscription(second["subscription"])["status"] == "active"
    assert not trial_ended_at_stripe(fake_stripe, first["subscription"])
    assert len(inbox.to(reader.email)) == 1  # one welcome


def test_a_session_completed_after_the_trial_was_cancelled_gets_no_trial(
    client, make_reader, fake_stripe, deliver, plans, inbox
):
    # A session opened before the first trial began (so created with a trial) and
    # completed after that trial was cancelled: the trial was used, whatever the
    # session says, even though the reader has no access left at that moment.
    reader = make_reader()
    client.force_login(reader)
    first_id = start_stripe_checkout(client, plans["Monthly"])
    late_id = start_stripe_checkout(client, plans["Weekly"])
    first = fake_stripe.complete_checkout(first_id)
    deliver(event("checkout.session.completed", first))
    ended = fake_stripe.update_subscription(
        first["subscription"], status="canceled", canceled_at=int(time.time())
    )
    deliver(event("customer.subscription.deleted", ended))
    assert not has_access(reader)

    late = fake_stripe.complete_checkout(late_id, customer=first["customer"])
    created = event("customer.subscription.created", fake_stripe.subscription(late["subscription"]))
    assert deliver(created).status_code == 200

    sub = Subscription.objects.get(provider_subscription_id=late["subscription"])
    assert sub.status == SubscriptionStatus.ACTIVE
    assert trial_ended_at_stripe(fake_stripe, late["subscription"])
    assert has_access(reader)  # paid, from today


def test_a_second_trial_on_the_same_stripe_customer_is_ended_at_stripe(
    trialing, fake_stripe, deliver, make_reader, plans
):
    # Another account's checkout that comes back on this customer (the same card
    # holder) belongs to the customer's account, which has had its trial.
    owner, session = trialing
    second = fake_stripe.add_subscription(
        customer=session["customer"],
        price=plans["Weekly"].stripe_price_id,
        user_id=make_reader().pk,
        trial_days=14,
    )

    assert deliver(event("customer.subscription.created", second)).status_code == 200

    assert trial_ended_at_stripe(fake_stripe, second["id"])
    assert Subscription.objects.get(provider_subscription_id=second["id"]).status == "active"
    assert Subscription.objects.filter(user=owner, status="trialing").count() == 1


def test_a_redelivered_event_for_the_trial_holder_keeps_its_trial(trialing, fake_stripe, deliver):
    reader, session = trialing
    sub = fake_stripe.subscription(session["subscription"])

    assert deliver(event("customer.subscription.updated", sub)).status_code == 200

    assert status_of(reader) == SubscriptionStatus.TRIALING
    assert not trial_ended_at_stripe(fake_stripe, session["subscription"])
    assert TrialClaim.objects.get(user=reader).provider_subscription_id == sub["id"]
