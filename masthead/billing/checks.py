"""Billing's system checks: a misspelt provider is refused at start-up, not at checkout."""

from django.conf import settings
from django.core import checks

from masthead.billing import providers


def payment_provider_is_known(app_configs=None, **kwargs):
    """``PAYMENT_PROVIDER`` names a provider we have, in any case (``TestMode`` is testmode)."""
    name = providers.normalise(settings.PAYMENT_PROVIDER)
    if name in providers.NAMES:
        return []
    return [
        checks.Error(
            f"PAYMENT_PROVIDER={settings.PAYMENT_PROVIDER!r} is not a payment provider.",
            hint=f"Use one of: {', '.join(providers.NAMES)} (case does not matter).",
            id="billing.E001",
        )
    ]
