"""Payment providers behind one small interface (see ``base.PaymentProvider``)."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from masthead.billing.providers.base import (
    InvalidWebhook,
    PaymentProvider,
    ProviderEvent,
    ProviderUnavailable,
    SubscriptionState,
)

__all__ = [
    "NAMES",
    "InvalidWebhook",
    "PaymentProvider",
    "ProviderEvent",
    "ProviderUnavailable",
    "SubscriptionState",
    "get",
    "normalise",
]

NAMES = ("stripe", "testmode")


def normalise(name) -> str:
    """``PAYMENT_PROVIDER`` as written by a person: ``TestMode`` and `` stripe`` are meant."""
    return str(name or "").strip().lower()


def get(name: str | None = None) -> PaymentProvider:
    """The configured provider (``PAYMENT_PROVIDER``), or the one named."""
    name = normalise(name or settings.PAYMENT_PROVIDER)
    if name == "stripe":
        from masthead.billing.providers.stripe import StripeProvider

        return StripeProvider()
    if name == "testmode":
        if settings.PRODUCTION:
            raise ImproperlyConfigured(
                "The test-mode payment provider is never used in production."
            )
        from masthead.billing.providers.testmode import TestModeProvider

        return TestModeProvider()
    raise ImproperlyConfigured(f"Unknown payment provider {name!r}.")
