"""The test-mode provider, as a logged-in reader and a tester drive it over HTTP.

Its checkout and portal announce every change as Stripe-shaped events handed
to the same service as Stripe's webhooks, so each step here also walks the
event path (stored event rows, locks, e-mails after commit).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from masthead.billing.models import EventStatus, Subscription, SubscriptionStatus, WebhookEvent
from masthead.billing.tests.helpers import has_access

pytestmark = pytest.mark.django_db

BANNER = "Test mode — no card is charged"


@pytest.fixture
def reader(client, make_reader, testmode_settings, plans):
    reader = make_reader()
    client.force_login(reader)
    return reader


def start_checkout(client, plan) -> str:
    response = client.post("/billing/checkout/", {"plan": plan.pk, "next": "/"})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/billing/test-checkout/"
    return parse_qs(location.query)["token"][0]


def complete_checkout(client, token, committed):
    with committed():
        return client.post("/billing/test-checkout/", {"token": token})


def act(client, committed, action: str):
    with committed():
        response = client.post("/billing/test-portal/", {"action": action})
    assert response.status_code == 302, response.content
    return response


def subscription_of(reader) -> Subscription:
    return Subscription.objects.get(user=reader)


def test_checkout_in_test_mode_says_so_and_starts_a_trial(client, reader, plans, inbox, committed):
    token = start_checkout(client, plans["Monthly"])

    page = client.get(f"/billing/test-checkout/?token={token}")

    assert page.status_code == 200
    text = page.content.decode()
    assert BANNER in text
    assert "Your first 14 days are free" in text
    assert not Subscription.objects.filter(user=reader).exists()

    done = complete_checkout(client, token, committed)

    assert done.status_code == 302
    assert urlsplit(done["Location"]).path == "/billing/checkout/success/"
    sub = subscription_of(reader)
    assert (sub.provider, sub.status) == ("testmode", SubscriptionStatus.TRIALING)
    assert sub.plan == plans["Monthly"]
    assert has_access(reader)
    assert set(WebhookEvent.objects.values_list("provider", "type", "status")) == {
        ("testmode", "checkout.session.completed", EventStatus.PROCESSED),
        ("testmode", "customer.subscription.created", EventStatus.PROCESSED),
    }
    [welcome] = inbox.to(reader.email)
    assert welcome.subject.startswith("Welcome to")
    assert client.get(done["Location"]).status_code == 302  # the success page moves on


def test_posting_the_same_checkout_twice_makes_one_subscription(
    client, reader, plans, inbox, committed
):
    token = start_checkout(client, plans["Weekly"])

    complete_checkout(client, token, committed)
    again = complete_checkout(client, token, committed)

    assert again["Location"] == "/account/"
    assert Subscription.objects.filter(user=reader).count() == 1
    assert len(inbox.to(reader.email)) == 1


def test_another_readers_checkout_token_is_refused(client, reader, plans, make_reader):
    token = start_checkout(client, plans["Yearly"])
    thief, thief_client = make_reader(), Client()
    thief_client.force_login(thief)

    assert thief_client.get(f"/billing/test-checkout/?token={token}").status_code == 403
    assert thief_client.post("/billing/test-checkout/", {"token": token}).status_code == 403
    assert not Subscription.objects.filter(user__in=[reader, thief]).exists()


def test_an_edited_checkout_token_is_refused(client, reader, plans):
    token = start_checkout(client, plans["Yearly"])

    response = client.post("/billing/test-checkout/", {"token": token[:-2] + "xx"})

    assert response.status_code == 400
    assert not Subscription.objects.filter(user=reader).exists()


def test_a_tester_walks_a_subscription_through_every_state(client, reader, plans, inbox, committed):
    complete_checkout(client, start_checkout(client, plans["Monthly"]), committed)
    portal = client.get("/billing/test-portal/")
    assert portal.status_code == 200
    assert BANNER in portal.content.decode()

    act(client, committed, "trial_will_end")
    act(client, committed, "trial_will_end")
    assert subscription_of(reader).status == SubscriptionStatus.TRIALING

    act(client, committed, "end_trial")
    assert subscription_of(reader).status == SubscriptionStatus.ACTIVE
    assert has_access(reader)

    act(client, committed, "fail_payment")
    assert subscription_of(reader).status == SubscriptionStatus.PAST_DUE
    assert has_access(reader)  # within the grace

    act(client, committed, "pay")
    assert subscription_of(reader).status == SubscriptionStatus.ACTIVE

    act(client, committed, "cancel_now")
    assert subscription_of(reader).status == SubscriptionStatus.CANCELED
    assert not has_access(reader)

    subjects = [m.subject for m in inbox.to(reader.email)]
    assert len(subjects) == 4, subjects
    assert subjects[0].startswith("Welcome to")
    assert subjects[1].endswith("ends in 3 days")
    assert subjects[2].startswith("We couldn't take your payment")
    assert subjects[3].endswith("has been cancelled")
    assert not WebhookEvent.objects.exclude(status=EventStatus.PROCESSED).exists()


def test_cancelling_from_the_account_keeps_access_until_the_period_ends(
    client, reader, plans, inbox, committed
):
    complete_checkout(client, start_checkout(client, plans["Monthly"]), committed)
    act(client, committed, "end_trial")
    period_end = subscription_of(reader).current_period_end

    with committed():
        response = client.post("/account/cancel/", follow=True)

    assert response.status_code == 200
    assert "You keep full access until" in response.content.decode()
    sub = subscription_of(reader)
    assert sub.cancel_at_period_end
    assert sub.status == SubscriptionStatus.ACTIVE
    assert sub.current_period_end == period_end
    assert has_access(reader)

    act(client, committed, "end_period")

    assert subscription_of(reader).status == SubscriptionStatus.CANCELED
    assert not has_access(reader)
    subjects = [m.subject for m in inbox.to(reader.email)]
    assert len(subjects) == 2  # welcome, and one cancellation notice
    assert subjects[1].endswith("has been cancelled")


def test_cancel_asks_first_and_only_the_confirmation_post_cancels(
    client, reader, plans, inbox, committed
):
    complete_checkout(client, start_checkout(client, plans["Monthly"]), committed)
    account = client.get("/account/").content.decode()
    # The account page links to the question; no form there cancels in one click.
    assert '<a class="button button--secondary" href="/account/cancel/">' in account
    assert 'action="/account/cancel/"' not in account

    question = client.get("/account/cancel/")

    assert question.status_code == 200
    text = question.content.decode()
    assert "Cancel your subscription?" in text
    assert "You keep full access until" in text
    assert 'method="post" action="/account/cancel/"' in text
    assert 'name="csrfmiddlewaretoken"' in text
    assert 'href="/account/">Keep my subscription</a>' in text
    assert not subscription_of(reader).cancel_at_period_end

    with committed():
        done = client.post("/account/cancel/")

    assert (done.status_code, done["Location"]) == (302, "/account/")
    assert subscription_of(reader).cancel_at_period_end
    # Once cancelled there is nothing to confirm: back to the account page.
    assert client.get("/account/cancel/")["Location"] == "/account/"


def test_the_cancel_confirmation_needs_a_subscription_and_a_csrf_token(reader, plans):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(reader)

    assert csrf_client.get("/account/cancel/")["Location"] == "/account/"
    assert csrf_client.post("/account/cancel/").status_code == 403


def test_a_second_trial_is_refused_in_test_mode_too(client, reader, plans, committed):
    complete_checkout(client, start_checkout(client, plans["Monthly"]), committed)
    act(client, committed, "cancel_now")

    token = start_checkout(client, plans["Monthly"])
    page = client.get(f"/billing/test-checkout/?token={token}")
    complete_checkout(client, token, committed)

    assert "days are free" not in page.content.decode()
    latest = Subscription.objects.filter(user=reader).latest("created_at")
    assert latest.status == SubscriptionStatus.ACTIVE
    assert has_access(reader)


def test_an_unknown_tester_action_is_refused(client, reader, plans, committed):
    complete_checkout(client, start_checkout(client, plans["Monthly"]), committed)

    assert client.post("/billing/test-portal/", {"action": "free_forever"}).status_code == 400
    assert subscription_of(reader).status == SubscriptionStatus.TRIALING


def test_the_test_mode_pages_do_not_exist_when_stripe_is_the_provider(
    client, make_reader, fake_stripe
):
    client.force_login(make_reader())

    assert client.get("/billing/test-checkout/?token=x").status_code == 404
    assert client.get("/billing/test-portal/").status_code == 404
    assert client.post("/billing/test-portal/", {"action": "pay"}).status_code == 404


def test_a_test_checkout_token_replayed_after_its_subscription_ended_makes_nothing(
    client, reader, plans, committed
):
    # The guard "already subscribed" is gone once the subscription ends; the token
    # itself must be spent, as a completed Stripe Checkout Session is.
    token = start_checkout(client, plans["Monthly"])
    complete_checkout(client, token, committed)
    act(client, committed, "cancel_now")
    assert not has_access(reader)

    again = complete_checkout(client, token, committed)

    assert again["Location"] == "/account/"
    assert Subscription.objects.filter(user=reader).count() == 1
