"""The test-mode provider: a local checkout, clearly labelled, no card charged.

It keeps its own record of each subscription (what Stripe would hold) and
announces every change as a Stripe-shaped event delivered to the same
service that handles Stripe's webhooks, so the demo walks the real paths.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from masthead.billing.models import Interval, SubscriptionStatus, TestModeSubscription
from masthead.billing.providers.base import (
    InvalidWebhook,
    PaymentProvider,
    ProviderEvent,
    SubscriptionState,
)

CHECKOUT_SALT = "masthead.billing.testmode.checkout"
CHECKOUT_MAX_AGE = 3600
PERIODS = {
    Interval.WEEK: timedelta(days=7),
    Interval.MONTH: timedelta(days=30),
    Interval.YEAR: timedelta(days=365),
}


class CheckoutAlreadyCompleted(Exception):
    """This test checkout was completed before; it makes no second subscription."""


def customer_id_for(user) -> str:
    return f"tm_cus_{user.pk}"


class TestModeProvider(PaymentProvider):
    name = "testmode"

    def start_checkout(self, *, user, plan, customer_id, trial_days, success_url, cancel_url):
        token = signing.dumps(
            {
                "id": uuid.uuid4().hex,
                "user": user.pk,
                "plan": plan.pk,
                "trial": trial_days,
                "next": success_url,
            },
            salt=CHECKOUT_SALT,
        )
        return f"{reverse('billing:test-checkout')}?token={token}"

    @staticmethod
    def read_checkout(token: str) -> dict:
        try:
            return signing.loads(token, salt=CHECKOUT_SALT, max_age=CHECKOUT_MAX_AGE)
        except signing.BadSignature as exc:
            raise InvalidWebhook("this test checkout link is invalid or expired") from exc

    def complete_checkout(
        self, *, user, plan, trial_days: int, checkout_id: str = ""
    ) -> list[ProviderEvent]:
        """The reader confirmed: the subscription exists, and its events.

        A checkout completes once, as a Stripe Checkout Session does: the same
        ``checkout_id`` again (a double click, parallel posts) raises
        ``CheckoutAlreadyCompleted``. Call inside a transaction.
        """
        now = timezone.now()
        trial_end = now + timedelta(days=trial_days) if trial_days else None
        try:
            with transaction.atomic():
                remote = TestModeSubscription.objects.create(
                    user=user,
                    plan=plan,
                    status=SubscriptionStatus.TRIALING if trial_days else SubscriptionStatus.ACTIVE,
                    trial_end=trial_end,
                    current_period_end=trial_end or now + PERIODS[plan.interval],
                    checkout_id=checkout_id,
                )
        except IntegrityError as exc:
            raise CheckoutAlreadyCompleted(checkout_id) from exc
        return [
            self._event("checkout.session.completed", remote, user_id=user.pk),
            self._event("customer.subscription.created", remote, user_id=user.pk),
        ]

    def portal_url(self, *, customer_id, return_url):
        return reverse("billing:test-portal")

    def parse_webhook(self, *, payload, headers):
        raise InvalidWebhook("the test-mode provider sends no webhooks over HTTP")

    def _remote(self, subscription_id: str) -> TestModeSubscription:
        return TestModeSubscription.objects.get(pk=int(subscription_id.removeprefix("tm_sub_")))

    def _state(self, remote: TestModeSubscription) -> SubscriptionState:
        return SubscriptionState(
            provider=self.name,
            subscription_id=remote.provider_id,
            customer_id=customer_id_for(remote.user),
            status=remote.status,
            price_ref=str(remote.plan_id),
            user_id=remote.user_id,
            current_period_end=remote.current_period_end,
            trial_end=remote.trial_end,
            cancel_at_period_end=remote.cancel_at_period_end,
            canceled_at=remote.canceled_at,
        )

    def fetch_subscription(self, subscription_id):
        return self._state(self._remote(subscription_id))

    def set_cancel_at_period_end(self, subscription_id, cancel):
        remote = self._remote(subscription_id)
        remote.cancel_at_period_end = cancel
        remote.save(update_fields=["cancel_at_period_end"])
        return self._state(remote)

    def end_trial(self, subscription_id):
        remote = self._remote(subscription_id)
        now = timezone.now()
        remote.status = SubscriptionStatus.ACTIVE
        remote.trial_end = now
        remote.current_period_end = now + PERIODS[remote.plan.interval]
        remote.save(update_fields=["status", "trial_end", "current_period_end"])
        return self._state(remote)

    def checkout_session_customer(self, session_id):
        return None, None

    # What a tester can make happen, each announced as Stripe would announce it.

    def simulate(self, subscription_id: str, action: str) -> list[ProviderEvent]:
        remote = self._remote(subscription_id)
        now = timezone.now()
        period = PERIODS[remote.plan.interval]
        if action == "trial_will_end":
            return [self._event("customer.subscription.trial_will_end", remote)]
        if action == "end_trial":
            remote.status = SubscriptionStatus.ACTIVE
            remote.trial_end = now
            remote.current_period_end = now + period
            events = ["invoice.paid", "customer.subscription.updated"]
        elif action == "fail_payment":
            remote.status = SubscriptionStatus.PAST_DUE
            events = ["invoice.payment_failed", "customer.subscription.updated"]
        elif action == "pay":
            remote.status = SubscriptionStatus.ACTIVE
            remote.current_period_end = max(remote.current_period_end, now) + period
            events = ["invoice.paid", "customer.subscription.updated"]
        elif action == "end_period":
            remote.current_period_end = now
            if remote.cancel_at_period_end:
                remote.status = SubscriptionStatus.CANCELED
                remote.canceled_at = now
                events = ["customer.subscription.deleted"]
            else:
                remote.current_period_end = now + period
                events = ["invoice.paid", "customer.subscription.updated"]
        elif action == "cancel_now":
            remote.status = SubscriptionStatus.CANCELED
            remote.canceled_at = now
            remote.current_period_end = now
            events = ["customer.subscription.deleted"]
        else:
            raise ValueError(f"unknown test-mode action {action!r}")
        remote.save()
        return [self._event(kind, remote) for kind in events]

    def _event(self, kind: str, remote: TestModeSubscription, user_id=None) -> ProviderEvent:
        return ProviderEvent(
            id=f"tm_evt_{uuid.uuid4().hex}",
            type=kind,
            created=datetime.now(UTC),
            subscription_id=remote.provider_id,
            customer_id=customer_id_for(remote.user),
            user_id=user_id or remote.user_id,
            payload={"type": kind, "data": {"object": {"id": remote.provider_id}}},
        )
