from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_delete, post_save


class BillingConfig(AppConfig):
    name = "masthead.billing"
    label = "billing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported here: these modules import models, which load with the app registry.
        from masthead.billing.checks import payment_provider_is_known
        from masthead.billing.models import Subscription
        from masthead.core import generations

        checks.register(payment_provider_is_known)

        # Entitlements are remembered per process under the accounts generation.
        for signal in (post_save, post_delete):
            signal.connect(
                generations.accounts_changed,
                sender=Subscription,
                dispatch_uid=f"accounts-{signal is post_save}-subscription",
            )
