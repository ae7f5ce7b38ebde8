"""Billing's test harness: a fake Stripe API, a real SMTP server, signed webhooks.

Everything crosses a real socket: the ``stripe`` SDK calls the fake Stripe
server over HTTP, webhooks are POSTed through the Django test client with a
``Stripe-Signature`` made by the SDK's own scheme, and e-mails leave Django
through the SMTP backend for an aiosmtpd server.
"""

from __future__ import annotations

import pytest
from django.test import Client

from masthead.billing.models import Plan
from masthead.billing.tests.helpers import (
    API_KEY,
    PRICES,
    WEBHOOK_SECRET,
    encode,
    new_reader,
    signed_post,
)
from tests.support.fake_stripe import FakeStripe
from tests.support.smtp import SmtpServer


@pytest.fixture(scope="session")
def fake_stripe_server():
    server = FakeStripe(API_KEY).start()
    yield server
    server.stop()


@pytest.fixture
def stripe_settings(settings, fake_stripe_server):
    """Billing configured for Stripe, with the SDK pointed at the fake."""
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake_stripe_server.url
    return settings


@pytest.fixture
def fake_stripe(fake_stripe_server, stripe_settings):
    """The fake Stripe API, emptied for this test."""
    fake_stripe_server.reset()
    yield fake_stripe_server
    fake_stripe_server.reset()


@pytest.fixture
def testmode_settings(settings):
    settings.PAYMENT_PROVIDER = "testmode"
    return settings


@pytest.fixture
def plans(db) -> dict[str, Plan]:
    """The demo's plans by name, each given a Stripe price id."""
    found = {plan.name: plan for plan in Plan.objects.filter(name__in=PRICES)}
    assert set(found) == set(PRICES), "the demo's plans are missing"
    for name, plan in found.items():
        plan.stripe_price_id = PRICES[name]
        plan.active = True
        plan.save(update_fields=["stripe_price_id", "active"])
    return found


@pytest.fixture(scope="session")
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def inbox(smtp_server, settings):
    """What the real SMTP server accepted during this test."""
    for name, value in smtp_server.django_settings().items():
        setattr(settings, name, value)
    smtp_server.inbox.clear()
    yield smtp_server.inbox
    smtp_server.inbox.clear()


@pytest.fixture
def make_reader(db):
    return new_reader


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs the block's on-commit callbacks (the e-mails) at
    its end, as a real commit would; the test's own transaction never commits."""

    def _committed():
        return django_capture_on_commit_callbacks(execute=True)

    return _committed


@pytest.fixture
def deliver(fake_stripe, committed):
    """Deliver a Stripe event to the webhook, signed; returns the response.

    Stripe holds no cookie and no CSRF token, so neither does this client.
    """
    stripe_client = Client(enforce_csrf_checks=True)

    def _deliver(evt: dict, **kwargs):
        with committed():
            return signed_post(stripe_client, encode(evt), **kwargs)

    return _deliver
