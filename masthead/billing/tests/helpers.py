"""Constants and small helpers shared by billing's tests (fixtures live in conftest)."""

from __future__ import annotations

import itertools
import json
import uuid
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model

from masthead.billing import entitlements
from tests.support.fake_stripe import event, sign

API_KEY = "sk_test_masthead_fake"
WEBHOOK_SECRET = "whsec_test_masthead_fake"
WEBHOOK_URL = "/billing/webhooks/stripe/"
PRICES = {
    "Weekly": "price_test_weekly",
    "Monthly": "price_test_monthly",
    "Yearly": "price_test_yearly",
}
_numbers = itertools.count(1)

__all__ = [
    "API_KEY",
    "PRICES",
    "WEBHOOK_SECRET",
    "WEBHOOK_URL",
    "event",
    "has_access",
    "new_reader",
    "sign",
    "signed_post",
    "start_stripe_checkout",
]


def new_reader(email: str | None = None):
    email = email or f"reader{next(_numbers)}-{uuid.uuid4().hex[:8]}@example.com"
    # No password: tests log in with force_login, and hashing one costs a quarter second.
    return get_user_model().objects.create_user(username=email.split("@")[0][:150], email=email)


def has_access(user, **kwargs) -> bool:
    return entitlements.for_user(user, **kwargs).paid_access


def signed_post(client, payload: str, *, secret: str = WEBHOOK_SECRET, timestamp=None, **extra):
    """POST a raw body to the webhook as Stripe does, with a signature made by the
    SDK's own scheme (``t=<ts>,v1=<hmac_sha256(secret, "<ts>.<body>")>``)."""
    headers = {"HTTP_STRIPE_SIGNATURE": sign(payload, secret, timestamp=timestamp)}
    headers.update(extra)
    headers = {k: v for k, v in headers.items() if v is not None}
    return client.post(WEBHOOK_URL, data=payload, content_type="application/json", **headers)


def encode(evt: dict) -> str:
    return json.dumps(evt)


def start_stripe_checkout(client, plan) -> str:
    """POST the subscribe form as the logged-in reader; the Stripe Checkout session id."""
    response = client.post("/billing/checkout/", {"plan": plan.pk, "next": "/"})
    assert response.status_code == 302, response
    url = response["Location"]
    assert url.startswith("https://checkout.stripe.test/c/pay/"), url
    return urlsplit(url).path.rsplit("/", 1)[-1]
