from django.apps import AppConfig


class GiftsConfig(AppConfig):
    name = "masthead.gifts"
    label = "gifts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported here: these modules import models, which load with the app registry.
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from masthead.billing.models import Subscription
        from masthead.gifts import attribution

        user_logged_in.connect(attribution.remember_at_login, dispatch_uid="gift-at-login")
        post_save.connect(
            attribution.credit_subscription, sender=Subscription, dispatch_uid="gift-subscription"
        )
