from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "masthead.content"
    label = "content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Page
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from masthead.content import page_cache
        from masthead.content.models import MastheadImage, PublicationSettings

        # Any change that can show on another page (the "More from" block,
        # the section menu, a credit line) invalidates every cached page.
        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(page_cache.bump_generation, dispatch_uid=f"bump-{signal!r}")
        post_delete.connect(page_cache.bump_generation, sender=Page, dispatch_uid="bump-del")
        for model in (PublicationSettings, MastheadImage):
            post_save.connect(
                page_cache.bump_generation, sender=model, dispatch_uid=f"bump-{model.__name__}"
            )
