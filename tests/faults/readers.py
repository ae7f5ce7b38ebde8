"""Readers for the fault tests, made in the cluster's database through the project's models.

Run with the cluster's environment (``python tests/faults/readers.py COMMAND ...``); prints
JSON on stdout:

``subscribers COUNT``
    COUNT verified subscribers, each with a logged-in session; the demo's plans get the
    Stripe price ids the fake Stripe knows. ``{"sessions": [cookie, ...], "user_id": id}``,
    ``user_id`` a reader without a subscription, for Stripe to subscribe.
``recorded``
    What the database holds: ``{"comments": [body, ...], "webhooks": {event_id:
    [status, attempts]}, "subscriptions": [provider id, ...]}`` (bodies of comments made
    by these readers only, events and subscriptions from Stripe only).
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from datetime import timedelta
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRICES = {"Weekly": "price_test_weekly", "Monthly": "price_test_monthly"}
PREFIX = "fault-reader-"


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    import django

    django.setup()


def subscribers(count: int) -> dict:
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.utils import timezone

    from masthead.billing.models import Plan, Subscription, SubscriptionStatus

    for name, price in PRICES.items():
        Plan.objects.filter(name=name).update(stripe_price_id=price, active=True)
    users = get_user_model().objects
    store = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = []
    for _ in range(count):
        email = f"{PREFIX}{uuid.uuid4().hex[:10]}@example.org"
        user = users.create_user(username=email.split("@")[0], email=email, first_name="Fault")
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        Subscription.objects.create(
            user=user,
            plan=Plan.objects.get(name="Monthly"),
            status=SubscriptionStatus.ACTIVE,
            current_period_end=timezone.now() + timedelta(days=30),
        )
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        sessions.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    email = f"{PREFIX}{uuid.uuid4().hex[:10]}@example.org"
    stripe_reader = users.create_user(username=email.split("@")[0], email=email)
    return {"sessions": sessions, "user_id": stripe_reader.pk}


def recorded() -> dict:
    from masthead.billing.models import Subscription, WebhookEvent
    from masthead.comments.models import Comment

    comments = Comment.objects.filter(author__email__startswith=PREFIX)
    events = WebhookEvent.objects.filter(provider="stripe")
    return {
        "comments": list(comments.values_list("body_markdown", flat=True)),
        "webhooks": {e.event_id: [e.status, e.attempts] for e in events},
        "subscriptions": list(
            Subscription.objects.filter(provider="stripe").values_list(
                "provider_subscription_id", flat=True
            )
        ),
    }


def main(argv: list[str]) -> int:
    _setup()
    result = subscribers(int(argv[1])) if argv[0] == "subscribers" else recorded()
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
