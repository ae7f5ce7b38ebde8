from django.apps import AppConfig


class PaywallConfig(AppConfig):
    name = "masthead.paywall"
    label = "paywall"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out
        from django.db.models.signals import post_delete, post_save

        from masthead.billing.models import Plan
        from masthead.core import generations
        from masthead.paywall import gate
        from masthead.paywall.models import CrawlerSettings, PaywallSettings

        # Settings and plans are in every teaser variant and prompt.
        receivers = (
            (PaywallSettings, generations.settings_changed),
            (CrawlerSettings, generations.settings_changed),
            (Plan, generations.site_changed),
        )
        for model, receiver in receivers:
            name = model.__name__
            post_save.connect(receiver, sender=model, dispatch_uid=f"site-{name}")
            post_delete.connect(receiver, sender=model, dispatch_uid=f"site-del-{name}")
        user_logged_in.connect(gate.merge_meter_at_login, dispatch_uid="meter-merge")
        user_logged_out.connect(gate.meter_handover_at_logout, dispatch_uid="meter-handover")
