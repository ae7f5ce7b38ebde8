from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "masthead.insights"
    label = "insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core.signals import request_finished

        from masthead.insights import events

        request_finished.connect(events.flush_if_due, dispatch_uid="events-flush")
