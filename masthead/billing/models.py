"""Plans and subscriptions: the minimal model the paywall needs, extended by billing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet

from masthead.core import generations

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


class Provider(models.TextChoices):
    STRIPE = "stripe", "Stripe"
    TESTMODE = "testmode", "Test mode (no card is charged)"


class Customer(models.Model):
    """A reader as the payment provider knows them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="billing_customers"
    )
    provider = models.CharField(max_length=16, choices=Provider.choices)
    provider_customer_id = models.CharField(max_length=120)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_customer_id"], name="customer_provider_id_uniq"
            ),
            models.UniqueConstraint(
                fields=["provider", "user"], name="customer_provider_user_uniq"
            ),
        ]

    def __str__(self):
        return f"{self.user} @ {self.provider}: {self.provider_customer_id}"


class SubscriptionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # Bulk updates send no post_save; remembered entitlements must still go stale.
        changed = super().update(**kwargs)
        generations.accounts_changed()
        return changed


class Subscription(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="subscriptions"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(max_length=24, choices=SubscriptionStatus.choices)
    provider = models.CharField(max_length=16, choices=Provider.choices, default=Provider.TESTMODE)
    provider_subscription_id = models.CharField(max_length=120, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    trial_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    canceled_at = models.DateTimeField(null=True, blank=True)
    # When the provider last changed the object; an older state never overwrites a newer one.
    provider_updated_at = models.DateTimeField(null=True, blank=True)
    trial_reminder_sent = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["user", "status"]),
            # A reader's latest subscription (the publisher's members list asks it per row).
            models.Index(fields=["user", "id"], name="subscription_user_latest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_subscription_id"],
                condition=~models.Q(provider_subscription_id=""),
                name="subscription_provider_id_uniq",
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.plan.name} ({self.status})"


class EventStatus(models.TextChoices):
    RECEIVED = "received"
    PROCESSED = "processed"
    FAILED = "failed"
    IGNORED = "ignored"


class WebhookEvent(models.Model):
    """Every verified webhook event, once: the id is unique, so a redelivery is skipped."""

    provider = models.CharField(max_length=16, choices=Provider.choices)
    event_id = models.CharField(max_length=120)
    type = models.CharField(max_length=80)
    status = models.CharField(
        max_length=16, choices=EventStatus.choices, default=EventStatus.RECEIVED
    )
    error = models.TextField(blank=True)
    payload = models.JSONField()
    attempts = models.PositiveSmallIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_uniq")
        ]

    def __str__(self):
        return f"{self.provider} {self.event_id} {self.type} ({self.status})"


class RejectReason(models.TextChoices):
    """Why a webhook delivery was refused: a closed set, so the hourly counts stay bounded."""

    MISSING_SIGNATURE = "missing_signature", "No signature header"
    BAD_SIGNATURE = "bad_signature", "Signature does not match"
    TOO_OLD = "too_old", "Signed outside the replay tolerance"
    MALFORMED = "malformed", "Not a well-formed event"


class RejectedWebhook(models.Model):
    """One of the last ``REJECTED_SAMPLES_KEPT`` refused deliveries, for the security log.

    Anyone can POST to the webhook, so a row per refusal would let them fill the
    database: the service keeps only the newest samples, and counts the rest in
    ``RejectedWebhookTally``.
    """

    provider = models.CharField(max_length=16, choices=Provider.choices)
    kind = models.CharField(
        max_length=24, choices=RejectReason.choices, default=RejectReason.MALFORMED
    )
    reason = models.CharField(max_length=255)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    body_excerpt = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.provider} rejected: {self.reason}"


class RejectedWebhookTally(models.Model):
    """How many deliveries were refused, per provider, reason and hour (UTC)."""

    provider = models.CharField(max_length=16, choices=Provider.choices)
    kind = models.CharField(max_length=24, choices=RejectReason.choices)
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "kind", "hour"], name="rejected_webhook_tally_uniq"
            )
        ]

    def __str__(self):
        return f"{self.provider} {self.kind} at {self.hour:%Y-%m-%d %H}h: {self.count}"


class TrialClaim(models.Model):
    """The one free trial an account gets, and the subscription that took it.

    Unique per reader, so two subscriptions completing at once cannot both keep a
    trial: the second insert fails and that subscription's trial is ended at the
    provider (``services.subscription_sync``).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trial_claim"
    )
    provider = models.CharField(max_length=16, choices=Provider.choices)
    provider_subscription_id = models.CharField(max_length=120)
    claimed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"trial of {self.user} on {self.provider} {self.provider_subscription_id}"


class TestModeSubscription(models.Model):
    """The test-mode provider's own record: what Stripe would hold on its side."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=24, choices=SubscriptionStatus.choices)
    current_period_end = models.DateTimeField()
    trial_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    canceled_at = models.DateTimeField(null=True, blank=True)
    # The checkout that made it: a checkout completes once, however often it is posted.
    checkout_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["checkout_id"],
                condition=~models.Q(checkout_id=""),
                name="testmode_checkout_once",
            )
        ]

    def __str__(self):
        return f"test-mode sub_{self.pk} {self.status}"

    @property
    def provider_id(self) -> str:
        return f"tm_sub_{self.pk}"


class SubscriberDay(models.Model):
    """Subscribers at the end of one UTC day and what changed during it: the publisher's
    dashboard reads these instead of every subscription.

    Written only by ``daily.subscriber_day_write`` (with the day's insights rollup), which
    replaces the day's row: safe to run again for any day. Billing keeps each
    subscription's dates, not its history of states, so a past day is counted from the
    dates (trialing before the trial end, paying after, unless cancelled by then).
    """

    day = models.DateField(unique=True)
    paying = models.PositiveIntegerField()
    trialing = models.PositiveIntegerField()
    # Past due is a state, not a date: known only for the day the row was first written
    # on (a later re-run of that day keeps it); None when never seen.
    past_due = models.PositiveIntegerField(null=True, blank=True)
    cancelled = models.PositiveIntegerField()
    # Cancelled while paying (not during a trial): the churn.
    churned = models.PositiveIntegerField()
    # Whose first payment (the trial's end, or the start without a trial) fell on the day.
    new_paying = models.PositiveIntegerField()
    trials_started = models.PositiveIntegerField()
    trials_ended = models.PositiveIntegerField()
    # Of the trials that ended on the day: paying since, or cancelled only afterwards.
    trials_converted = models.PositiveIntegerField()
    written_at = models.DateTimeField()

    def __str__(self):
        return f"{self.day}: {self.paying} paying, {self.trialing} trialing"


class RevenueDay(models.Model):
    """Monthly recurring revenue at the end of one UTC day, per currency, in minor units
    (yearly plans count a twelfth, weekly 52 twelfths); written with ``SubscriberDay``."""

    day = models.DateField()
    currency = models.CharField(max_length=3)
    mrr_minor = models.BigIntegerField()
    # The monthly amounts of the subscriptions that started paying, and of those
    # cancelled while paying, on the day.
    new_mrr_minor = models.BigIntegerField()
    churned_mrr_minor = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "currency"], name="revenue_day_currency_uniq")
        ]

    def __str__(self):
        return f"{self.day} {self.currency}: MRR {self.mrr_minor}"
