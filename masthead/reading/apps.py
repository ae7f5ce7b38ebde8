from django.apps import AppConfig


class ReadingConfig(AppConfig):
    name = "masthead.reading"
    label = "reading"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from masthead.reading import checks  # noqa: F401 - registers the slot check
