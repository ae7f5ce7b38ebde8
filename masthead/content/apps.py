from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "masthead.content"
    label = "content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save
        from wagtail.models import Page, PageViewRestriction, Site
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from masthead.content.models import (
            ArticlePage,
            MastheadImage,
            PublicationSettings,
            article_moved,
            article_reindex,
            article_search_fill,
            article_unindex,
        )
        from masthead.content.sitemaps import article_changed
        from masthead.content.variants import page_changed
        from masthead.core import generations

        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(page_changed, dispatch_uid=f"content-changed-{signal!r}")
        post_delete.connect(page_changed, sender=Page, dispatch_uid="content-page-deleted")
        post_page_move.connect(article_moved, dispatch_uid="content-article-moved")
        # The sitemap file holding an article, the index and the news sitemap are rebuilt.
        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(article_changed, dispatch_uid=f"content-sitemap-{signal!r}")
        post_delete.connect(article_changed, sender=ArticlePage, dispatch_uid="content-sitemap-del")
        # An article's search entries: what everyone may read, and its whole text.
        page_published.connect(article_reindex, dispatch_uid="content-article-reindex")
        post_save.connect(article_reindex, sender=ArticlePage, dispatch_uid="content-article-save")
        post_delete.connect(article_unindex, sender=ArticlePage, dispatch_uid="content-article-del")
        post_migrate.connect(article_search_fill, sender=self, dispatch_uid="content-search-fill")
        # A restriction changes who may be served a page without changing the page.
        changed = generations.content_changed
        post_save.connect(changed, sender=PageViewRestriction, dispatch_uid="vr-save")
        post_delete.connect(changed, sender=PageViewRestriction, dispatch_uid="vr-del")
        # On every page (the publication's name, its menu, image credits, its own address)
        # and in listings.
        for model in (PublicationSettings, MastheadImage, Site):
            name = model.__name__
            post_save.connect(generations.settings_changed, sender=model, dispatch_uid=f"s-{name}")
            post_delete.connect(
                generations.settings_changed, sender=model, dispatch_uid=f"d-{name}"
            )
