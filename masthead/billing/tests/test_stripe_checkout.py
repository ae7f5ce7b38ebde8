"""Stripe Checkout, the success page and the customer portal, through HTTP.

The real ``stripe`` SDK sends its requests to the fake Stripe server, which
records them; the tests read back what Stripe would have been asked.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from masthead.billing import providers
from masthead.billing.models import Customer, Subscription, SubscriptionStatus
from masthead.billing.tests.helpers import (
    API_KEY,
    PRICES,
    event,
    has_access,
    start_stripe_checkout,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client, make_reader, fake_stripe, plans):
    reader = make_reader()
    client.force_login(reader)
    return reader


def subscribed(client, fake_stripe, deliver, plan) -> dict:
    """Checkout, pay on Stripe's page, and the webhook; the completed session."""
    session = fake_stripe.complete_checkout(start_stripe_checkout(client, plan))
    assert deliver(event("checkout.session.completed", session)).status_code == 200
    return session


def test_checkout_is_a_subscription_mode_session_with_the_trial_and_the_reader(
    client, reader, fake_stripe, plans
):
    response = client.post("/billing/checkout/", {"plan": plans["Monthly"].pk, "next": "/"})

    assert response.status_code == 302
    [call] = fake_stripe.requests_to("POST", "/v1/checkout/sessions")
    assert call.headers["authorization"] == f"Bearer {API_KEY}"
    [created] = fake_stripe.checkout_sessions.values()
    assert response["Location"] == created["url"]
    params = call.params
    assert params["mode"] == "subscription"
    assert params["line_items"] == [{"price": PRICES["Monthly"], "quantity": "1"}]
    assert params["client_reference_id"] == str(reader.pk)
    assert params["subscription_data"]["trial_period_days"] == str(plans["Monthly"].trial_days)
    assert params["subscription_data"]["metadata"] == {"user_id": str(reader.pk)}
    assert params["customer_email"] == reader.email
    assert "customer" not in params
    success = urlsplit(params["success_url"])
    assert success.path == "/billing/checkout/success/"
    assert parse_qs(success.query) == {"next": ["/"], "session_id": ["{CHECKOUT_SESSION_ID}"]}


def test_checkout_starts_nothing_without_a_verified_event(client, reader, fake_stripe, plans):
    session_id = start_stripe_checkout(client, plans["Weekly"])
    fake_stripe.complete_checkout(session_id)

    assert not Subscription.objects.filter(user=reader).exists()
    assert not has_access(reader)


def test_the_success_url_grants_nothing_even_for_the_readers_own_session(
    client, reader, fake_stripe, plans
):
    session = fake_stripe.complete_checkout(start_stripe_checkout(client, plans["Monthly"]))
    calls = len(fake_stripe.calls)

    page = client.get(f"/billing/checkout/success/?next=/&session_id={session['id']}")

    assert page.status_code == 200
    assert "confirming your payment" in page.content.decode()
    assert not has_access(reader)
    assert not Subscription.objects.filter(user=reader).exists()
    assert len(fake_stripe.calls) == calls


def test_another_readers_session_id_on_the_success_url_grants_nothing(
    client, reader, fake_stripe, plans, make_reader, deliver
):
    victim_client = Client()
    victim = make_reader()
    victim_client.force_login(victim)
    theirs = fake_stripe.complete_checkout(start_stripe_checkout(victim_client, plans["Yearly"]))
    deliver(event("checkout.session.completed", theirs))
    assert has_access(victim)

    page = client.get(f"/billing/checkout/success/?session_id={theirs['id']}")

    assert page.status_code == 200
    assert not has_access(reader)
    assert not Subscription.objects.filter(user=reader).exists()
    assert not Customer.objects.filter(user=reader).exists()


def test_the_success_page_needs_a_logged_in_reader(fake_stripe):
    response = Client().get("/billing/checkout/success/?session_id=cs_test_x")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_subscriber_cannot_start_a_second_checkout(client, reader, fake_stripe, plans, deliver):
    subscribed(client, fake_stripe, deliver, plans["Monthly"])

    response = client.post("/billing/checkout/", {"plan": plans["Yearly"].pk})

    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert len(fake_stripe.requests_to("POST", "/v1/checkout/sessions")) == 1


def test_checkout_needs_an_account_first(fake_stripe, plans):
    response = Client().post("/billing/checkout/", {"plan": plans["Monthly"].pk})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/signup/")
    assert fake_stripe.calls == []


def test_checkout_of_a_plan_no_longer_on_sale_is_refused(client, reader, fake_stripe, plans):
    plans["Weekly"].active = False
    plans["Weekly"].save(update_fields=["active"])

    response = client.post("/billing/checkout/", {"plan": plans["Weekly"].pk})

    assert response.status_code == 302
    assert response["Location"].startswith("/subscribe/")
    assert fake_stripe.calls == []


def test_the_portal_sends_the_reader_to_stripes_portal_for_their_own_customer(
    client, reader, fake_stripe, plans, deliver
):
    session = subscribed(client, fake_stripe, deliver, plans["Monthly"])

    response = client.post("/billing/portal/")

    assert response.status_code == 302
    [portal] = fake_stripe.portal_sessions
    assert response["Location"] == portal["url"]
    assert response["Location"].startswith("https://billing.stripe.test/")
    assert portal["customer"] == session["customer"]
    assert portal["return_url"] == "http://testserver/account/"


def test_the_portal_without_a_subscription_goes_to_the_plans(client, reader, fake_stripe):
    response = client.post("/billing/portal/")

    assert response.status_code == 302
    assert response["Location"] == "/subscribe/"
    assert fake_stripe.portal_sessions == []


def test_the_portal_takes_only_post(client, reader, fake_stripe):
    assert client.get("/billing/portal/").status_code == 405


def test_a_finished_checkout_can_be_read_server_side(client, reader, fake_stripe, plans):
    session = fake_stripe.complete_checkout(start_stripe_checkout(client, plans["Monthly"]))

    found = providers.get("stripe").checkout_session_customer(session["id"])

    assert found == (session["customer"], session["subscription"])
    assert fake_stripe.requests_to("GET", f"/v1/checkout/sessions/{session['id']}")


def test_cancelling_at_stripe_keeps_access_until_the_period_ends(
    client, reader, fake_stripe, plans, deliver, inbox, committed
):
    session = subscribed(client, fake_stripe, deliver, plans["Monthly"])
    sub_id = session["subscription"]
    fake_stripe.update_subscription(sub_id, status="active")

    with committed():
        response = client.post("/account/cancel/")

    assert response.status_code == 302
    [update] = fake_stripe.requests_to("POST", f"/v1/subscriptions/{sub_id}")
    assert update.params == {"cancel_at_period_end": "true"}
    sub = Subscription.objects.get(user=reader)
    assert sub.cancel_at_period_end
    assert sub.status == SubscriptionStatus.ACTIVE
    assert has_access(reader)
    # Stripe announces the change too: no second notice.
    deliver(event("customer.subscription.updated", fake_stripe.subscription(sub_id)))
    ended = fake_stripe.update_subscription(sub_id, status="canceled")
    deliver(event("customer.subscription.deleted", ended))

    assert Subscription.objects.get(user=reader).status == SubscriptionStatus.CANCELED
    assert not has_access(reader)
    subjects = [m.subject for m in inbox.to(reader.email)]
    assert len(subjects) == 2
    assert subjects[0].startswith("Welcome to")
    assert subjects[1].endswith("has been cancelled")


def test_resuming_at_stripe_undoes_the_cancellation(
    client, reader, fake_stripe, plans, deliver, committed
):
    session = subscribed(client, fake_stripe, deliver, plans["Monthly"])
    with committed():
        client.post("/account/cancel/")
        client.post("/account/resume/")

    sub_calls = fake_stripe.requests_to("POST", f"/v1/subscriptions/{session['subscription']}")
    assert [c.params for c in sub_calls] == [
        {"cancel_at_period_end": "true"},
        {"cancel_at_period_end": "false"},
    ]
    assert not Subscription.objects.get(user=reader).cancel_at_period_end


@pytest.mark.parametrize("plan", ["", "abc", "1.5", "-1", "99999999999999999999999"])
def test_a_malformed_plan_goes_back_to_the_plans_never_a_500(client, reader, fake_stripe, plan):
    client.raise_request_exception = False

    response = client.post("/billing/checkout/", {"plan": plan})

    assert response.status_code == 302
    assert response["Location"].startswith("/subscribe/")
    assert fake_stripe.calls == []
