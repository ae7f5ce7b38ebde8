"""The reader search's own table on PostgreSQL: one row per listed article, two vectors.

Wagtail's index entries (one table for every indexed model, the article's id as text, a
title and a body vector apiece) can only be searched as a whole and then sorted: a
common word matches a third of a million articles, and finding the newest of them meant
reading them all. This table (``ArticleSearch``) holds, per listed article, its publish
time, its week and two weighted vectors: what every reader may read (``public``: title,
standfirst, tags and authors, and the whole of a free article or the teaser of the
others) and its whole text (``whole``). Each vector has a GIN index together with the
week (``btree_gin``), so PostgreSQL finds a word's matches *in given weeks* from the
index alone, without touching older articles (``fulltext.ranked_ids``).

The weights: title A, standfirst B, tags and authors C, body D (``ts_rank``'s 1.0, 0.4,
0.2, 0.1). ``article_reindex`` keeps a row per listed article on every save and publish
(and removes it when the article is unpublished); the bulk loader writes the same
vectors set-wise (``synthetic.py``). SQLite searches with Wagtail's backend and leaves
this table empty.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

WEIGHTS = {"title": "A", "dek": "B", "labels": "C", "body": "D"}
WEEK_SECONDS = 7 * 24 * 3600


def available() -> bool:
    return connection.vendor == "postgresql"


def week(moment: datetime) -> int:
    """Weeks since 1970 (as ``week_sql`` computes them)."""
    return int(moment.timestamp() // WEEK_SECONDS)


def week_sql(column: str) -> str:
    return f"floor(extract(epoch FROM {column}) / {WEEK_SECONDS})::int"


def to_vector(source: str, config: str | None) -> str:
    """``to_tsvector`` of an SQL text expression, in the search backend's configuration."""
    configured = f"'{config}'::regconfig, " if config else ""
    return f"to_tsvector({configured}coalesce({source}, ''))"


def vectors_sql(
    *, title: str, dek: str, labels: str, public_body: str, rest_body: str
) -> tuple[str, str]:
    """The ``public`` and ``whole`` vectors, from SQL expressions of each part's vector.

    ``public_body`` is the vector of what every reader may read of the body, and
    ``rest_body`` that of the blocks after it (empty for a free article).
    """
    head = " || ".join(
        (
            f"setweight({title}, '{WEIGHTS['title']}')",
            f"setweight({dek}, '{WEIGHTS['dek']}')",
            f"setweight({labels}, '{WEIGHTS['labels']}')",
        )
    )
    public = f"{head} || setweight({public_body}, '{WEIGHTS['body']}')"
    whole = f"{public} || setweight({rest_body}, '{WEIGHTS['body']}')"
    return public, whole


def row_write(
    *,
    article_id: int,
    published_at: datetime,
    access_level: str,
    texts: dict[str, str],
    config: str | None,
) -> None:
    """Insert or replace an article's row; ``texts`` holds title, dek, labels and bodies."""
    public, whole = vectors_sql(
        **{name: to_vector(f"%({name})s", config) for name in texts}  # type: ignore[arg-type]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO content_articlesearch"  # noqa: S608 - our own SQL, values as parameters
            " (article_id, published_at, week, access_level, public, whole)"
            f" VALUES (%(article_id)s, %(published_at)s, %(week)s, %(access_level)s,"
            f" {public}, {whole})"
            " ON CONFLICT (article_id) DO UPDATE SET published_at = excluded.published_at,"
            " week = excluded.week, access_level = excluded.access_level,"
            " public = excluded.public, whole = excluded.whole",
            {
                **texts,
                "article_id": article_id,
                "published_at": published_at,
                "week": week(published_at),
                "access_level": access_level,
            },
        )


def row_delete(article_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM content_articlesearch WHERE article_id = %s", [article_id])
