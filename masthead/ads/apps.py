from django.apps import AppConfig


class AdsConfig(AppConfig):
    name = "masthead.ads"
    label = "ads"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from masthead.ads.models import AdSettings, AdSlot
        from masthead.ads.slots import forget_cached_slots
        from masthead.core import generations

        post_save.connect(forget_cached_slots, sender=AdSlot, dispatch_uid="ads-changed")
        post_delete.connect(forget_cached_slots, sender=AdSlot, dispatch_uid="ads-deleted")
        # Ad spacing is in the bytes of every article variant.
        post_save.connect(generations.settings_changed, sender=AdSettings, dispatch_uid="ads-set")
