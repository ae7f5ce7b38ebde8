"""Newsletters: articles and digests delivered by e-mail, the paywall holding in the inbox."""

from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "masthead.newsletters"
    label = "newsletters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from masthead.core import generations
        from masthead.newsletters.models import Newsletter, NewsletterSubscription

        # The sign-up form at every article's foot lists the newsletters.
        post_save.connect(generations.site_changed, sender=Newsletter, dispatch_uid="nl-saved")
        post_delete.connect(generations.site_changed, sender=Newsletter, dispatch_uid="nl-gone")
        # A signed-in reader's form shows their ticks, kept under the accounts generation.
        for signal, uid in ((post_save, "nls-saved"), (post_delete, "nls-gone")):
            signal.connect(
                generations.accounts_changed, sender=NewsletterSubscription, dispatch_uid=uid
            )
