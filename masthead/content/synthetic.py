"""A large archive of synthetic articles, written fast and searchable like real ones.

Saving a page through Wagtail costs milliseconds and a dozen queries; a million of them
would take days. So the loader writes the rows itself: page-tree paths computed here
(treebeard's ``_get_path``), then on PostgreSQL one ``COPY`` per table and batch, and each
article's row of the reader search (``search_table``) built by PostgreSQL with the same
parts and weights as ``article_reindex`` writes (``test_synthetic.py`` compares them).
Wagtail's own index entries (the admin's search) are not written on PostgreSQL. On
SQLite (the demo, the tests) the same rows go through ``bulk_create`` and the backend's
``add_bulk``, which the reader search uses there. Comments: ``comments.synthetic``.

No revisions: the read path needs none (``variants.page_version`` falls back to the
publish time), and an editor who opens a synthetic article gets one on the first save.

The distributions are those of a newsroom: articles spread over fifteen years (in id
order, newest first, as ids follow dates in a real archive), sections
and authors of unequal output (a few writers write most stories), one to four tags from a
long-tailed list, a fifth of them free and a tenth for subscribers only, bodies of six to
fourteen paragraphs drawn from the demo's own prose vocabulary, most with a lead image.
"""

from __future__ import annotations

import bisect
import json
import math
import random
import re
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from itertools import accumulate

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.models import Locale, Page
from wagtail.search.backends import get_search_backend

from masthead.content import demo_data, reading_time, search, search_table
from masthead.content.models import (
    AccessLevel,
    ArticleAuthor,
    ArticleFullText,
    ArticlePage,
    ArticlePageTag,
    AuthorPage,
    MastheadImage,
    SectionPage,
)
from masthead.core import generations

BATCH = 5000
# From this many articles on, the search index's GIN indexes are dropped and built again
# once at the end, which is faster than updating them row by row.
GIN_REBUILD_FROM = 100_000
YEARS = 15
EXTRA_TAGS = 240
PARAGRAPH_POOL = 3000
SUBHEADING_POOL = 200
# Shares of each access level, as a metered newsroom publishes them.
ACCESS_SHARES = (
    (AccessLevel.FREE, 0.2),
    (AccessLevel.METERED, 0.7),
    (AccessLevel.SUBSCRIBERS, 0.1),
)
WITH_IMAGE_SHARE = 0.85
_WORD = re.compile(r"[A-Za-z][a-z]+")


class _Vocabulary:
    """Words weighted by how often the demo's own articles use them."""

    def __init__(self, rng: random.Random):
        counts = Counter(
            word
            for spec in demo_data.ARTICLES
            for block in spec["body"]
            for word in _WORD.findall(block.get("text", ""))
        )
        for spec in demo_data.ARTICLES:
            counts.update(_WORD.findall(spec["title"] + " " + spec["dek"]))
        self.words = [word for word, _ in counts.most_common()]
        self.cumulative = list(accumulate(counts[word] for word in self.words))
        self.rng = rng

    def sample(self, count: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=count)

    def sentence(self, low: int, high: int) -> str:
        text = " ".join(self.sample(self.rng.randint(low, high)))
        return text[:1].upper() + text[1:]


class _Weighted:
    """Choose items with the given weights, fast (one bisect per pick)."""

    def __init__(self, rng: random.Random, items: list, weights: list[float]):
        self.items, self.rng = items, rng
        self.cumulative = list(accumulate(weights))

    def pick(self):
        point = self.rng.random() * self.cumulative[-1]
        return self.items[bisect.bisect(self.cumulative, point)]


class _Phases:
    """Seconds spent in each phase of a load, printed at the end to show where it goes."""

    def __init__(self):
        self.seconds: Counter[str] = Counter()

    @contextmanager
    def __call__(self, name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - started

    def report(self) -> str:
        return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.seconds.items())


def _zipf(count: int) -> list[float]:
    return [1 / (rank + 1) for rank in range(count)]


class _Archive:
    """What every synthetic article is drawn from."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.vocabulary = _Vocabulary(rng)
        sections = list(SectionPage.objects.order_by("path"))
        if not sections:
            raise ValueError("Load the demo before adding synthetic articles.")
        self.sections = _Weighted(rng, sections, _zipf(len(sections)))
        self.section_list = sections
        authors = list(AuthorPage.objects.order_by("pk"))
        rng.shuffle(authors)
        self.authors = _Weighted(rng, authors, _zipf(len(authors))) if authors else None
        self.images = list(
            MastheadImage.objects.exclude(title__startswith="Portrait")
            .exclude(title__endswith=" logo")
            .values_list("pk", flat=True)
        )
        tags = _tags_ensure(self.vocabulary)
        self.tags = _Weighted(rng, tags, _zipf(len(tags))) if tags else None
        self.access = _Weighted(rng, [a for a, _ in ACCESS_SHARES], [s for _, s in ACCESS_SHARES])
        self.oldest = (
            ArticlePage.objects.order_by("first_published_at")
            .values_list("first_published_at", flat=True)
            .first()
            or timezone.now()
        )
        self.span = YEARS * 365 * 24 * 3600
        # Makes each slug unique.
        self.serial = Page.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        paragraphs = [
            " ".join(self.vocabulary.sentence(10, 28) + "." for _ in range(rng.randint(2, 5)))
            for _ in range(PARAGRAPH_POOL)
        ]
        subheadings = [self.vocabulary.sentence(3, 6) for _ in range(SUBHEADING_POOL)]
        # Every body is made of these blocks, by number; PostgreSQL's writer indexes each once.
        self.blocks = [("paragraph", text) for text in paragraphs] + [
            ("subheading", text) for text in subheadings
        ]
        # Each block's JSON up to its id, and its words, made once.
        self.block_json = [
            json.dumps({"type": kind, "value": _block_value(kind, text), "id": ""})[:-2]
            for kind, text in self.blocks
        ]
        self.block_words = [reading_time.words(text) for _, text in self.blocks]

    def body(self) -> list[int]:
        """Block numbers: paragraphs, now and then a subheading."""
        rng, blocks = self.rng, []
        for number in range(rng.randint(6, 14)):
            if number and rng.random() < 0.08:
                blocks.append(rng.randrange(PARAGRAPH_POOL, PARAGRAPH_POOL + SUBHEADING_POOL))
            blocks.append(rng.randrange(PARAGRAPH_POOL))
        return blocks

    def body_json(self, block_ids: list[int]) -> str:
        """The body as the StreamField stores it, each block with an id of its own."""
        blocks = (f'{self.block_json[number]}{uuid.uuid4()}"}}' for number in block_ids)
        return f"[{', '.join(blocks)}]"

    def reading_minutes(self, row: dict) -> int:
        counted = reading_time.words(f"{row['title']} {row['dek']}")
        counted += sum(self.block_words[number] for number in row["block_ids"])
        return max(1, math.ceil(counted / reading_time.WORDS_PER_MINUTE))

    def row(self, next_step: dict[int, int], position: float) -> dict:
        """One article's values; ``next_step`` counts each section's children.

        ``position`` (0 to 1) is how far back in the archive's years it was published:
        later rows are older, as a real archive's ids follow its dates (backwards here,
        since these are older than what is there).
        """
        rng = self.rng
        section = self.sections.pick()
        next_step[section.pk] += 1
        self.serial += 1
        title = self.vocabulary.sentence(5, 11)
        block_ids = self.body()
        row = {
            "section": section,
            "step": next_step[section.pk],
            "title": title,
            "slug": f"{slugify(title)[:60].rstrip('-')}-{self.serial}",
            "published": self.oldest - timedelta(seconds=60 + position * self.span),
            "dek": self.vocabulary.sentence(14, 26) + ".",
            "block_ids": block_ids,
            "blocks": [self.blocks[number] for number in block_ids],
            "body_json": self.body_json(block_ids),
            "access": self.access.pick(),
            "image": rng.choice(self.images)
            if self.images and rng.random() < WITH_IMAGE_SHARE
            else None,
            "tags": self.article_tags(),
            "authors": self.article_authors(),
        }
        row["minutes"] = self.reading_minutes(row)
        return row

    def article_tags(self) -> list[Tag]:
        if self.tags is None:
            return []
        return list(
            {
                tag.pk: tag for tag in (self.tags.pick() for _ in range(self.rng.randint(1, 4)))
            }.values()
        )

    def article_authors(self) -> list[AuthorPage]:
        if self.authors is None:
            return []
        count = 2 if self.rng.random() < 0.12 else 1
        return list({a.pk: a for a in (self.authors.pick() for _ in range(count))}.values())


def _tags_ensure(vocabulary: _Vocabulary) -> list[Tag]:
    """The demo's tags and a long tail of topic words, created once."""
    existing = {tag.name.lower() for tag in Tag.objects.all()}
    wanted = []
    for word in vocabulary.words:
        name = word.lower()
        if len(wanted) >= EXTRA_TAGS:
            break
        if len(name) >= 5 and name not in existing:
            existing.add(name)
            wanted.append(Tag(name=name, slug=slugify(name)))
    taken = set(Tag.objects.values_list("slug", flat=True))
    Tag.objects.bulk_create([tag for tag in wanted if tag.slug not in taken])
    return list(Tag.objects.order_by("pk"))


def _block_value(kind: str, text: str):
    return f"<p>{text}</p>" if kind == "paragraph" else text


def _stream(row: dict) -> list[dict]:
    return [
        {"type": kind, "value": _block_value(kind, text), "id": str(uuid.uuid4())}
        for kind, text in row["blocks"]
    ]


def _field_defaults(model, fields) -> dict[str, object]:
    """Database values of the fields a row leaves to their defaults (new fields too)."""
    return {
        field.column: field.get_db_prep_save(field.get_default(), connection) for field in fields
    }


def add_synthetic_articles(*, count: int, seed: int = 7, stdout=None) -> list[int]:
    """Add ``count`` live articles, indexed for search; returns their ids.

    They are older than every article already there, spread over the ``YEARS`` before it.
    """
    if count <= 0:
        return []
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    archive = _Archive(rng)
    phases = _Phases()
    writer = (
        _PostgresWriter(archive, count=count, phases=phases)
        if connection.vendor == "postgresql"
        else _OrmWriter(archive)
    )
    next_step = {s.pk: s.numchild for s in archive.section_list}
    written_step = dict(next_step)

    def draw(done: int) -> list[dict]:
        size = min(BATCH, count - done)
        with phases("rows drawn"):
            return [archive.row(next_step, (done + n + rng.random()) / count) for n in range(size)]

    ids: list[int] = []
    # The next batch is drawn in a thread while the database writes this one (the GIL is
    # free while the connection waits), so drawing costs no time of its own.
    with ThreadPoolExecutor(max_workers=1) as drawer:
        try:
            upcoming = drawer.submit(draw, 0)
            while len(ids) < count:
                rows = upcoming.result()
                if len(ids) + len(rows) < count:
                    upcoming = drawer.submit(draw, len(ids) + len(rows))
                with transaction.atomic():
                    ids += writer.write(rows)
                    for row in rows:
                        pk = row["section"].pk
                        written_step[pk] = max(written_step[pk], row["step"])
                    for section in archive.section_list:
                        Page.objects.filter(pk=section.pk).update(numchild=written_step[section.pk])
                if stdout:
                    stdout.write(f"  {len(ids)}/{count} synthetic articles")
        finally:
            # The indexes dropped for the load come back even when it fails half-way.
            writer.finish()
    if stdout:
        stdout.write(f"  time by phase: {phases.report()}")
    # Bulk inserts send no publish signals, so invalidate cached pages here.
    for name in generations.NAMES:
        generations.bump(name)
    return ids


def _texts(row: dict) -> dict[str, str]:
    def body(blocks):
        return " ".join(text for _, text in row["blocks"][:blocks])

    return {
        "public_body": body(_public_blocks(row)),
        "whole_body": body(None),
        "tag_names": " ".join(tag.name for tag in row["tags"]),
        "author_names": " ".join(author.title for author in row["authors"]),
    }


def _public_blocks(row: dict) -> int | None:
    return None if row["access"] == AccessLevel.FREE else search.INDEXED_TEASER_BLOCKS


class _OrmWriter:
    """SQLite and other databases: ``bulk_create``, then the backend indexes the rows."""

    def __init__(self, archive: _Archive):
        self.archive = archive
        self.content_type = ContentType.objects.get_for_model(ArticlePage)
        self.locale = Locale.get_default()
        self.fields = ArticlePage._meta.local_concrete_fields

    def write(self, rows: list[dict]) -> list[int]:
        pages = [
            Page(
                title=row["title"],
                draft_title=row["title"],
                slug=row["slug"],
                content_type=self.content_type,
                locale=self.locale,
                path=Page._get_path(row["section"].path, row["section"].depth + 1, row["step"]),
                depth=row["section"].depth + 1,
                numchild=0,
                url_path=f"{row['section'].url_path}{row['slug']}/",
                live=True,
                has_unpublished_changes=False,
                first_published_at=row["published"],
                last_published_at=row["published"],
            )
            for row in rows
        ]
        Page.objects.bulk_create(pages)
        if pages[0].pk is None:
            found = dict(
                Page.objects.filter(path__in=[p.path for p in pages]).values_list("path", "pk")
            )
            for page in pages:
                page.pk = page.id = found[page.path]
        articles = [
            ArticlePage(
                page_ptr_id=page.pk,
                dek=row["dek"],
                body=_stream(row),
                lead_image_id=row["image"],
                lead_image_caption="",
                access_level=row["access"],
                section_page_id=row["section"].pk,
                published_at=row["published"],
                modified_at=row["published"],
                listed=True,
                reading_time=row["minutes"],
            )
            for page, row in zip(pages, rows, strict=True)
        ]
        # bulk_create refuses multi-table children; insert only the child table.
        ArticlePage._base_manager._insert(articles, fields=self.fields)
        ArticleAuthor.objects.bulk_create(
            ArticleAuthor(article_id=page.pk, author_id=author.pk, sort_order=order)
            for page, row in zip(pages, rows, strict=True)
            for order, author in enumerate(row["authors"])
        )
        ArticlePageTag.objects.bulk_create(
            ArticlePageTag(content_object_id=page.pk, tag_id=tag.pk)
            for page, row in zip(pages, rows, strict=True)
            for tag in row["tags"]
        )
        ids = [page.pk for page in pages]
        # The backend asks each article for its texts field by field, and would parse the
        # body's rich text again for each; the loader knows them already (plain text, as
        # ``get_searchable_content`` returns it), so the articles in memory answer.
        indexed = []
        for page, article, row in zip(pages, articles, rows, strict=True):
            article.__dict__.update(
                {name: getattr(page, name) for name in ("id", "title", "slug", "path", "depth")}
            )
            texts = _texts(row)
            for name, text in texts.items():
                setattr(article, name, (lambda text=text: text))
            indexed.append(article)
        backend = get_search_backend()
        backend.add_bulk(ArticlePage, indexed)
        backend.add_bulk(ArticleFullText, [ArticleFullText(article=a) for a in indexed])
        return ids

    def finish(self) -> None:
        pass


class _PostgresWriter:
    """``COPY`` of every row, then each article's search row computed by PostgreSQL.

    The load session commits asynchronously (a crash loses the load, which is run again),
    compresses the vectors with lz4 where the server has it, and, for a large load, drops
    the search table's GIN indexes and builds them once at the end with more memory.
    """

    def __init__(self, archive: _Archive, *, count: int, phases: _Phases):
        self.archive, self.phases = archive, phases
        self.blocks_ready = False
        self.content_type = ContentType.objects.get_for_model(ArticlePage).pk
        self.locale = Locale.get_default().pk
        self.config = get_search_backend().config
        set_by_loader = {
            "id", "path", "depth", "numchild", "title", "draft_title", "slug", "url_path",
            "live", "has_unpublished_changes", "first_published_at", "last_published_at",
            "content_type_id", "locale_id", "translation_key",
        }  # fmt: skip
        page_fields = Page._meta.concrete_fields
        self.page_defaults = _field_defaults(
            Page, [f for f in page_fields if f.column not in set_by_loader]
        )
        article_set = {
            "page_ptr_id", "dek", "body", "lead_image_id", "access_level",
            "section_page_id", "published_at", "modified_at", "listed", "reading_time",
        }  # fmt: skip
        self.article_defaults = _field_defaults(
            ArticlePage,
            [f for f in ArticlePage._meta.local_concrete_fields if f.column not in article_set],
        )
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            cursor.execute(
                "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression'"
                " AND 'lz4' = ANY(enumvals)"
            )
            if cursor.fetchone():
                cursor.execute("SET default_toast_compression = 'lz4'")
            cursor.execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS synthetic_search ("
                " article_id int, published_at timestamptz, access_level text, title text,"
                " dek text, labels text, public_blocks int[], rest_blocks int[])"
            )
        self.gin_indexes = self._gin_indexes_drop() if count >= GIN_REBUILD_FROM else []

    def _copy(self, table: str, columns: list[str], rows) -> None:
        with self.phases(f"COPY {table}"), connection.cursor() as cursor:
            statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with cursor.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)

    def _ids(self, count: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('wagtailcore_page', 'id'))"
                " FROM generate_series(1, %s)",
                [count],
            )
            return [pk for (pk,) in cursor.fetchall()]

    def write(self, rows: list[dict]) -> list[int]:
        ids = self._ids(len(rows))
        page_columns = [
            "id", "path", "depth", "numchild", "title", "draft_title", "slug", "url_path",
            "live", "has_unpublished_changes", "first_published_at", "last_published_at",
            "content_type_id", "locale_id", "translation_key", *self.page_defaults,
        ]  # fmt: skip
        page_rest = tuple(self.page_defaults.values())
        self._copy(
            "wagtailcore_page",
            page_columns,
            (
                (
                    pk,
                    Page._get_path(row["section"].path, row["section"].depth + 1, row["step"]),
                    row["section"].depth + 1,
                    0,
                    row["title"],
                    row["title"],
                    row["slug"],
                    f"{row['section'].url_path}{row['slug']}/",
                    True,
                    False,
                    row["published"],
                    row["published"],
                    self.content_type,
                    self.locale,
                    uuid.uuid4(),
                    *page_rest,
                )
                for pk, row in zip(ids, rows, strict=True)
            ),
        )
        article_rest = tuple(self.article_defaults.values())
        self._copy(
            "content_articlepage",
            [
                "page_ptr_id",
                "dek",
                "body",
                "lead_image_id",
                "access_level",
                "section_page_id",
                "published_at",
                "modified_at",
                "listed",
                "reading_time",
                *self.article_defaults,
            ],
            (
                (
                    pk,
                    row["dek"],
                    row["body_json"],
                    row["image"],
                    row["access"],
                    row["section"].pk,
                    row["published"],
                    row["published"],
                    True,
                    row["minutes"],
                    *article_rest,
                )
                for pk, row in zip(ids, rows, strict=True)
            ),
        )
        self._copy(
            "content_articleauthor",
            ["article_id", "author_id", "sort_order"],
            (
                (pk, author.pk, order)
                for pk, row in zip(ids, rows, strict=True)
                for order, author in enumerate(row["authors"])
            ),
        )
        self._copy(
            "content_articlepagetag",
            ["content_object_id", "tag_id"],
            ((pk, tag.pk) for pk, row in zip(ids, rows, strict=True) for tag in row["tags"]),
        )
        self._index(ids, rows)
        return ids

    def _blocks_ensure(self) -> None:
        """The archive's blocks and their vectors, computed once for every body."""
        if self.blocks_ready:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE synthetic_blocks (id int PRIMARY KEY, text text,"
                " vector tsvector)"
            )
            # Vectors of consecutive blocks joined with ``||`` hold the same lexemes and
            # weights as the vector of their joined text (positions after a trailing stop
            # word may differ by one), at a tenth of the cost.
            cursor.execute(
                "CREATE AGGREGATE pg_temp.tsvector_cat(tsvector)"
                " (SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = '')"
            )
        self._copy(
            "synthetic_blocks",
            ["id", "text"],
            ((number, text) for number, (_, text) in enumerate(self.archive.blocks)),
        )
        with connection.cursor() as cursor:
            vector = search_table.to_vector("text", self.config)
            cursor.execute(f"UPDATE synthetic_blocks SET vector = {vector}")  # noqa: S608
        self.blocks_ready = True

    def _index(self, ids: list[int], rows: list[dict]) -> None:
        self._blocks_ensure()
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE synthetic_search")
            # Compiling this statement costs more than it saves on a batch.
            cursor.execute("SET LOCAL jit = off")
        self._copy(
            "synthetic_search",
            [
                "article_id",
                "published_at",
                "access_level",
                "title",
                "dek",
                "labels",
                "public_blocks",
                "rest_blocks",
            ],  # fmt: skip
            (
                (
                    pk,
                    row["published"],
                    row["access"],
                    row["title"],
                    row["dek"],
                    " ".join(
                        [tag.name for tag in row["tags"]]
                        + [author.title for author in row["authors"]]
                    ),
                    row["block_ids"][: _public_blocks(row)],
                    row["block_ids"][_public_blocks(row) :] if _public_blocks(row) else [],
                )
                for pk, row in zip(ids, rows, strict=True)
            ),
        )
        public, whole = search_table.vectors_sql(
            title=search_table.to_vector("s.title", self.config),
            dek=search_table.to_vector("s.dek", self.config),
            labels=search_table.to_vector("s.labels", self.config),
            public_body="pb.vector",
            rest_body="rb.vector",
        )
        with self.phases("search rows"), connection.cursor() as cursor:
            # Built from this module's own column names and the backend's settings.
            cursor.execute(
                "INSERT INTO content_articlesearch"  # noqa: S608
                " (article_id, published_at, week, access_level, public, whole)"
                " SELECT s.article_id, s.published_at,"
                f" {search_table.week_sql('s.published_at')}, s.access_level,"
                f" {public}, {whole}"
                " FROM synthetic_search s"
                f" CROSS JOIN LATERAL ({self._blocks_of('s.public_blocks')}) pb"
                f" CROSS JOIN LATERAL ({self._blocks_of('s.rest_blocks')}) rb"
            )

    @staticmethod
    def _blocks_of(numbers: str) -> str:
        return (
            "SELECT pg_temp.tsvector_cat(b.vector ORDER BY u.n) AS vector"  # noqa: S608
            f" FROM unnest({numbers}) WITH ORDINALITY u(id, n)"
            " JOIN synthetic_blocks b ON b.id = u.id"
        )

    @staticmethod
    def _gin_indexes_drop() -> list[tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes"
                " WHERE tablename = 'content_articlesearch' AND indexdef LIKE '%% USING gin %%'"
            )
            found = cursor.fetchall()
            for name, _ in found:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        return found

    @staticmethod
    def _indexes_build(definitions: list[str]) -> None:
        """Each index built by a connection of its own, at once: one core each."""

        def build(definition: str) -> None:
            own = connection.get_new_connection(connection.get_connection_params())
            try:
                own.autocommit = True
                own.execute("SET maintenance_work_mem = '1GB'")
                own.execute(definition)
            finally:
                own.close()

        with ThreadPoolExecutor(max_workers=len(definitions)) as pool:
            list(pool.map(build, definitions))

    def finish(self) -> None:
        with self.phases("indexes and analyze"), connection.cursor() as cursor:
            if self.gin_indexes:
                self._indexes_build([definition for _, definition in self.gin_indexes])
            cursor.execute("DROP TABLE IF EXISTS synthetic_search, synthetic_blocks")
            cursor.execute("DROP AGGREGATE IF EXISTS pg_temp.tsvector_cat(tsvector)")
            for table in (
                "wagtailcore_page",
                "content_articlepage",
                "content_articleauthor",
                "content_articlepagetag",
                "content_articlesearch",
            ):
                cursor.execute(f"ANALYZE {table}")
            cursor.execute("RESET synchronous_commit")
            cursor.execute("RESET default_toast_compression")
