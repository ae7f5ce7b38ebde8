"""The publication's pages, images and settings as Wagtail models."""

from __future__ import annotations

import zoneinfo

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.functional import cached_property, lazy
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PublishingPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.images.models import AbstractImage, AbstractRendition, Image
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.search.backends import get_search_backend

from masthead.content import page_cache, reading_time, search, search_table
from masthead.content.blocks import ArticleBodyBlock
from masthead.core.time_zones import TIME_ZONE_CHOICES


class MastheadImage(AbstractImage):
    """An image that knows who made it and where it came from."""

    credit = models.CharField(max_length=255, blank=True, help_text="Photographer or artist.")
    source_name = models.CharField(
        max_length=255, blank=True, help_text="Agency or outlet, e.g. 'Photo Desk'."
    )
    source_url = models.URLField(blank=True, help_text="Link to the original.")

    admin_form_fields = Image.admin_form_fields + ("credit", "source_name", "source_url")


class MastheadRendition(AbstractRendition):
    image = models.ForeignKey(MastheadImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)


@register_setting(icon="site")
class PublicationSettings(BaseSiteSetting):
    name = models.CharField(max_length=120, default="Masthead")
    tagline = models.CharField(max_length=255, blank=True)
    logo = models.ForeignKey(
        MastheadImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    email_from = models.EmailField(
        "sender of e-mails",
        blank=True,
        help_text="The address readers' e-mails come from, e.g. newsroom@example.org; "
        "shown with the publication's name. Empty: the server's DEFAULT_FROM_EMAIL.",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("tagline"),
        FieldPanel("logo"),
        FieldPanel("time_zone"),
        FieldPanel("email_from"),
    ]

    class Meta:
        verbose_name = "Publication"

    def __str__(self):
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class AccessLevel(models.TextChoices):
    FREE = "free", "Free: everyone reads it whole"
    METERED = "metered", "Metered: counts against the free-article meter"
    SUBSCRIBERS = "subscribers", "Subscribers only"


class SharedCacheMixin:
    """A page whose rendering is the same for every reader without a session."""

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        return page_cache.mark_cacheable(request=request, response=response)


class HomePage(SharedCacheMixin, Page):
    subpage_types = ["content.SectionPage", "content.AuthorIndexPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from masthead.content import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.home_page_blocks(site_root=self))
        return context


class SectionPage(SharedCacheMixin, Page):
    intro = models.CharField(max_length=255, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["content.ArticlePage"]
    parent_page_types = ["content.HomePage"]

    def get_context(self, request, *args, **kwargs):
        from masthead.content import selectors

        context = super().get_context(request, *args, **kwargs)
        context["articles"] = selectors.paginate(
            selectors.section_articles(section=self), request.GET.get("page")
        )
        context["section"] = self
        return context


class AuthorIndexPage(Page):
    subpage_types = ["content.AuthorPage"]
    parent_page_types = ["content.HomePage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["authors"] = (
            AuthorPage.objects.child_of(self).live().select_related("portrait").order_by("title")
        )
        return context


class AuthorPage(SharedCacheMixin, Page):
    """A writer; the page title is the author's name."""

    role = models.CharField(max_length=120, blank=True)
    short_bio = models.CharField(max_length=255, blank=True, help_text="Shown under articles.")
    bio = RichTextField(blank=True, features=["bold", "italic", "link"])
    portrait = models.ForeignKey(
        MastheadImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    content_panels = Page.content_panels + [
        FieldPanel("role"),
        FieldPanel("portrait"),
        FieldPanel("short_bio"),
        FieldPanel("bio"),
    ]
    search_fields = Page.search_fields + [index.SearchField("short_bio")]
    subpage_types: list[str] = []
    parent_page_types = ["content.AuthorIndexPage"]

    @property
    def name(self) -> str:
        return self.title

    def get_context(self, request, *args, **kwargs):
        from masthead.content import selectors

        context = super().get_context(request, *args, **kwargs)
        context["articles"] = selectors.paginate(
            selectors.author_articles(author=self), request.GET.get("page")
        )
        return context


# Article ids per sitemap file (``content.sitemaps``); an index below divides by it.
SITEMAP_FILE_SIZE = 2_000


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "content.ArticlePage", related_name="tagged_items", on_delete=models.CASCADE
    )


def _times_are_in() -> str:
    # Read when the panel renders: the admin has the publication's zone active then.
    return f"Times are in {timezone.get_current_timezone_name()}."


times_are_in = lazy(_times_are_in, str)


class ArticleAuthor(Orderable):
    """One author of an article; ``sort_order`` is the byline order."""

    article = ParentalKey(
        "content.ArticlePage", related_name="author_links", on_delete=models.CASCADE
    )
    author = models.ForeignKey(
        "content.AuthorPage", on_delete=models.CASCADE, related_name="article_links"
    )

    panels = [FieldPanel("author")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="one_link_per_author")
        ]

    def __str__(self):
        return f"{self.article_id}: {self.author_id}"


class ArticlePage(Page):
    dek = models.CharField(
        "standfirst", max_length=300, blank=True, help_text="One sentence under the headline."
    )
    lead_image = models.ForeignKey(
        MastheadImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lead_image_caption = models.CharField(max_length=300, blank=True)
    body = StreamField(ArticleBodyBlock(), blank=True)
    # Edited through ``author_links`` (ordered); this relation is for queries.
    authors = models.ManyToManyField(
        "content.AuthorPage", through=ArticleAuthor, blank=True, related_name="articles"
    )
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True)
    access_level = models.CharField(
        max_length=16, choices=AccessLevel.choices, default=AccessLevel.METERED, db_index=True
    )
    comments_open = models.BooleanField(
        default=True, help_text="Subscribers may post comments on this article."
    )
    # Copies of the page's section, first publication and liveness, on this table so that
    # listings (a section's newest, the site's newest) read one index in order instead of
    # sorting every article of a section. ``save`` sets them from the page's own fields on
    # every save (publishing a revision, unpublishing, a move), so a revision's stale copy
    # never wins; the bulk loader writes them too.
    section_page = models.ForeignKey(
        "content.SectionPage",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The last publish: the sitemaps' lastmod.
    modified_at = models.DateTimeField(null=True, blank=True, editable=False)
    listed = models.BooleanField(default=False, editable=False)
    # Derived from the text on every save, so cards need no body to show it.
    reading_time = models.PositiveSmallIntegerField(
        "reading time (minutes)", default=1, editable=False
    )

    # What an editor sets for every story is on the Content tab.
    content_panels = Page.content_panels + [
        FieldPanel("dek"),
        InlinePanel("author_links", heading="Authors", label="Author", min_num=1),
        MultiFieldPanel(
            [FieldPanel("lead_image"), FieldPanel("lead_image_caption")], heading="Lead image"
        ),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("tags"), FieldPanel("access_level"), FieldPanel("comments_open")],
            heading="Tags and access",
        ),
    ]
    # Wagtail's scheduling fields, labelled with the zone they are entered in.
    settings_panels = [PublishingPanel(help_text=times_are_in), *Page.settings_panels[1:]]
    # Only text every reader may read: a match is itself a disclosure (PAYWALL.md). The
    # whole text has an index entry of its own (``ArticleFullText``), so Wagtail's admin
    # and anything else that searches pages can never confirm a gated sentence.
    search_fields = Page.search_fields + [
        index.SearchField("dek"),
        index.SearchField("public_body"),
        index.SearchField("tag_names"),
        index.SearchField("author_names"),
        index.FilterField("access_level"),
        index.FilterField("first_published_at"),
        index.FilterField("listed"),
        index.FilterField("published_at"),
        index.FilterField("section_page"),
    ]
    subpage_types: list[str] = []
    parent_page_types = ["content.SectionPage"]

    class Meta:
        indexes = [
            models.Index(
                fields=["section_page", "-published_at", "-page_ptr"],
                condition=models.Q(listed=True),
                name="article_section_newest",
            ),
            models.Index(
                fields=["-published_at", "-page_ptr"],
                condition=models.Q(listed=True),
                name="article_newest",
            ),
            # The sitemap index's lastmod of each file (``SITEMAP_FILE_SIZE`` ids): one
            # probe per file instead of reading every article.
            models.Index(
                models.F("page_ptr_id") / SITEMAP_FILE_SIZE,
                "modified_at",
                condition=models.Q(listed=True),
                name="article_sitemap_block_2k",
            ),
            # Search joins Wagtail's index entries (``object_id`` is text) to articles.
            models.Index(
                Cast("page_ptr", output_field=models.TextField()),
                condition=models.Q(listed=True),
                name="article_id_as_text",
            ),
        ]

    def save(self, *args, **kwargs):
        self.listing_columns_set()
        # Publishing a revision saves the page built from it: the figure follows the text.
        self.reading_time = reading_time.minutes(
            " ".join((self.title, self.dek, self.whole_body()))
        )
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = {"reading_time"} if "body" in update_fields else set()
            kwargs["update_fields"] = {*update_fields, *LISTING_COLUMNS, *extra}
        return super().save(*args, **kwargs)

    def listing_columns_set(self) -> None:
        """Copy the section (the parent page), first publication and liveness here."""
        if self.path and self.depth and self.depth > 1:
            parent_path = self.path[: -self.steplen]
            if self._listing_parent_path != parent_path:
                self.section_page_id = (
                    Page.objects.filter(path=parent_path).values_list("pk", flat=True).first()
                )
                self._listing_parent_path = parent_path
        self.published_at = self.first_published_at
        self.modified_at = self.last_published_at
        self.listed = bool(self.live and self.first_published_at)

    _listing_parent_path: str | None = None

    @cached_property
    def section(self) -> SectionPage | None:
        parent = self.get_parent()
        return parent.specific if parent else None

    @property
    def is_free(self) -> bool:
        return self.access_level == AccessLevel.FREE

    def public_body(self) -> str:
        """The body's text every reader may read: all of a free article, else the teaser.

        The teaser's length is the paywall's setting, which pages do not know: the index
        holds ``search.INDEXED_TEASER_BLOCKS`` blocks, the paywall's default, and
        ``selectors.search_articles`` stops using them if an editor shortens the teaser.
        """
        return self._blocks_text(None if self.is_free else search.INDEXED_TEASER_BLOCKS)

    def whole_body(self) -> str:
        return self._blocks_text(None)

    def tag_names(self) -> str:
        return " ".join(tag.name for tag in self.tags.all())

    def author_names(self) -> str:
        return " ".join(link.author.title for link in self.author_links.all())

    def search_texts(self) -> dict[str, str]:
        """The parts of ``search_table``'s vectors: the body split where the teaser ends."""
        teaser = None if self.is_free else search.INDEXED_TEASER_BLOCKS
        return {
            "title": self.title,
            "dek": self.dek,
            "labels": " ".join(part for part in (self.tag_names(), self.author_names()) if part),
            "public_body": self._blocks_text(teaser),
            "rest_body": "" if teaser is None else self._blocks_text(None, start=teaser),
        }

    def _blocks_text(self, blocks: int | None, *, start: int = 0) -> str:
        children = list(self.body)[start:blocks]
        return " ".join(
            text for child in children for text in child.block.get_searchable_content(child.value)
        )

    def get_context(self, request, *args, **kwargs):
        from masthead.content import selectors, variants

        context = super().get_context(request, *args, **kwargs)
        context["authors"] = selectors.article_authors(article=self)
        context["section"] = self.section
        if getattr(request, "is_preview", False):
            # Editors see the whole article; readers get the variant the reading
            # layer picks and renders with ``content.variants.render``.
            context |= variants.variant_context(self, variants.WHOLE, teaser_blocks=None)
        return context


LISTING_COLUMNS = ("section_page", "published_at", "modified_at", "listed")


def article_moved(sender=None, instance=None, parent_page_after=None, **_signal_kwargs) -> None:
    """Treebeard moves a page by rewriting paths, and Wagtail then saves it as a plain
    ``Page``: the article's copy of its section is set here."""
    if isinstance(sender, type) and issubclass(sender, ArticlePage) and parent_page_after:
        ArticlePage.objects.filter(pk=instance.pk).update(section_page=parent_page_after.pk)


class ArticleFullText(index.Indexed, models.Model):
    """An article's whole text as a search index entry of its own, for entitled readers.

    It reads the article's own table (unmanaged: no rows to keep in step), so every
    article has one; only ``selectors.search_articles(whole_text=True)`` searches it.
    ``article_reindex`` refreshes it with the article's own entry.
    """

    article = models.OneToOneField(
        ArticlePage,
        primary_key=True,
        db_column="page_ptr_id",
        on_delete=models.DO_NOTHING,
        related_name="+",
    )

    search_fields = [
        index.SearchField("title"),
        index.SearchField("text"),
        index.FilterField("article"),
    ]

    class Meta:
        managed = False
        db_table = "content_articlepage"

    def __str__(self):
        return f"Full text of {self.article_id}"

    @classmethod
    def get_indexed_objects(cls):
        return cls.objects.select_related("article")

    def title(self) -> str:
        return self.article.title

    def text(self) -> str:
        article = self.article
        parts = (article.dek, article.whole_body(), article.tag_names(), article.author_names())
        return " ".join(part for part in parts if part)


def article_reindex(
    sender=None, instance=None, update_fields=None, raw=False, **_signal_kwargs
) -> None:
    """Index both entries of a saved or published article again, from its stored row.

    Wagtail indexes a page as its row is saved, before modelcluster writes its tags and
    author links; ``page_published`` comes after them. A save with ``update_fields`` is
    Wagtail recording a draft, which leaves the live text as it was.
    """
    if not isinstance(instance, ArticlePage) or update_fields is not None or raw:
        return
    article = ArticlePage.objects.filter(pk=instance.pk).first()
    if article is not None:
        index.insert_or_update_object(article)
        index.insert_or_update_object(ArticleFullText(article=article))
        article_search_refresh(article)


def article_search_refresh(article: ArticlePage) -> None:
    """The reader search's row (PostgreSQL): written while the article is listed."""
    if not search_table.available():
        return
    if not (article.listed and article.published_at):
        search_table.row_delete(article.pk)
        return
    search_table.row_write(
        article_id=article.pk,
        published_at=article.published_at,
        access_level=article.access_level,
        texts=article.search_texts(),
        config=get_search_backend().config,
    )


def article_unindex(sender=None, instance=None, **_signal_kwargs) -> None:
    if isinstance(instance, ArticlePage):
        index.remove_object(ArticleFullText(article_id=instance.pk))


def article_search_fill(sender=None, **_signal_kwargs) -> int:
    """Rows for listed articles that have none (after the migration that made the table).

    Runs after every ``migrate``: one anti-join finds nothing once the table is full.
    """
    if not search_table.available():
        return 0
    # NOT EXISTS, an anti-join: NOT IN over a million ids would compare them in turn.
    missing = ArticlePage.objects.filter(listed=True).exclude(
        models.Exists(ArticleSearch.objects.filter(article_id=models.OuterRef("pk")))
    )
    filled = 0
    for article in missing.iterator(chunk_size=500):
        article_search_refresh(article)
        filled += 1
    return filled


class ArticleSearch(models.Model):
    """An article's row in the reader search on PostgreSQL (``search_table``).

    Its GIN indexes (with the week first, through ``btree_gin``) are made by the
    migration on PostgreSQL alone.
    """

    article = models.OneToOneField(
        ArticlePage, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    published_at = models.DateTimeField()
    week = models.IntegerField()
    access_level = models.CharField(max_length=16)
    public = SearchVectorField()
    whole = SearchVectorField()

    def __str__(self):
        return f"Search row of {self.article_id}"


class ArticleStats(models.Model):
    """Figures about an article kept beside it, not in its revisions.

    A page field would be overwritten with a stale value by the next publish
    of a revision; this row is written only by the app that counts.
    """

    article = models.OneToOneField(
        ArticlePage, on_delete=models.CASCADE, primary_key=True, related_name="stats"
    )
    comment_count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.article_id}: {self.comment_count} comments"
