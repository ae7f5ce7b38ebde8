"""The bulk loader's articles are real articles: in the tree, on their pages, in the index."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from wagtail.search.models import IndexEntry

from masthead.content import selectors
from masthead.content.models import (
    AccessLevel,
    ArticleFullText,
    ArticlePage,
    SectionPage,
    article_reindex,
)
from masthead.content.search import INDEXED_TEASER_BLOCKS
from masthead.content.synthetic import add_synthetic_articles

pytestmark = pytest.mark.django_db


def _entry(model, pk) -> dict:
    entry = IndexEntry.objects.get(
        content_type=ContentType.objects.get_for_model(model), object_id=str(pk)
    )
    if connection.vendor != "postgresql":
        from wagtail.search.models import SQLiteFTSIndexEntry

        fts = SQLiteFTSIndexEntry.objects.get(index_entry=entry)
        return {"title": fts.title, "body": fts.body, "autocomplete": fts.autocomplete}
    fields = {"title_text": entry.title_text, "body_text": entry.body_text}
    with connection.cursor() as cursor:
        # Lexemes and weights; a position may differ by a stop word (see synthetic.py).
        cursor.execute(
            "SELECT strip(title)::text, strip(body)::text, strip(autocomplete)::text,"
            " array(SELECT (u.lexeme, u.weights) FROM unnest(body) u ORDER BY 1)::text"
            " FROM wagtailsearch_indexentry WHERE id = %s",
            [entry.pk],
        )
        fields["vectors"] = cursor.fetchone()
    return fields


def test_synthetic_articles_are_in_the_tree_and_served():
    ids = add_synthetic_articles(count=40, seed=3)
    assert len(ids) == 40 == ArticlePage.objects.filter(pk__in=ids).live().count()
    for section in SectionPage.objects.all():
        # treebeard's bookkeeping is right, so Wagtail can add the next article by hand.
        assert section.numchild == section.get_children().count()
    section = SectionPage.objects.order_by("path").first()
    added = section.add_child(instance=ArticlePage(title="Written by hand", slug="by-hand"))
    assert added.get_parent().pk == section.pk
    accesses = set(ArticlePage.objects.filter(pk__in=ids).values_list("access_level", flat=True))
    assert AccessLevel.FREE in accesses and AccessLevel.METERED in accesses


def _search_row(pk) -> tuple:
    """The reader search's row (PostgreSQL): lexemes and weights of both vectors."""
    with connection.cursor() as cursor:
        # A position may differ by a stop word (see synthetic.py): lexemes and weights.
        cursor.execute(
            "SELECT published_at, week, access_level, strip(public)::text, strip(whole)::text,"
            " array(SELECT (u.lexeme, u.weights) FROM unnest(public) u ORDER BY 1)::text,"
            " array(SELECT (u.lexeme, u.weights) FROM unnest(whole) u ORDER BY 1)::text"
            " FROM content_articlesearch WHERE article_id = %s",
            [pk],
        )
        return cursor.fetchone()


def test_synthetic_articles_are_indexed_as_an_edited_article_is():
    """What the loader wrote is what a save of the article writes (``article_reindex``)."""
    ids = add_synthetic_articles(count=30, seed=5)
    articles = ArticlePage.objects.filter(pk__in=ids).order_by("pk")
    checked = {AccessLevel.FREE: 0, AccessLevel.METERED: 0}
    for article in articles:
        if checked.get(article.access_level, 2) >= 2:
            continue
        checked[article.access_level] += 1
        if connection.vendor == "postgresql":
            loaded = _search_row(article.pk)
            assert loaded is not None
            # The whole text holds the gated blocks that the public vector leaves out.
            assert (loaded[3] == loaded[4]) == article.is_free
            article_reindex(instance=article)
            assert _search_row(article.pk) == loaded, article.access_level
            continue
        loaded = (_entry(ArticlePage, article.pk), _entry(ArticleFullText, article.pk))
        article_reindex(instance=article)
        again = (_entry(ArticlePage, article.pk), _entry(ArticleFullText, article.pk))
        assert loaded == again, article.access_level
    assert checked == {AccessLevel.FREE: 2, AccessLevel.METERED: 2}


def test_migrate_fills_the_search_rows_of_articles_without_one():
    """Articles published before the table existed get their row on the next migrate."""
    from django.core.management import call_command

    if connection.vendor != "postgresql":
        pytest.skip("the reader search's table is PostgreSQL's")
    article = ArticlePage.objects.filter(listed=True).first()
    loaded = _search_row(article.pk)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM content_articlesearch WHERE article_id = %s", [article.pk])
    assert _search_row(article.pk) is None
    call_command("migrate", verbosity=0)
    assert _search_row(article.pk) == loaded


def test_a_synthetic_articles_gated_words_match_only_whole_text_searches():
    ids = add_synthetic_articles(count=60, seed=9)
    gated = ArticlePage.objects.filter(pk__in=ids, access_level=AccessLevel.METERED).first()
    public_text = " ".join([gated.title, gated.dek, gated.public_body()]).lower()
    public_ids = set(ids) - {gated.pk}
    # A word only in this article's gated part (not in its teaser, nor public anywhere).
    blocks = list(gated.body)[INDEXED_TEASER_BLOCKS:]
    words = {
        word.strip(".,").lower()
        for block in blocks
        for text in block.block.get_searchable_content(block.value)
        for word in text.split()
    }
    candidates = sorted(w for w in words if len(w) > 6 and w not in public_text)
    assert candidates, "a metered synthetic article has words beyond its teaser"
    word = candidates[0]
    found_whole = [a.pk for a in selectors.search_articles(text=word, whole_text=True)[:200]]
    assert gated.pk in found_whole
    found_public = {a.pk for a in selectors.search_articles(text=word)[:500]}
    assert gated.pk not in found_public
    assert found_public <= public_ids | set(
        ArticlePage.objects.exclude(pk__in=ids).values_list("pk", flat=True)
    )


def _listing_columns(article) -> tuple:
    return tuple(
        ArticlePage.objects.filter(pk=article.pk).values_list(
            "section_page_id", "published_at", "listed"
        )[0]
    )


def test_listing_columns_follow_publish_unpublish_and_move(client):
    sections = list(SectionPage.objects.order_by("path")[:2])
    article = sections[0].add_child(
        instance=ArticlePage(title="Copies kept true", slug="copies-kept-true", live=False)
    )
    assert _listing_columns(article) == (sections[0].pk, None, False)
    revision = article.save_revision()
    revision.publish()
    article.refresh_from_db()
    assert _listing_columns(article) == (sections[0].pk, article.first_published_at, True)
    assert "Copies kept true" in client.get(sections[0].url + "?fresh=1").content.decode()

    article.move(sections[1], pos="last-child")
    article.refresh_from_db()
    assert _listing_columns(article)[0] == sections[1].pk
    # A revision saved before the move, published after it, keeps the new section.
    revision.publish()
    assert _listing_columns(article)[0] == sections[1].pk
    assert "Copies kept true" in client.get(sections[1].url + "?fresh=2").content.decode()
    assert "Copies kept true" not in client.get(sections[0].url + "?fresh=3").content.decode()

    article.refresh_from_db()
    if connection.vendor == "postgresql":
        assert _search_row(article.pk) is not None
    article.unpublish()
    assert _listing_columns(article)[2] is False
    if connection.vendor == "postgresql":
        # Out of the reader search with the listings.
        assert _search_row(article.pk) is None
    assert "Copies kept true" not in client.get(sections[1].url + "?fresh=4").content.decode()
