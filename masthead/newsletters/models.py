"""Newsletters, who takes them, what was sent and to whom.

A ``Delivery`` is one e-mail of one issue to one address: the unique constraint on
(issue, email) is what makes an issue reach each recipient once, and the row's claim is
what keeps two workers (or a worker and its own restart) from sending it twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from masthead.content.models import ArticlePage, SectionPage


class Audience(models.TextChoices):
    EVERYONE = "everyone", "Everyone (free sign-up)"
    PAID = "paid", "Paid subscribers only"


class Newsletter(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)
    sender_name = models.CharField(
        max_length=120, blank=True, help_text="Empty: the publication's name."
    )
    sender_address = models.EmailField(
        blank=True, help_text="Empty: the publication's sender of e-mails."
    )
    audience = models.CharField(max_length=8, choices=Audience.choices, default=Audience.EVERYONE)
    section = models.ForeignKey(
        SectionPage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A digest of one section only; empty: every section.",
    )
    digest_time = models.TimeField(
        null=True,
        blank=True,
        help_text="Send the last day's articles every day at this time, in the publication's "
        "time zone. Empty: no digest; editors send articles from the page editor.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("audience"),
        MultiFieldPanel(
            [FieldPanel("sender_name"), FieldPanel("sender_address")], heading="Sender"
        ),
        MultiFieldPanel([FieldPanel("digest_time"), FieldPanel("section")], heading="Digest"),
        FieldPanel("position"),
    ]

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    @property
    def paid_only(self) -> bool:
        return self.audience == Audience.PAID


class NewsletterSubscription(models.Model):
    """A confirmed address on a newsletter; unconfirmed sign-ups exist only in their link."""

    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.CASCADE, related_name="subscriptions"
    )
    email = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="newsletter_subscriptions",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter", "email"], name="one_subscription_per_address"
            )
        ]

    def __str__(self):
        return f"{self.email} → {self.newsletter_id}"


class Suppression(models.Model):
    """An address mail servers refused permanently; suppressed from the Nth refusal on."""

    email = models.EmailField(unique=True)
    hard_bounces = models.PositiveSmallIntegerField(default=0)
    suppressed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self):
        return f"{self.email} ({self.hard_bounces} hard bounces)"


class IssueAudience(models.TextChoices):
    ALL = "all", "All subscribers"
    FREE = "free", "Free readers only"
    PAID = "paid", "Paying subscribers only"


class Issue(models.Model):
    """One sending of a newsletter: an article, or a digest of the day's articles."""

    newsletter = models.ForeignKey(Newsletter, on_delete=models.PROTECT, related_name="issues")
    article = models.ForeignKey(
        ArticlePage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A digest's articles, in order, and the local date it covers.
    article_ids = models.JSONField(default=list, blank=True)
    digest_date = models.DateField(null=True, blank=True)
    subject = models.CharField(max_length=300)
    audience = models.CharField(
        max_length=4, choices=IssueAudience.choices, default=IssueAudience.ALL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set in the transaction that wrote the deliveries and queued their batches.
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # However often the button is pressed, an article goes out once per newsletter.
            models.UniqueConstraint(
                fields=["newsletter", "article"],
                condition=models.Q(article__isnull=False),
                name="one_issue_per_article",
            ),
            models.UniqueConstraint(
                fields=["newsletter", "digest_date"],
                condition=models.Q(digest_date__isnull=False),
                name="one_digest_per_day",
            ),
        ]

    def __str__(self):
        return f"{self.newsletter}: {self.subject}"

    @property
    def is_digest(self) -> bool:
        return self.digest_date is not None


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "queued"
    SENDING = "sending", "sending"
    SENT = "sent", "accepted by the mail server"
    FAILED = "failed", "failed"


class Delivery(models.Model):
    # Indexed with the id below (and first in the unique constraint): a batch is an id range.
    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    subscription = models.ForeignKey(
        NewsletterSubscription, null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    email = models.EmailField()
    # Decided when the issue went out: whole article (paid) or teaser (free).
    paid = models.BooleanField(default=False)
    status = models.CharField(
        max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # While ``sending``: which run holds the row, and until when.
    claim = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issue", "email"], name="one_delivery_per_recipient")
        ]
        indexes = [
            models.Index(fields=["status", "claimed_until"], name="nl_delivery_claim_idx"),
            # A batch's claim and reads: one issue's id range, whatever the table's statistics
            # say (with only the issue's index, the planner may read all its deliveries).
            models.Index(fields=["issue", "id"], name="nl_delivery_batch_idx"),
        ]
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"{self.issue_id} → {self.email} ({self.status})"
