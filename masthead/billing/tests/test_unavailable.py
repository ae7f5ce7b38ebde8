"""Stripe down or slow, and a payment provider written as a person would write it.

The reader presses "Subscribe" while Stripe cannot be reached (a closed port)
or does not answer within the timeout (the fake holds its reply): they get a
503 page that says payments are unavailable, and nothing is started.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from masthead.billing.models import Customer, Subscription, TrialClaim
from masthead.insights import events
from masthead.insights.models import ReaderEvent

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
UNAVAILABLE = "Payments are unavailable"


@pytest.fixture
def reader(client, make_reader, fake_stripe, plans):
    reader = make_reader()
    client.force_login(reader)
    return reader


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there once the socket is closed


def assert_nothing_started(reader) -> None:
    events.flush()
    assert not Subscription.objects.filter(user=reader).exists()
    assert not Customer.objects.filter(user=reader).exists()
    assert not TrialClaim.objects.filter(user=reader).exists()
    assert not ReaderEvent.objects.filter(kind="checkout_started").exists()


def assert_payments_unavailable_page(response) -> None:
    assert response.status_code == 503
    text = response.content.decode()
    assert UNAVAILABLE in text
    assert "try again in a few minutes" in text
    assert int(response["Retry-After"]) > 0


def test_checkout_while_stripe_is_unreachable_says_payments_are_unavailable(
    client, reader, plans, settings
):
    events.flush()
    ReaderEvent.objects.filter(kind="checkout_started").delete()
    settings.STRIPE_API_BASE = closed_port_url()

    response = client.post("/billing/checkout/", {"plan": plans["Monthly"].pk, "next": "/"})

    assert_payments_unavailable_page(response)
    assert_nothing_started(reader)


def test_checkout_while_stripe_hangs_past_the_timeout_says_payments_are_unavailable(
    client, reader, plans, settings, fake_stripe
):
    events.flush()
    ReaderEvent.objects.filter(kind="checkout_started").delete()
    settings.STRIPE_TIMEOUT = 0.5
    # The first try and the SDK's one retry both hang; a third would be answered.
    holds = [fake_stripe.hold_next("POST", "/v1/checkout/sessions") for _ in range(2)]
    started = time.monotonic()
    try:
        response = client.post("/billing/checkout/", {"plan": plans["Monthly"].pk, "next": "/"})
    finally:
        for hold in holds:
            hold.release()
    waited = time.monotonic() - started

    assert_payments_unavailable_page(response)
    assert waited < 5, f"the reader waited {waited:.1f}s"
    assert_nothing_started(reader)
    tries = fake_stripe.requests_to("POST", "/v1/checkout/sessions")
    assert len(tries) == 2
    # One idempotency key for both: the late answers make one session at most, which
    # nobody was sent to and which Stripe expires.
    assert len({call.headers.get("idempotency-key") for call in tries}) == 1


def test_after_an_outage_the_same_checkout_works(client, reader, plans, settings, fake_stripe):
    real_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = closed_port_url()
    assert client.post("/billing/checkout/", {"plan": plans["Yearly"].pk}).status_code == 503

    settings.STRIPE_API_BASE = real_base
    response = client.post("/billing/checkout/", {"plan": plans["Yearly"].pk})

    assert response.status_code == 302
    assert urlsplit(response["Location"]).netloc == "checkout.stripe.test"


def test_the_portal_while_stripe_is_unreachable_says_payments_are_unavailable(
    client, reader, plans, settings
):
    Subscription.objects.create(
        user=reader,
        plan=plans["Monthly"],
        status="active",
        provider="stripe",
        provider_subscription_id="sub_test_portal_outage",
    )
    Customer.objects.create(user=reader, provider="stripe", provider_customer_id="cus_outage")
    settings.STRIPE_API_BASE = closed_port_url()

    assert_payments_unavailable_page(client.post("/billing/portal/"))


# PAYMENT_PROVIDER


def test_a_payment_provider_in_mixed_case_is_the_provider_not_a_500(
    client, make_reader, plans, settings
):
    settings.PAYMENT_PROVIDER = "TestMode"
    client.force_login(make_reader())

    response = client.post("/billing/checkout/", {"plan": plans["Monthly"].pk, "next": "/"})

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/billing/test-checkout/"
    call_command("check")  # no error either


def test_an_unknown_payment_provider_fails_the_system_check(settings):
    settings.PAYMENT_PROVIDER = "PayPal"

    with pytest.raises(SystemCheckError, match="billing.E001"):
        call_command("check")


def test_production_refuses_the_test_mode_provider_in_any_case(tmp_path):
    env = {
        **os.environ,
        "MASTHEAD_MODE": "production",
        "SECRET_KEY": "k" * 20 + "a-real-production-secret-key-with-entropy-8f3Jq!zP",
        "ALLOWED_HOSTS": "news.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MASTHEAD_VAR_DIR": str(tmp_path),
        "STRIPE_SECRET_KEY": "sk_live_placeholder",
        "STRIPE_WEBHOOK_SECRET": "whsec_placeholder",
        "PAYMENT_PROVIDER": " TestMode",
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.returncode != 0
    assert "PAYMENT_PROVIDER=testmode is refused in production" in result.stderr
