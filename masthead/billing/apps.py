from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_delete, post_save


class BillingConfig(AppConfig):
    name = "masthead.billing"
    label = "billing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported here: these modules import models, which load with the app registry.
        from masthead.billing import daily
        from masthead.billing.checks import payment_provider_is_known
        from masthead.billing.models import Subscription
        from masthead.core import generations
        from masthead.insights.rollups import day_rolled_up

        checks.register(payment_provider_is_known)

        # Entitlements are remembered per process under the accounts generation.
        for signal in (post_save, post_delete):
            signal.connect(
                generations.accounts_changed,
                sender=Subscription,
                dispatch_uid=f"accounts-{signal is post_save}-subscription",
            )

        # Each day's subscribers and revenue are counted with its insights rollup.
        day_rolled_up.connect(daily.subscriber_day_on_rollup, dispatch_uid="billing-subscriber-day")
