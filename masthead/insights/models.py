"""What readers did, for the publisher's funnel."""

from django.db import models


class EventKind(models.TextChoices):
    ARTICLE_VIEW = "article_view"
    PAYWALL_SHOWN = "paywall_shown"
    SUBSCRIBE_CLICKED = "subscribe_clicked"
    CHECKOUT_STARTED = "checkout_started"
    TRIAL_STARTED = "trial_started"
    SUBSCRIPTION_ACTIVATED = "subscription_activated"
    SUBSCRIPTION_CANCELLED = "subscription_cancelled"


class ReaderEvent(models.Model):
    """One thing a reader did, for the publisher's funnel; written in batches."""

    occurred_at = models.DateTimeField()
    day = models.DateField()
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    article_id = models.BigIntegerField(null=True, blank=True)
    reader_class = models.CharField(max_length=16, blank=True)
    outcome = models.CharField(max_length=16, blank=True)

    class Meta:
        # The table the paywall app created before events had an app of their own.
        db_table = "paywall_readerevent"
        indexes = [
            models.Index(fields=["day", "article_id"], name="event_day_article"),
            models.Index(fields=["day", "kind"], name="event_day_kind"),
        ]

    def __str__(self):
        return f"{self.day} {self.kind} {self.article_id} {self.outcome}"
