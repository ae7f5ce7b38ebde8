"""Gift links: one subscriber lets anyone read one article whole."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Gift(models.Model):
    """One article gifted by one subscriber; its link carries ``key``, signed with the article.

    Re-gifting an article while its link still works returns this row, so a giver has
    at most one working link per article.
    """

    giver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey("content.ArticlePage", on_delete=models.CASCADE, related_name="+")
    # 128 random bits: the link's secret, looked up by its unique index.
    key = models.CharField(max_length=32, unique=True)
    # The giver chose to have their display name shown to the reader.
    show_name = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Openings that read the article whole through this link (GETs, not HEAD or prefetch).
    opened = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["giver", "article"], name="gift_giver_article")]

    def __str__(self):
        return f"gift {self.pk} of article {self.article_id} by user {self.giver_id}"

    def state(self, now) -> str:
        """ "active", "revoked", "expired" or "used up", for the giver's list."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        if self.opened >= settings.GIFT_LINK_MAX_OPENS:
            return "used up"
        return "active"


class GiftMonth(models.Model):
    """How many gifts one subscriber has made in one calendar month.

    Locked (``SELECT ... FOR UPDATE``) while a gift is made, so that parallel requests
    by one giver take turns and the allowance holds.
    """

    giver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The first day of the month, in the publication's time zone.
    month = models.DateField()
    given = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["giver", "month"], name="gift_month_per_giver")
        ]

    def __str__(self):
        return f"{self.giver_id} {self.month:%Y-%m}: {self.given}"


class GiftReader(models.Model):
    """An account that opened a gift link (before or after signing in), for crediting a
    later subscription to the gift. The latest gift opened wins."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    gift = models.ForeignKey(Gift, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    # Set once, by the first paid subscription after the opening.
    subscribed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"user {self.user_id} via gift {self.gift_id}"
