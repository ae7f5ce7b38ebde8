"""Stripe: Checkout in subscription mode, the Customer Portal and signed webhooks."""

from __future__ import annotations

from datetime import UTC, datetime

import stripe
from django.conf import settings

from masthead.billing.providers.base import (
    InvalidWebhook,
    PaymentProvider,
    ProviderEvent,
    ProviderUnavailable,
    SubscriptionState,
)

# Stripe's own default; a tolerance of 0 would disable the replay check.
WEBHOOK_TOLERANCE = 300
# A reader waits on the checkout button while we ask Stripe: one retry (the SDK sends
# an idempotency key, so a retried create makes one session), then "try again later".
NETWORK_RETRIES = 1
# The errors that mean "Stripe is unreachable or failing right now", not "we asked wrong".
UNAVAILABLE_ERRORS = (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError)


def _time(value) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


def _get(obj, *path, default=None):
    for key in path:
        if obj is None:
            return default
        obj = obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)
    return default if obj is None else obj


def _subscription_id_of(obj: dict) -> str | None:
    """Where an event's object names its subscription, across Stripe API versions."""
    if obj.get("object") == "subscription":
        return obj.get("id")
    value = obj.get("subscription") or _get(obj, "parent", "subscription_details", "subscription")
    if isinstance(value, dict):
        return value.get("id")
    return value


class StripeProvider(PaymentProvider):
    name = "stripe"

    def __init__(self):
        if not settings.STRIPE_SECRET_KEY:
            raise stripe.AuthenticationError("STRIPE_SECRET_KEY is not set")
        self.client = stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            base_addresses={"api": settings.STRIPE_API_BASE},
            max_network_retries=NETWORK_RETRIES,
            http_client=stripe.new_default_http_client(timeout=settings.STRIPE_TIMEOUT),
        )

    def start_checkout(
        self, *, user, plan, customer_id, trial_days, success_url, cancel_url
    ) -> str:
        params = {
            "mode": "subscription",
            "line_items": [{"price": plan.stripe_price_id, "quantity": 1}],
            "client_reference_id": str(user.pk),
            "success_url": success_url
            + ("&" if "?" in success_url else "?")
            + "session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": cancel_url,
            "subscription_data": {"metadata": {"user_id": str(user.pk)}},
            "metadata": {"user_id": str(user.pk), "plan_id": str(plan.pk)},
        }
        if trial_days:
            params["subscription_data"]["trial_period_days"] = trial_days
        if customer_id:
            params["customer"] = customer_id
        else:
            params["customer_email"] = user.email
        try:
            session = self.client.v1.checkout.sessions.create(params=params)
        except UNAVAILABLE_ERRORS as exc:
            raise ProviderUnavailable(f"Stripe did not answer the checkout: {exc}") from exc
        return session.url

    def portal_url(self, *, customer_id, return_url) -> str:
        try:
            session = self.client.v1.billing_portal.sessions.create(
                params={"customer": customer_id, "return_url": return_url}
            )
        except UNAVAILABLE_ERRORS as exc:
            raise ProviderUnavailable(f"Stripe did not answer the portal: {exc}") from exc
        return session.url

    def parse_webhook(self, *, payload: bytes, headers) -> ProviderEvent:
        signature = headers.get("Stripe-Signature")
        if not signature:
            raise InvalidWebhook("missing Stripe-Signature header", kind="missing_signature")
        try:
            event = stripe.Webhook.construct_event(
                payload, signature, settings.STRIPE_WEBHOOK_SECRET, tolerance=WEBHOOK_TOLERANCE
            )
        except stripe.SignatureVerificationError as exc:
            message = str(exc.user_message or exc)
            kind = "too_old" if "tolerance" in message else "bad_signature"
            raise InvalidWebhook(f"bad signature: {message}", kind=kind) from exc
        except ValueError as exc:
            raise InvalidWebhook(f"malformed payload: {exc}") from exc
        data = event.to_dict()
        obj = _get(data, "data", "object", default={})
        if not data.get("id") or not data.get("type") or not isinstance(obj, dict):
            raise InvalidWebhook("event without id or type")
        user_id = obj.get("client_reference_id") or _get(obj, "metadata", "user_id")
        customer = obj.get("customer")
        return ProviderEvent(
            id=data["id"],
            type=data["type"],
            created=_time(data.get("created")) or datetime.now(UTC),
            subscription_id=_subscription_id_of(obj),
            customer_id=customer.get("id") if isinstance(customer, dict) else customer,
            user_id=int(user_id) if str(user_id or "").isdigit() else None,
            payload=data,
        )

    def _state(self, sub) -> SubscriptionState:
        data = sub.to_dict() if hasattr(sub, "to_dict") else sub
        item = (_get(data, "items", "data", default=[]) or [{}])[0]
        period_end = data.get("current_period_end") or item.get("current_period_end")
        if data["status"] in ("past_due", "unpaid"):
            # Stripe starts the new period before it tries the card, so for an
            # unpaid renewal the access we sold ends where this period starts;
            # the past-due grace (entitlements.PAST_DUE_GRACE) counts from there.
            period_end = (
                data.get("current_period_start") or item.get("current_period_start") or period_end
            )
        user_id = _get(data, "metadata", "user_id")
        customer = data.get("customer")
        return SubscriptionState(
            provider=self.name,
            subscription_id=data["id"],
            customer_id=customer.get("id") if isinstance(customer, dict) else customer,
            status=data["status"],
            price_ref=_get(item, "price", "id", default=""),
            user_id=int(user_id) if str(user_id or "").isdigit() else None,
            current_period_end=_time(period_end),
            trial_end=_time(data.get("trial_end")),
            cancel_at_period_end=bool(data.get("cancel_at_period_end")),
            canceled_at=_time(data.get("canceled_at")),
        )

    def fetch_subscription(self, subscription_id) -> SubscriptionState:
        return self._state(self.client.v1.subscriptions.retrieve(subscription_id))

    def set_cancel_at_period_end(self, subscription_id, cancel) -> SubscriptionState:
        sub = self.client.v1.subscriptions.update(
            subscription_id, params={"cancel_at_period_end": cancel}
        )
        return self._state(sub)

    def end_trial(self, subscription_id) -> SubscriptionState:
        return self._state(
            self.client.v1.subscriptions.update(subscription_id, params={"trial_end": "now"})
        )

    def checkout_session_customer(self, session_id):
        session = self.client.v1.checkout.sessions.retrieve(session_id).to_dict()
        customer, subscription = session.get("customer"), session.get("subscription")
        return (
            customer.get("id") if isinstance(customer, dict) else customer,
            subscription.get("id") if isinstance(subscription, dict) else subscription,
        )
