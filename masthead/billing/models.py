"""Plans and subscriptions: the minimal model the paywall needs, extended by billing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet

CURRENCY_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "cad": "CA$", "aud": "A$"}


class Interval(models.TextChoices):
    WEEK = "week", "Weekly"
    MONTH = "month", "Monthly"
    YEAR = "year", "Yearly"


@register_snippet
class Plan(models.Model):
    name = models.CharField(max_length=80)
    price_minor = models.PositiveIntegerField(help_text="Price in cents (minor units).")
    currency = models.CharField(max_length=3, default="usd")
    interval = models.CharField(max_length=8, choices=Interval.choices, default=Interval.MONTH)
    trial_days = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    stripe_price_id = models.CharField(max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the prompt.")
    highlight = models.CharField(max_length=120, blank=True, help_text="e.g. 'Best value'.")

    panels = [
        FieldPanel("name"),
        FieldPanel("price_minor"),
        FieldPanel("currency"),
        FieldPanel("interval"),
        FieldPanel("trial_days"),
        FieldPanel("highlight"),
        FieldPanel("active"),
        FieldPanel("position"),
        FieldPanel("stripe_price_id"),
    ]

    class Meta:
        ordering = ["position", "price_minor"]

    def __str__(self):
        return f"{self.name} ({self.price_display} {self.per_interval})"

    @property
    def price_display(self) -> str:
        symbol = CURRENCY_SYMBOLS.get(self.currency.lower(), self.currency.upper() + " ")
        whole, cents = divmod(self.price_minor, 100)
        return f"{symbol}{whole:,}.{cents:02d}"

    @property
    def per_interval(self) -> str:
        return f"a {self.interval}"


class SubscriptionStatus(models.TextChoices):
    """Stripe's subscription states."""

    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELED = "canceled"
    UNPAID = "unpaid"
    INCOMPLETE = "incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired"
    PAUSED = "paused"


class Subscription(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="subscriptions"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(max_length=24, choices=SubscriptionStatus.choices)
    current_period_end = models.DateTimeField(null=True, blank=True)
    trial_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self):
        return f"{self.user} – {self.plan.name} ({self.status})"
