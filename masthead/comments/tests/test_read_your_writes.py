"""The page a comment's post redirects to shows the comment and its count, even when it
is served by a process that has not yet heard the comment's generation bump.

Another process hears a bump over pub/sub, a moment after the write; the writer's browser
carries the generations its write reached (``generations.SEEN_COOKIE``), and a process
whose own copy is behind them reads the shared cache for that browser instead. Here the
other process is this one, its listener's copy held at what it was before the post.
"""

from __future__ import annotations

import pytest

from masthead.comments.tests.test_http import (
    EMPTY_ARTICLE,
    article_named,
    client_for,
    count_in,
    make_user,
    page,
    post,
    posted,
)
from masthead.core import generations

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


def test_the_page_after_a_post_shows_it_where_the_bump_has_not_arrived(listening, monkeypatch):
    article = article_named(EMPTY_ARTICLE)
    client = client_for(make_user("writer"))
    # This process keeps the section and the count under the generations of now.
    assert count_in(page(client, article)) == 0
    before_the_post = dict(listening.values())

    comment = posted(post(client, article, "Seen at once, whichever process answers."))
    seen = generations.parse_seen(client.cookies[generations.SEEN_COOKIE].value)
    assert seen[generations.COMMENTS] > before_the_post[generations.COMMENTS]

    # Now a process that has heard nothing since: its copy is the one before the post.
    monkeypatch.setattr(listening, "values", lambda: before_the_post)
    after = page(client, article)
    assert f'id="comment-{comment.pk}"' in after
    assert count_in(after) == 1

    # The same process without the cookie answers from its copy: it really is behind.
    del client.cookies[generations.SEEN_COOKIE]
    stale = page(client, article)
    assert f'id="comment-{comment.pk}"' not in stale
    assert count_in(stale) == 0


def test_a_malformed_seen_cookie_is_ignored(listening):
    article = article_named(EMPTY_ARTICLE)
    client = client_for(make_user("reader"))
    for raw in ("", "comments", "comments:x|site:-1", "nope:12", "comments:" + "9" * 40):
        client.cookies[generations.SEEN_COOKIE] = raw
        assert count_in(page(client, article)) == 0
    assert generations.parse_seen("comments:12|content:7|bogus:3|site:") == {
        "comments": 12,
        "content": 7,
    }
