"""Ad slots: places on the page where an editor puts a house ad or an ad-network tag."""

from django.core.validators import MinValueValidator
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.snippets.models import register_snippet


class Placement(models.TextChoices):
    ARTICLE_INLINE = "article_inline", "In the article, between paragraphs"
    ARTICLE_FOOT = "article_foot", "At the foot of the article"
    HOME = "home", "On the home page, between sections"


@register_snippet
class AdSlot(models.Model):
    """Editors are trusted with this HTML: it may carry an ad network's script tag."""

    name = models.CharField(max_length=80)
    placement = models.CharField(max_length=24, choices=Placement.choices)
    html = models.TextField(
        help_text="The ad's HTML: a house ad, or the tag your ad network gives you."
    )
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("placement"),
        FieldPanel("html"),
        FieldPanel("active"),
        FieldPanel("position"),
    ]

    class Meta:
        ordering = ["placement", "position", "pk"]

    def __str__(self):
        return f"{self.name} ({self.get_placement_display()})"


@register_setting(icon="doc-full")
class AdSettings(BaseSiteSetting):
    paragraphs_per_ad = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1)],
        help_text="At most one ad per this many paragraphs of an article, the ad at its "
        "foot included. A shorter article carries only the ad at its foot.",
    )

    panels = [FieldPanel("paragraphs_per_ad")]

    class Meta:
        verbose_name = "ads"

    def __str__(self):
        return f"One ad per {self.paragraphs_per_ad} paragraphs"
