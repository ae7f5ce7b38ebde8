"""What readers did, for the publisher's funnel."""

from django.db import models

REFERRER_HOST_LENGTH = 100


class EventKind(models.TextChoices):
    ARTICLE_VIEW = "article_view"
    # The "N articles left" notice on a metered article read within the meter.
    METER_NOTICE = "meter_notice"
    PAYWALL_SHOWN = "paywall_shown"
    # An account created from the paywall's "create a free account to read N more".
    REGISTER_OFFER_TAKEN = "register_offer_taken"
    SUBSCRIBE_CLICKED = "subscribe_clicked"
    CHECKOUT_STARTED = "checkout_started"
    TRIAL_STARTED = "trial_started"
    SUBSCRIPTION_ACTIVATED = "subscription_activated"
    SUBSCRIPTION_CANCELLED = "subscription_cancelled"
    # A subscriber made a gift link (not when re-gifting returns the same link).
    GIFT_CREATED = "gift_created"
    # A gift link read whole (each counted opening).
    GIFT_OPENED = "gift_opened"
    # A paid subscription by an account that had opened a gift link (once per account).
    GIFT_SUBSCRIPTION = "gift_subscription"
    # A newsletter taken: outcome "confirmed" (the double opt-in link) or "account" (a
    # signed-in reader's tick). One event per newsletter, never for one already taken.
    NEWSLETTER_SIGNUP = "newsletter_signup"


class ReaderEvent(models.Model):
    """One thing a reader did, for the publisher's funnel; written in batches."""

    occurred_at = models.DateTimeField()
    day = models.DateField()
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    article_id = models.BigIntegerField(null=True, blank=True)
    reader_class = models.CharField(max_length=16, blank=True)
    outcome = models.CharField(max_length=16, blank=True)
    # The Referer header's host only, never the URL. Nullable so that adding it is a
    # catalogue change on a large table, and processes still running the previous
    # release (which do not name the column) keep writing during a deploy.
    referrer_host = models.CharField(max_length=REFERRER_HOST_LENGTH, null=True, blank=True)  # noqa: DJ001
    # The signed-in reader, on the subscription steps only (clicks, checkouts, trials,
    # payments, cancellations), so a member's page can list what they did. Never on
    # article views: the read path stays as it is, and views stay anonymous. Nullable
    # for the same reason as referrer_host.
    user_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        # The table the paywall app created before events had an app of their own.
        db_table = "paywall_readerevent"
        indexes = [
            models.Index(fields=["day", "article_id"], name="event_day_article"),
            models.Index(fields=["day", "kind"], name="event_day_kind"),
            # Partial: only the few events with a reader are in it, not every view.
            models.Index(
                fields=["user_id", "occurred_at"],
                name="event_user_when",
                condition=models.Q(user_id__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.kind} {self.article_id} {self.outcome}"


class DailyRollup(models.Model):
    """How many events of one kind happened on one day, per article, section, reader
    class and referrer host: what the publisher's dashboard reads instead of raw events.

    Written only by ``rollups.rollup_day``, which replaces a whole day at once.
    """

    day = models.DateField()
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    outcome = models.CharField(max_length=16, blank=True)
    article_id = models.BigIntegerField(null=True, blank=True)
    # The article's parent page when the day was rolled up (articles live in sections).
    section_id = models.BigIntegerField(null=True, blank=True)
    reader_class = models.CharField(max_length=16, blank=True)
    # "" when the event carried no Referer (direct visits, privacy settings, old rows).
    referrer_host = models.CharField(max_length=REFERRER_HOST_LENGTH, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["day", "kind"], name="rollup_day_kind"),
            models.Index(fields=["article_id", "day"], name="rollup_article_day"),
            # The dashboard's section filter: one section's rows over a range of days.
            models.Index(fields=["section_id", "day"], name="rollup_section_day"),
        ]

    def __str__(self):
        return f"{self.day} {self.kind} {self.article_id}: {self.count}"


class DailyTotal(models.Model):
    """How many events of one kind happened on one day, per article (and its section): the
    funnel's, the daily series' and the top articles' rows. ``DailyRollup`` summed over
    outcome, reader class and referrer, so several times fewer rows to read per page load.

    Written only by ``rollups.rollup_day``, with the day's ``DailyRollup`` rows.
    """

    day = models.DateField()
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    article_id = models.BigIntegerField(null=True, blank=True)
    section_id = models.BigIntegerField(null=True, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["day", "kind"], name="total_day_kind"),
            models.Index(fields=["article_id", "day"], name="total_article_day"),
            models.Index(fields=["section_id", "day"], name="total_section_day"),
        ]

    def __str__(self):
        return f"{self.day} {self.kind} {self.article_id}: {self.count}"
