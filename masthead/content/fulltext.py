"""Reader search on PostgreSQL: Wagtail's index entries, queried so that time stays flat.

The index is Wagtail's database backend's own (``wagtailsearch_indexentry``: a title and
a body ``tsvector`` per article, each with a GIN index), so an editor's publish keeps it
true as before, and the whole-text entry (``ArticleFullText``) stays apart from the public
one. What differs is the query. The backend ranks and counts *every* match before taking
a page: ``council budget`` matches a third of a million-article archive, and ranking
300,000 vectors takes seconds. Here PostgreSQL takes the ``CANDIDATES`` newest matches
(walking the ``article_newest`` index and checking each article's entry, or, for a rare
word, the GIN index and a sort), then ranks those with ``ts_rank`` as the backend does
(title by its length norm, plus body). A reader sees the best of the recent matches; the
count says "500 or more" beyond that.

Snippets come from ``ts_headline`` over the text this reader may read (``readable_text``):
for a reader without the whole text, the standfirst and the teaser blocks (all of a free
article), never the gated blocks, whatever matched.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from masthead.content.models import AccessLevel, ArticleFullText, ArticlePage

CANDIDATES = 200
ALL_MATCHES = 2000
HEADLINE_OPTIONS = "MaxWords=32, MinWords=12, MaxFragments=2, StartSel=<mark>, StopSel=</mark>"


def available() -> bool:
    return connection.vendor == "postgresql"


def _tsquery_sql(query) -> tuple[str, list]:
    """The reader's query as a ``tsquery`` expression, built by Wagtail's own backend."""
    backend = get_search_backend()
    compiler_class = backend.query_compiler_class
    compiler = compiler_class(ArticlePage.objects.none(), query)
    expression = compiler.build_tsquery(query, config=backend.config)
    sql_query = IndexEntry.objects.all().query
    resolved = expression.resolve_expression(sql_query)
    return resolved.as_sql(sql_query.get_compiler(connection=connection), connection)


def ranked_ids(query, *, whole_text: bool, free_only: bool) -> list[int]:
    """Ids of up to ``CANDIDATES`` listed articles matching, best ranked first.

    First the GIN indexes, unordered, for at most ``ALL_MATCHES`` matches: a rare or
    uncommon query has fewer, and all of them are ranked. A common one has more, and
    walking the newest articles finds ``CANDIDATES`` matches within a few thousand
    (``_newest_ranked``), which are ranked.
    """
    tsquery, params = _tsquery_sql(query)
    model = ArticleFullText if whole_text else ArticlePage
    content_type = ContentType.objects.get_for_model(model).pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.object_id FROM wagtailsearch_indexentry e"  # noqa: S608 - see below
            f" WHERE e.content_type_id = %s AND (e.title @@ {tsquery} OR e.body @@ {tsquery})"
            " LIMIT %s",
            [content_type, *params, *params, ALL_MATCHES],
        )
        matches = [int(object_id) for (object_id,) in cursor.fetchall()]
    if len(matches) < ALL_MATCHES:
        where, where_params = "a.page_ptr_id = ANY(%s)", [matches]
        order, limit = "", ""
    else:
        where = f"(e.title @@ {tsquery} OR e.body @@ {tsquery})"
        where_params = [*params, *params]
        order, limit = "ORDER BY a.published_at DESC, a.page_ptr_id DESC", "LIMIT %s"
    free = "AND a.access_level = %s" if free_only else ""
    sql = f"""
        SELECT hits.page_ptr_id FROM (
            SELECT a.page_ptr_id, a.published_at, e.title, e.body, e.title_norm
            FROM content_articlepage a
            JOIN wagtailsearch_indexentry e
                ON e.content_type_id = %s AND e.object_id = a.page_ptr_id::text
            WHERE a.listed {free} AND {where}
            {order} {limit}
        ) hits
        ORDER BY ts_rank(hits.title, {tsquery}) * hits.title_norm
            + ts_rank(hits.body, {tsquery}) DESC,
            hits.published_at DESC, hits.page_ptr_id DESC
        LIMIT %s
    """  # noqa: S608 - our own SQL around the backend's compiled, parameterised tsquery
    arguments = [content_type, *([AccessLevel.FREE] if free_only else []), *where_params]
    arguments += [CANDIDATES] if limit else []
    arguments += [*params, *params, CANDIDATES]
    with connection.cursor() as cursor:
        cursor.execute(sql, arguments)
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
