from django.apps import AppConfig


class PaywallConfig(AppConfig):
    name = "masthead.paywall"
    label = "paywall"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.core.signals import request_finished
        from django.db.models.signals import post_delete, post_save

        from masthead.billing.models import Plan
        from masthead.content import page_cache
        from masthead.paywall import events, identity
        from masthead.paywall.models import PaywallSettings

        # Settings and plans are baked into cached article variants and prompts.
        for model in (PaywallSettings, Plan):
            name = model.__name__
            post_save.connect(page_cache.bump_generation, sender=model, dispatch_uid=f"bump-{name}")
            post_delete.connect(
                page_cache.bump_generation, sender=model, dispatch_uid=f"bump-del-{name}"
            )
        user_logged_in.connect(identity.merge_meter_at_login, dispatch_uid="meter-merge")
        request_finished.connect(events.flush_if_due, dispatch_uid="events-flush")
