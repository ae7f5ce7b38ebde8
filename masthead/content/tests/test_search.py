"""The search page, driven as a reader would: whatever they type, a page and no 5xx."""

import html
import re

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masthead.content import demo_data
from masthead.content.tests.helpers import last_paragraph

pytestmark = pytest.mark.django_db

BUDGET = next(a for a in demo_data.ARTICLES if a["slug"] == demo_data.ARTICLES[0]["slug"])
RESERVOIR = next(a for a in demo_data.ARTICLES if "Reservoir" in a["title"])
SYMPHONY = next(a for a in demo_data.ARTICLES if "Symphony" in a["title"])
# Operators and quoting of SQLite FTS5, PostgreSQL tsquery and Wagtail's parser.
PUNCTUATION = "\"'’`^*:()[]{}<>-+~!&|\\/.,;?%#@$=\x00\t\n NEAR AND OR NOT"


def search(client, q) -> str:
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200, (q, response.status_code)
    return html.unescape(response.content.decode())


def found_titles(page: str) -> set[str]:
    return {a["title"] for a in demo_data.ARTICLES if f">{a['title']}</a>" in page}


def result_count(page: str) -> str:
    return re.search(r'<p class="result-count"[^>]*>(.*?)</p>', page, re.S).group(1)


@pytest.mark.parametrize(
    "q", ['"', 'a"b', "\x00", "'", "*", "(", ")", "-", "^", ":", "NEAR(", "OR", "AND NOT", "\\"]
)
def test_punctuation_alone_answers_a_page_not_an_error(client, q):
    page = search(client, q)
    assert "<h1>Search</h1>" in page


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    q=st.text(
        alphabet=st.one_of(st.sampled_from(PUNCTUATION), st.characters(codec="utf-8")),
        max_size=60,
    )
)
def test_no_query_gives_a_server_error(db, q):
    response = Client(raise_request_exception=False).get("/search/", {"q": q})
    assert response.status_code == 200, (q, response.status_code)


def test_a_quoted_phrase_matches_those_words_in_that_order(client):
    assert BUDGET["title"] in found_titles(search(client, '"night bus"'))
    assert BUDGET["title"] not in found_titles(search(client, '"bus night"'))


def test_a_possessive_finds_the_noun(client):
    assert BUDGET["title"] in found_titles(search(client, "council's budget"))
    assert BUDGET["title"] in found_titles(search(client, "Council’s budget"))


def test_a_trailing_or_is_ignored_and_or_between_words_means_either(client):
    assert BUDGET["title"] in found_titles(search(client, "budget OR"))
    both = found_titles(search(client, "reservoir OR symphony"))
    assert {RESERVOIR["title"], SYMPHONY["title"]} <= both


def test_the_results_page_says_how_many_were_found(client):
    page = search(client, "reservoir OR symphony")
    count = len(found_titles(page))
    assert count >= 2
    assert result_count(page) == f"{count} articles found for “reservoir OR symphony”"
    assert result_count(search(client, "Kessler")) == "1 article found for “Kessler”"
    assert result_count(search(client, "zzzyqqx")) == "No articles found for “zzzyqqx”"


def _distinctive_words(text: str) -> str:
    return " ".join(sorted({w.strip(".,") for w in text.split() if len(w) > 8})[:3])


@pytest.mark.parametrize("access", ["metered", "subscribers"])
def test_words_from_the_gated_part_do_not_find_the_article(client, access):
    article = next(a for a in demo_data.ARTICLES if a["access"] == access)
    words = _distinctive_words(last_paragraph(article["slug"]))
    assert article["title"] not in found_titles(search(client, words)), words


def test_words_from_a_free_articles_text_find_it(client):
    words = _distinctive_words(last_paragraph(RESERVOIR["slug"]))
    assert RESERVOIR["title"] in found_titles(search(client, words)), words


def test_postgresql_search_ranks_the_newest_matches_across_its_windows(monkeypatch):
    """Matches spread over fifteen years: the candidates are the newest, every week once."""
    from django.db import connection

    from masthead.content import fulltext
    from masthead.content.models import ArticlePage
    from masthead.content.search import reader_query
    from masthead.content.synthetic import add_synthetic_articles

    if connection.vendor != "postgresql":
        pytest.skip("the windows are PostgreSQL's search")
    add_synthetic_articles(count=400, seed=21)
    word = "council"
    query = reader_query(word)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT article_id FROM content_articlesearch"
            " WHERE public @@ plainto_tsquery(%s) ORDER BY published_at DESC, article_id DESC",
            [word],
        )
        newest_first = [pk for (pk,) in cursor.fetchall()]
    # Enough matches to reach the older windows, and more than the candidates.
    weeks = ArticlePage.objects.filter(pk__in=newest_first).dates("published_at", "week")
    assert len(newest_first) > 60 and len(weeks) > 40
    for candidates in (5, 60, len(newest_first) + 10):
        monkeypatch.setattr(fulltext, "CANDIDATES", candidates)
        ranked = fulltext.ranked_ids(query, whole_text=False, free_only=False)
        assert len(ranked) == len(set(ranked)) == min(candidates, len(newest_first))
        assert set(ranked) == set(newest_first[:candidates])
