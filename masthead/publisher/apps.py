from django.apps import AppConfig


class PublisherConfig(AppConfig):
    name = "masthead.publisher"
    label = "publisher"
    verbose_name = "Publisher insights"
    default_auto_field = "django.db.models.BigAutoField"
