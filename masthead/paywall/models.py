"""The paywall's settings and the database meter."""

from __future__ import annotations

from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from masthead.core.time_zones import TIME_ZONE_CHOICES
from masthead.paywall import crawlers, policy
from masthead.paywall.crawlers import Permission


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
            address_cap=self.address_cap,
        )


class SearchEngineChoice(models.TextChoices):
    ALLOW = Permission.ALLOW.value, "Crawl; when verified by DNS, read gated articles whole"
    TEASER = Permission.TEASER.value, "Crawl; gated articles as a teaser"
    DISALLOW = Permission.DISALLOW.value, "Do not crawl"


class AICrawlerChoice(models.TextChoices):
    ALLOW = Permission.ALLOW.value, "Crawl: free articles whole, a teaser of the rest"
    TEASER = Permission.TEASER.value, "Crawl: a teaser of every article, free ones too"
    DISALLOW = Permission.DISALLOW.value, "Do not crawl"


class RobotsTokenChoice(models.TextChoices):
    ALLOW = Permission.ALLOW.value, "Allowed"
    DISALLOW = Permission.DISALLOW.value, "Not allowed"


def _ai_crawler(key: str, help_text: str) -> models.CharField:
    family = crawlers.family(key)
    choices = RobotsTokenChoice if family.robots_only else AICrawlerChoice
    return models.CharField(
        family.label,
        max_length=8,
        choices=choices.choices,
        default=Permission.ALLOW.value,
        help_text=help_text,
    )


@register_setting(icon="globe")
class CrawlerSettings(BaseSiteSetting):
    """What each crawler family may do; robots.txt is written from it.

    Only search engines can be verified (reverse and forward DNS): any other client
    naming a crawler gets the teaser of gated articles at most, whatever it is allowed.
    """

    search_engines = models.CharField(
        "search engines (Googlebot, Bingbot)",
        max_length=8,
        choices=SearchEngineChoice.choices,
        default=SearchEngineChoice.ALLOW,
        help_text="Verified crawlers reading whole articles get Google's paywalled-content "
        "markup, so the articles are not taken for cloaking.",
    )
    gptbot = _ai_crawler("gptbot", "OpenAI's crawler for training its models.")
    claudebot = _ai_crawler("claudebot", "Anthropic's crawler (ClaudeBot, anthropic-ai).")
    ccbot = _ai_crawler("ccbot", "Common Crawl, whose archive many models are trained on.")
    google_extended = _ai_crawler(
        "google_extended",
        "Whether Google may use pages for Gemini. A robots.txt token only: Googlebot "
        "fetches the pages, so search is not affected.",
    )
    perplexitybot = _ai_crawler("perplexitybot", "Perplexity's answer engine.")
    applebot_extended = _ai_crawler(
        "applebot_extended",
        "Whether Apple may use pages for its models. A robots.txt token only: Applebot "
        "fetches the pages.",
    )
    bytespider = _ai_crawler("bytespider", "ByteDance's crawler.")
    meta_externalagent = _ai_crawler("meta_externalagent", "Meta's crawler for its AI models.")

    panels = [
        FieldPanel("search_engines"),
        MultiFieldPanel(
            [FieldPanel(family.key) for family in crawlers.AI_CRAWLERS],
            heading="AI crawlers",
            help_text="A crawler that ignores robots.txt gets the teaser at most: none of "
            "these can prove who it is.",
        ),
    ]

    class Meta:
        verbose_name = "Crawlers"

    def __str__(self):
        return "Crawler settings"

    def choices(self) -> dict[str, str]:
        return {family.key: getattr(self, family.key) for family in crawlers.FAMILIES}

    def teaser_only(self) -> frozenset[str]:
        """Families served the teaser of every article, free ones too."""
        return frozenset(
            family.key
            for family in crawlers.AI_CRAWLERS
            if getattr(self, family.key) in (Permission.TEASER, Permission.DISALLOW)
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
