"""Read queries for the publication's pages, shaped to avoid N+1 queries."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.paginator import Page, Paginator
from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property
from modelcluster.queryset import FakeQuerySet
from taggit.models import Tag
from wagtail.search.backends import get_search_backend

from masthead.content import fulltext
from masthead.content.models import (
    AccessLevel,
    ArticleFullText,
    ArticlePage,
    AuthorPage,
    MastheadImage,
    SectionPage,
)
from masthead.content.search import INDEXED_TEASER_BLOCKS, reader_query

HOME_ARTICLES_PER_SECTION = 3
HOME_SCAN = 200
RELATED_ARTICLES = 4
PAGE_SIZE = 12
MAX_PAGES = 200


def listed_articles() -> QuerySet[ArticlePage]:
    """Live, public articles; ``listed`` (kept by ``ArticlePage.save``) is in the listing
    indexes, so the newest come from an index in order instead of a sort."""
    return ArticlePage.objects.filter(listed=True).public()


def published_articles(*, with_counts: bool = True) -> QuerySet[ArticlePage]:
    """Live, public articles, newest first, with what an article card shows."""
    articles = listed_articles()
    if with_counts:
        articles = articles.annotate(comment_count=Coalesce(F("stats__comment_count"), 0))
    return articles.prefetch_related(
        Prefetch("lead_image", queryset=MastheadImage.objects.prefetch_renditions()),
        Prefetch("authors", queryset=AuthorPage.objects.order_by("article_links__sort_order")),
    ).order_by("-published_at", "-page_ptr_id")


def search_articles(
    *, text: str, whole_text: bool = False, teaser_blocks: int = INDEXED_TEASER_BLOCKS
) -> QuerySet[ArticlePage] | SearchCards:
    """Published articles matching what a reader typed; none when they typed no word.

    A match is itself a disclosure, so a reader matches only what they may read
    (PAYWALL.md): ``whole_text`` is for readers entitled to every article whole
    (subscribers, staff), whose search includes the gated part of each body; everyone
    else searches ``ArticlePage``'s own entry (title, standfirst, tags, authors, the whole
    of a free article and the teaser of the others). ``teaser_blocks`` is the paywall's
    teaser as set now: if an editor has made it shorter than the teaser in the index,
    only free articles match those readers while it is shorter.
    """
    query = reader_query(text)
    if query is None:
        return ArticlePage.objects.none()
    if fulltext.available():
        free_only = not whole_text and teaser_blocks < INDEXED_TEASER_BLOCKS
        ids = fulltext.ranked_ids(query, whole_text=whole_text, free_only=free_only)
        return RankedCards(ids, query=query, whole_text=whole_text, teaser_blocks=teaser_blocks)
    if whole_text:
        published = published_articles(with_counts=False).values("pk")
        whole = ArticleFullText.objects.filter(article__in=published)
        matches = get_search_backend().search(query, whole)
        return SearchCards(matches)
    articles = published_articles()
    if teaser_blocks < INDEXED_TEASER_BLOCKS:
        articles = articles.filter(access_level=AccessLevel.FREE)
    return articles.search(query)


class SearchCards:
    """Article cards for whole-text matches, in the index's order, a page at a time.

    A ``Paginator`` asks for the count and one slice; only that slice becomes cards.
    """

    def __init__(self, matches):
        self._matches = matches

    def count(self) -> int:
        return self._matches.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[ArticlePage]:
        ids = [match.article_id for match in self._matches[window]]
        cards = published_articles().in_bulk(ids)
        return [cards[pk] for pk in ids if pk in cards]


class RankedCards:
    """Article cards for ranked ids (PostgreSQL's search), with highlighted snippets.

    Only the page shown becomes cards; each snippet is cut from what this reader may
    read (``fulltext.readable_text``).
    """

    def __init__(self, ids: list[int], *, query, whole_text: bool, teaser_blocks: int):
        self._query, self._whole_text, self._teaser_blocks = query, whole_text, teaser_blocks
        self.capped = len(ids) >= fulltext.CANDIDATES
        # A page under a view restriction is listed but not public: dropped here, in order.
        public = set(listed_articles().filter(pk__in=ids).values_list("pk", flat=True))
        self._ids = [pk for pk in ids if pk in public]

    def count(self) -> int:
        return len(self._ids)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[ArticlePage]:
        ids = self._ids[window]
        cards = published_articles().in_bulk(ids)
        articles = [cards[pk] for pk in ids if pk in cards]
        texts = [
            fulltext.readable_text(
                article,
                whole_text=self._whole_text,
                teaser_blocks=min(self._teaser_blocks, INDEXED_TEASER_BLOCKS),
            )
            for article in articles
        ]
        for article, snippet in zip(articles, fulltext.snippets(self._query, texts), strict=True):
            article.search_snippet = snippet
        return articles


def live_sections() -> list[SectionPage]:
    return list(SectionPage.objects.live().order_by("path"))


def attach_sections(articles: Iterable[ArticlePage]) -> list[ArticlePage]:
    """Give each article its section without a query per article."""
    articles = list(articles)
    sections = {section.path: section for section in live_sections()}
    for article in articles:
        parent_path = article.path[: -ArticlePage.steplen]
        article.__dict__["section"] = sections.get(parent_path)
    return articles


def home_page_blocks(*, site_root) -> dict:
    """The lead story, then the newest few articles of each section.

    One scan of recent article ids fills most sections; only a section with
    nothing recent needs a query of its own. The cards are then fetched in
    one query, so the count does not grow with the number of sections.
    """
    sections = [s for s in live_sections() if s.path.startswith(site_root.path)]
    live_ids = listed_articles().order_by("-published_at", "-page_ptr_id")
    picked: dict[int, list[int]] = {section.pk: [] for section in sections}
    # The site's newest, read from one index in order; another site's sections are skipped.
    scanned = list(live_ids.values_list("pk", "section_page_id")[:HOME_SCAN])
    recent = [(pk, section_id) for pk, section_id in scanned if section_id in picked]
    lead_id = recent[0][0] if recent else None
    for pk, section_id in recent[1:]:
        ids = picked.get(section_id)
        if ids is not None and len(ids) < HOME_ARTICLES_PER_SECTION:
            ids.append(pk)
    for section in sections:
        ids = picked[section.pk]
        if len(ids) < HOME_ARTICLES_PER_SECTION and len(scanned) == HOME_SCAN:
            more = live_ids.filter(section_page=section).exclude(pk=lead_id)
            picked[section.pk] = list(more.values_list("pk", flat=True)[:HOME_ARTICLES_PER_SECTION])
    wanted = [pk for ids in picked.values() for pk in ids] + ([lead_id] if lead_id else [])
    cards = published_articles().in_bulk(wanted)
    groups = []
    for section in sections:
        articles = [cards[pk] for pk in picked[section.pk] if pk in cards]
        for article in articles:
            article.__dict__["section"] = section
        if articles:
            groups.append({"section": section, "articles": articles})
    lead = cards.get(lead_id)
    if lead:
        attach_sections([lead])
    return {"lead": lead, "section_groups": groups}


class CappedPaginator(Paginator):
    """Counts at most ``MAX_PAGES`` pages of articles, however many there are.

    ``COUNT(*)`` of a section of 200,000 articles reads all of them on every uncached
    render; a reader never needs page 20,000 of a section (the archive is reached by
    search, tags and the sitemaps), so the listing stops at page ``MAX_PAGES`` and the
    count reads at most that many rows. Page numbers stay in the URL (unlike a keyset
    cursor), and the deepest page costs an index walk of ``MAX_PAGES * PAGE_SIZE`` rows.
    """

    @cached_property
    def count(self) -> int:
        cap = MAX_PAGES * self.per_page
        objects = self.object_list
        if isinstance(objects, QuerySet):
            return objects.order_by()[:cap].count()
        return min(len(objects), cap)

    def page(self, number):
        """A deep page's ids from a walk of the listing index alone, then their cards.

        ``OFFSET`` over the cards' own query joins every skipped article to its page
        row and counts (2,400 at page 200: 24 ms at a million articles); the ids alone
        walk only the index (2 ms). The first page has nothing to skip.
        """
        objects = self.object_list
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if not isinstance(objects, QuerySet) or not bottom:
            return super().page(number)
        ids = list(objects.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        return self._get_page(list(objects.filter(pk__in=ids)), number, self)


def paginate(articles: QuerySet[ArticlePage], page_number) -> Page:
    """One page of article cards, each knowing its section."""
    page = CappedPaginator(articles, PAGE_SIZE).get_page(page_number)
    page.object_list = attach_sections(page.object_list)
    return page


def section_articles(*, section: SectionPage) -> QuerySet[ArticlePage]:
    return published_articles().filter(section_page=section)


def author_articles(*, author: AuthorPage) -> QuerySet[ArticlePage]:
    return published_articles().filter(authors=author)


def tag_articles(*, tag: Tag) -> QuerySet[ArticlePage]:
    return published_articles().filter(tagged_items__tag=tag)


def article_authors(*, article: ArticlePage) -> list[AuthorPage]:
    """The article's live authors in byline order.

    For a preview or a revision the links are the editor's unsaved choice, held in
    memory by modelcluster (a ``FakeQuerySet``); otherwise they are rows, joined here.
    """
    authors = AuthorPage.objects.live().prefetch_related(
        Prefetch("portrait", queryset=MastheadImage.objects.prefetch_renditions())
    )
    links = article.author_links.all()
    if not isinstance(links, FakeQuerySet):
        return list(
            authors.filter(article_links__article=article).order_by("article_links__sort_order")
        )
    ids = [link.author_id for link in links.order_by("sort_order")]
    by_id = authors.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def related_articles(
    *, article: ArticlePage, limit: int = RELATED_ARTICLES, with_counts: bool = True
) -> list[ArticlePage]:
    """Newest articles from the same section or sharing a tag, never the article itself."""
    tag_ids = list(article.tagged_items.values_list("tag_id", flat=True))
    same_section = Q(section_page_id=article.section_page_id)
    match = same_section | Q(tagged_items__tag_id__in=tag_ids) if tag_ids else same_section
    candidate_ids = (
        listed_articles()
        .filter(match)
        .exclude(pk=article.pk)
        .order_by("-published_at", "-page_ptr_id")
        .values_list("pk", "published_at")
        .distinct()[:limit]
    )
    ids = [pk for pk, _ in candidate_ids]
    if len(ids) < limit:
        # A thin section: fill the block with the newest articles elsewhere.
        newest = (
            listed_articles()
            .exclude(pk__in=[article.pk, *ids])
            .order_by("-published_at", "-page_ptr_id")
            .values_list("pk", flat=True)[: limit - len(ids)]
        )
        ids += list(newest)
    cards = published_articles(with_counts=with_counts).filter(pk__in=ids)
    by_id = {a.pk: a for a in cards}
    return attach_sections(by_id[pk] for pk in ids if pk in by_id)
