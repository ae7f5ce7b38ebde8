"""The contract every payment provider implements, and the shapes it speaks in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class InvalidWebhook(Exception):
    """A webhook delivery that is unsigned, badly signed, too old or malformed.

    ``kind`` is one of ``models.RejectReason``'s values: the closed set the
    refusals are counted by (the message may carry attacker-chosen text).
    """

    def __init__(self, message: str, *, kind: str = "malformed"):
        super().__init__(message)
        self.kind = kind


class ProviderUnavailable(Exception):
    """The payment provider could not be reached or failed to answer; try again later."""


@dataclass(frozen=True)
class SubscriptionState:
    """A subscription as the provider holds it right now."""

    provider: str
    subscription_id: str
    customer_id: str
    status: str
    price_ref: str
    user_id: int | None = None
    current_period_end: datetime | None = None
    trial_end: datetime | None = None
    cancel_at_period_end: bool = False
    canceled_at: datetime | None = None


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook event, reduced to what the handlers need."""

    id: str
    type: str
    created: datetime
    subscription_id: str | None = None
    customer_id: str | None = None
    user_id: int | None = None
    payload: dict = field(default_factory=dict)


class PaymentProvider:
    name = ""

    def start_checkout(
        self,
        *,
        user,
        plan,
        customer_id: str | None,
        trial_days: int,
        success_url: str,
        cancel_url: str,
    ) -> str:
        """Begin a checkout and return the URL to send the reader to."""
        raise NotImplementedError(f"{type(self).__name__} must implement start_checkout()")

    def portal_url(self, *, customer_id: str, return_url: str) -> str:
        """The customer portal where a reader manages cards and invoices."""
        raise NotImplementedError(f"{type(self).__name__} must implement portal_url()")

    def parse_webhook(self, *, payload: bytes, headers) -> ProviderEvent:
        """Verify a webhook delivery and return its event; raise InvalidWebhook otherwise."""
        raise NotImplementedError(f"{type(self).__name__} must implement parse_webhook()")

    def fetch_subscription(self, subscription_id: str) -> SubscriptionState:
        """Re-read a subscription from the provider: the newest state, whatever the event order."""
        raise NotImplementedError(f"{type(self).__name__} must implement fetch_subscription()")

    def set_cancel_at_period_end(self, subscription_id: str, cancel: bool) -> SubscriptionState:
        raise NotImplementedError(
            f"{type(self).__name__} must implement set_cancel_at_period_end()"
        )

    def end_trial(self, subscription_id: str) -> SubscriptionState:
        """End a subscription's trial now, so its first period is paid from today."""
        raise NotImplementedError(f"{type(self).__name__} must implement end_trial()")

    def checkout_session_customer(self, session_id: str) -> tuple[str | None, str | None]:
        """(customer id, subscription id) of a finished checkout, fetched server-side."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement checkout_session_customer()"
        )
