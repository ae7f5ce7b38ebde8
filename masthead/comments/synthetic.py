"""Comments on a synthetic archive, written in bulk, with the counts the pages show.

As on a news site: most articles have none, some a few, a few a long thread. A thread
starts within hours of the article and tails off over days; about a third of the
comments after the first answer an earlier one (replies are one level deep). A few are
hidden by a moderator or deleted (a tombstone): the count on cards is of visible,
undeleted comments, computed here as ``selectors.visible_count`` counts them and stored in
``ArticleStats`` as ``counts`` would.

Each comment's id is drawn first (from the table's sequence on PostgreSQL), so that
replies can name their parent; then the rows go in by ``COPY`` on PostgreSQL, by one
multi-row insert elsewhere.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta

from django.db import connection, transaction

from masthead.comments.demo import demo_subscriber
from masthead.comments.models import Comment, CommentStatus
from masthead.comments.rendering import render_markdown
from masthead.content import demo_data
from masthead.content.models import ArticlePage, ArticleStats
from masthead.core import generations

CHUNK = 5000
# Rows per INSERT on SQLite, under its limit of bound parameters.
SQLITE_ROWS = 500
COMMENTERS = 60
TEXTS = 400
# Shares of articles with a few comments and with a long thread; the rest have none.
FEW_SHARE, MANY_SHARE = 0.15, 0.015
REPLY_SHARE = 0.35
HIDDEN_SHARE, DELETED_SHARE = 0.02, 0.01
_SENTENCE = re.compile(r"[^.!?]+[.!?]")


def _texts(rng: random.Random) -> list[tuple[str, str]]:
    """Comment texts (Markdown, HTML) from the demo threads' sentences, rendered once."""
    sentences = [
        sentence.strip()
        for spec in demo_data.COMMENTS
        for text in [spec["text"], *(reply["text"] for reply in spec.get("replies", []))]
        for sentence in _SENTENCE.findall(text)
    ]
    texts = []
    for _ in range(TEXTS):
        markdown = " ".join(rng.sample(sentences, k=min(len(sentences), rng.randint(1, 3))))
        texts.append((markdown, render_markdown(markdown)))
    return texts


def _thread_size(rng: random.Random) -> int:
    draw = rng.random()
    if draw < MANY_SHARE:
        return min(400, 10 + int(rng.paretovariate(1.5) * 10))
    if draw < MANY_SHARE + FEW_SHARE:
        return rng.randint(1, 5)
    return 0


def add_synthetic_comments(article_ids: list[int], *, seed: int = 17, stdout=None) -> int:
    """Comment threads on some of these articles; returns how many comments were added."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    commenters = [demo_subscriber(f"Reader {number}").pk for number in range(COMMENTERS)]
    texts = _texts(rng)
    added = 0
    for start in range(0, len(article_ids), CHUNK):
        chunk = article_ids[start : start + CHUNK]
        published = dict(ArticlePage.objects.filter(pk__in=chunk).values_list("pk", "published_at"))
        comments, visible = [], {}
        for article_id in chunk:
            size = _thread_size(rng)
            if not size or published.get(article_id) is None:
                continue
            moment = published[article_id]
            tops: list[int] = []
            visible[article_id] = 0
            for number in range(size):
                # Hours apart at first, then further apart: most of a thread is early.
                moment += timedelta(minutes=rng.expovariate(1 / (5 + 20 * number)))
                parent = rng.choice(tops) if tops and rng.random() < REPLY_SHARE else None
                markdown, html = rng.choice(texts)
                draw = rng.random()
                status = CommentStatus.HIDDEN if draw < HIDDEN_SHARE else CommentStatus.VISIBLE
                deleted = moment if HIDDEN_SHARE <= draw < HIDDEN_SHARE + DELETED_SHARE else None
                comments.append(
                    {
                        "article_id": article_id,
                        "author_id": rng.choice(commenters),
                        "parent": parent,
                        "body_markdown": markdown,
                        "body_html": html,
                        "status": status,
                        "created_at": moment,
                        "deleted_at": deleted,
                    }
                )
                if parent is None:
                    tops.append(len(comments) - 1)
                if status == CommentStatus.VISIBLE and deleted is None:
                    visible[article_id] += 1
        with transaction.atomic():
            _write(comments)
            ArticleStats.objects.bulk_create(
                [ArticleStats(article_id=pk, comment_count=n) for pk, n in visible.items()],
                update_conflicts=True,
                unique_fields=["article"],
                update_fields=["comment_count"],
            )
        added += len(comments)
        if stdout:
            stdout.write(f"  {added} synthetic comments on {start + len(chunk)} articles")
    generations.bump(generations.COMMENTS)
    return added


def _ids(count: int) -> list[int]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('comments_comment', 'id'))"
                " FROM generate_series(1, %s)",
                [count],
            )
            return [pk for (pk,) in cursor.fetchall()]
    last = Comment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return list(range(last + 1, last + 1 + count))


def _write(comments: list[dict]) -> None:
    """A reply's ``parent`` is its parent's place in the list, made an id here."""
    if not comments:
        return
    ids = _ids(len(comments))
    rows = [
        {
            **{key: value for key, value in comment.items() if key != "parent"},
            "id": pk,
            "parent_id": None if comment["parent"] is None else ids[comment["parent"]],
            "report_count": 0,
            "edited_at": None,
        }
        for pk, comment in zip(ids, comments, strict=True)
    ]
    columns = [field.column for field in Comment._meta.concrete_fields]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            statement = f"COPY comments_comment ({', '.join(columns)}) FROM STDIN"
            with cursor.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row([row[column] for column in columns])
    else:
        # raw: the times are the thread's, not the load's (``created_at`` is auto_now_add).
        for start in range(0, len(rows), SQLITE_ROWS):
            Comment._base_manager._insert(
                [Comment(**row) for row in rows[start : start + SQLITE_ROWS]],
                fields=Comment._meta.concrete_fields,
                raw=True,
            )
