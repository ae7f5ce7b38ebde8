from django.apps import AppConfig


class AdsConfig(AppConfig):
    name = "masthead.ads"
    label = "ads"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from masthead.ads.models import AdSlot
        from masthead.ads.slots import forget_cached_slots

        post_save.connect(forget_cached_slots, sender=AdSlot, dispatch_uid="ads-changed")
        post_delete.connect(forget_cached_slots, sender=AdSlot, dispatch_uid="ads-deleted")
