"""Newsletters' tests: a real SMTP server, subscribers, paying readers, the editor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from masthead.billing.models import Plan, Subscription, SubscriptionStatus
from masthead.newsletters.models import Audience, Newsletter, NewsletterSubscription
from tests.support.smtp import SmtpServer


@pytest.fixture
def smtp(settings):
    server = SmtpServer().start()
    for name, value in server.django_settings().items():
        setattr(settings, name, value)
    settings.NEWSLETTER_RATE_PER_MINUTE = 0
    # One connection, in the test's own thread: threads would not see the test's
    # uncommitted rows. The threaded sending runs in test_worker_kill's real worker.
    settings.NEWSLETTER_CONNECTIONS = 1
    yield server
    server.stop()


@pytest.fixture
def newsletter(db) -> Newsletter:
    return Newsletter.objects.create(
        name="The Test Brief", slug="test-brief", description="Tests.", audience=Audience.EVERYONE
    )


def reader(name: str, *, paid: bool = False):
    user = get_user_model().objects.create_user(name, f"{name}@example.org", "a long pass 42")
    if paid:
        Subscription.objects.create(
            user=user,
            plan=Plan.objects.order_by("pk").first(),
            status=SubscriptionStatus.ACTIVE,
            current_period_end=timezone.now() + timedelta(days=30),
        )
    return user


def subscribe(newsletter: Newsletter, email: str, user=None) -> NewsletterSubscription:
    return NewsletterSubscription.objects.create(newsletter=newsletter, email=email, user=user)


@pytest.fixture
def editor(db) -> Client:
    user = get_user_model().objects.create_superuser("ed", "ed@example.org", "a long pass 42")
    client = Client()
    client.force_login(user)
    return client
