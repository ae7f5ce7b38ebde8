"""Reader search on PostgreSQL: the newest matches from our own table, then ranked.

The rows are ``search_table``'s (``ArticleSearch``): per listed article, a vector of what
every reader may read and one of its whole text, each with a GIN index whose first column
is the week (``btree_gin``). Wagtail's backend ranks and counts *every* match before
taking a page: ``council budget`` matches an eighth of a million-article archive, and
ranking 130,000 vectors takes seconds. Here one statement asks for the matches window
by window of weeks, newest first (this and last week, then the month before, the three
months before that, a year, three years, and all the others: ``WINDOWS``), and stops as
soon as ``CANDIDATES`` are found: a common query reads a week or two of its matches, a
rare one reads them all (they are few). Those candidates are ranked with ``ts_rank``
(title A, standfirst B, tags and authors C, body D). A reader sees the best of the recent
matches; the count says "200 or more" beyond that.

Snippets come from ``ts_headline`` over the text this reader may read (``readable_text``):
for a reader without the whole text, the standfirst and the teaser blocks (all of a free
article), never the gated blocks, whatever matched.
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise

from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from masthead.content import search_table
from masthead.content.models import AccessLevel, ArticlePage

CANDIDATES = 200
# The windows' lower bounds, in weeks before this one; the last window is older still.
WINDOWS = (1, 5, 17, 69, 225)
HEADLINE_OPTIONS = "MaxWords=32, MinWords=12, MaxFragments=2, StartSel=<mark>, StopSel=</mark>"


def available() -> bool:
    return search_table.available()


def _tsquery_sql(query) -> tuple[str, list]:
    """The reader's query as a ``tsquery`` expression, built by Wagtail's own backend."""
    backend = get_search_backend()
    compiler_class = backend.query_compiler_class
    compiler = compiler_class(ArticlePage.objects.none(), query)
    expression = compiler.build_tsquery(query, config=backend.config)
    sql_query = IndexEntry.objects.all().query
    resolved = expression.resolve_expression(sql_query)
    return resolved.as_sql(sql_query.get_compiler(connection=connection), connection)


def _windows(now: datetime) -> list[tuple[str, str, list]]:
    """Each window's rows and condition on them, newest first; each week is in one.

    Each is written the way the GIN index answers it cheaply. A range of weeks is read
    by merging every week's entries in it: cheap for the newest weeks alone (there are
    none after them). Further back, one index lookup per week (a lateral subquery that
    ``OFFSET 0`` keeps apart, so the planner cannot trade it for a scan of every match
    of the query), each walking only that week's matches. The oldest window puts no
    condition on the index at all (``+ 0``): only the query's own entries are read,
    which are few when four years held fewer than ``CANDIDATES`` matches.
    """
    this_week = search_table.week(now)
    bounds = [this_week - before for before in WINDOWS]
    table = "content_articlesearch s"
    windows = [(table, "s.week >= %s", [bounds[0]])]
    for high, low in pairwise(bounds):
        weekly = (
            "unnest(%s::int[]) AS w(week) CROSS JOIN LATERAL"
            " (SELECT * FROM content_articlesearch s WHERE s.week = w.week AND {match}"
            " OFFSET 0) s"
        )
        windows.append((weekly, "TRUE", [list(range(high - 1, low - 1, -1))]))
    return [*windows, (table, "s.week + 0 < %s", [bounds[-1]])]


def ranked_ids(query, *, whole_text: bool, free_only: bool) -> list[int]:
    """Ids of up to ``CANDIDATES`` listed articles matching, best ranked first.

    ``UNION ALL`` runs its parts in order and the ``LIMIT`` stops it once it has enough,
    so older windows are not searched when the newer ones hold ``CANDIDATES`` matches.
    A window's matches come sorted newest first, so the candidates are the newest. A
    parallel plan would run the parts at once, so this statement has none.
    """
    tsquery, params = _tsquery_sql(query)
    column = "whole" if whole_text else "public"
    match = f"s.{column} @@ {tsquery}" + (" AND s.access_level = %s" if free_only else "")
    match_params = [*params, *([AccessLevel.FREE] if free_only else [])]
    parts, arguments = [], []
    for rows, condition, bounds in _windows(timezone.now()):
        lateral = "{match}" in rows
        parts.append(
            f"(SELECT s.article_id, s.published_at, s.{column} AS vector"  # noqa: S608
            f" FROM {rows.format(match=match)}"
            f" WHERE {condition}{'' if lateral else ' AND ' + match}"
            " ORDER BY s.published_at DESC, s.article_id DESC)"
        )
        arguments += [*bounds, *match_params]
    sql = (
        "SELECT c.article_id FROM ("  # noqa: S608 - our SQL around the backend's tsquery
        + " UNION ALL ".join(parts)
        + f" LIMIT %s) c ORDER BY ts_rank(c.vector, {tsquery}) DESC,"
        " c.published_at DESC, c.article_id DESC"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute(sql, [*arguments, CANDIDATES, *params])
        return [pk for (pk,) in cursor.fetchall()]


def readable_text(article: ArticlePage, *, whole_text: bool, teaser_blocks: int) -> str:
    """What this reader may read of the article, as plain text: never the gated blocks."""
    if whole_text or article.is_free:
        body = article.whole_body()
    else:
        body = article._blocks_text(teaser_blocks)
    return " ".join(part for part in (article.dek, body) if part)


def snippets(query, texts: list[str]) -> list[SafeString]:
    """``ts_headline`` of each text (escaped first), the matched words in ``<mark>``."""
    if not texts:
        return []
    tsquery, params = _tsquery_sql(query)
    backend = get_search_backend()
    config = "%s::regconfig, " if backend.config else ""
    config_params = [backend.config] if backend.config else []
    sql = (
        f"SELECT ts_headline({config}t.text, {tsquery}, %s)"  # noqa: S608 - see ranked_ids
        " FROM unnest(%s::text[]) WITH ORDINALITY AS t(text, n) ORDER BY t.n"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [*config_params, *params, HEADLINE_OPTIONS, [str(escape(t)) for t in texts]]
        )
        # The texts were escaped before PostgreSQL added the marks.
        return [mark_safe(headline) for (headline,) in cursor.fetchall()]  # noqa: S308
