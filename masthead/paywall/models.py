"""The paywall's settings and the database meter."""

from __future__ import annotations

from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from masthead.core.time_zones import TIME_ZONE_CHOICES
from masthead.paywall import policy


class PeriodChoice(models.TextChoices):
    DAY = policy.Period.DAY.value, "Day"
    WEEK = policy.Period.WEEK.value, "Week (Monday to Sunday)"
    MONTH = policy.Period.MONTH.value, "Calendar month"


@register_setting(icon="lock")
class PaywallSettings(BaseSiteSetting):
    anonymous_limit = models.PositiveSmallIntegerField(
        default=3, help_text="Free metered articles per period for readers without an account."
    )
    registered_limit = models.PositiveSmallIntegerField(
        default=5, help_text="Free metered articles per period for readers with a free account."
    )
    period = models.CharField(max_length=8, choices=PeriodChoice.choices, default=PeriodChoice.DAY)
    time_zone = models.CharField(
        max_length=64,
        choices=TIME_ZONE_CHOICES,
        blank=True,
        help_text="When periods start. Blank: the publication's time zone.",
    )
    teaser_blocks = models.PositiveSmallIntegerField(
        default=2, help_text="Body blocks shown before the paywall prompt."
    )
    crawler_access = models.BooleanField(
        default=True,
        help_text="Verified search-engine crawlers read metered articles whole (with "
        "Google's paywalled-content markup).",
    )
    address_cap = models.PositiveSmallIntegerField(
        default=0,
        help_text="Most whole metered articles per period to anonymous readers from one network "
        "address (0 = off; offices and campuses share addresses).",
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("anonymous_limit"), FieldPanel("registered_limit"), FieldPanel("period")],
            heading="Meter",
        ),
        FieldPanel("time_zone"),
        FieldPanel("teaser_blocks"),
        FieldPanel("crawler_access"),
        FieldPanel("address_cap"),
    ]

    class Meta:
        verbose_name = "Paywall"

    def __str__(self):
        return "Paywall settings"

    def as_policy(self) -> policy.Policy:
        return policy.Policy(
            anonymous_limit=self.anonymous_limit,
            registered_limit=self.registered_limit,
            teaser_blocks=self.teaser_blocks,
            period=policy.Period(self.period),
            crawler_access=self.crawler_access,
            address_cap=self.address_cap,
        )


class MeterBucket(models.Model):
    """One reader's (or one address's) meter for one period.

    The row is the lock: check-and-record holds it ``FOR UPDATE`` so that
    concurrent requests by one reader are counted one at a time.
    """

    key = models.CharField(max_length=80)
    period = models.CharField(max_length=24)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "period"], name="meter_bucket_uniq")]

    def __str__(self):
        return f"{self.key} {self.period}: {self.count}"


class MeterRead(models.Model):
    bucket = models.ForeignKey(MeterBucket, on_delete=models.CASCADE, related_name="reads")
    article_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "article_id"], name="meter_read_uniq")
        ]

    def __str__(self):
        return f"{self.bucket_id}: {self.article_id}"
