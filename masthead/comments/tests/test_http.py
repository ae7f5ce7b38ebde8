"""Comments through the Django test client, the way a browser without JavaScript,
the comments script, an attacker and a moderator drive them.

The demo publication is loaded once by the root conftest; its demo comments sit on
some articles (``demo_data.COMMENTS``). Threads of our own go on a free article
without demo comments, so counts start at zero and the paywall meter never
interferes.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from masthead.billing.models import Plan, Subscription, SubscriptionStatus
from masthead.comments import counts, services
from masthead.comments.models import (
    Comment,
    CommentBan,
    CommentReport,
    CommentSettings,
    CommentStatus,
    ModerationAction,
)
from masthead.comments.rendering import render_markdown
from masthead.content import demo_data
from masthead.content.models import ArticlePage
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.django_db

GATE = "You must become a subscriber or log in to view or post comments"
DEMO_ARTICLE = "kessler-reservoir-early-drawdown"  # free, with demo comments
EMPTY_ARTICLE = "guard-engineers-return-home"  # free, no demo comments
PASSWORD = "a long test password 42"


# --- Helpers -----------------------------------------------------------------------------


def make_user(name: str, *, paid: bool = True, **extra):
    user = get_user_model().objects.create_user(
        name, f"{name}@example.org", None, first_name=name.title(), **extra
    )
    if paid:
        Subscription.objects.create(
            user=user,
            plan=Plan.objects.order_by("pk").first(),
            status=SubscriptionStatus.ACTIVE,
            current_period_end=timezone.now() + timedelta(days=30),
        )
    return user


def client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def article_named(slug: str) -> ArticlePage:
    return ArticlePage.objects.get(slug=slug)


def page(client: Client, article: ArticlePage, query: str = "") -> str:
    # follow=True: the paywall may first redirect to set its reader cookie.
    response = client.get(article.url + query, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def post(client: Client, article: ArticlePage, body: str, *, parent=None, json=False):
    data = {"body": body}
    if parent is not None:
        data["parent"] = str(getattr(parent, "pk", parent))
    headers = {"Accept": "application/json"} if json else {}
    return client.post(reverse("comments:post", args=[article.pk]), data, headers=headers)


def posted(response) -> Comment:
    """The comment a successful no-JS post redirected to."""
    assert response.status_code == 302, response.content.decode()[:500]
    match = re.search(r"#comment-(\d+)$", response["Location"])
    assert match, response["Location"]
    return Comment.objects.get(pk=int(match.group(1)))


def five_seconds_pass(user) -> None:
    """Stand-in for waiting out the one-comment-per-5-s limit (its counter's key)."""
    cache.delete(f"comments:last:{user.pk}")


def assert_gated(html_text: str, *, anonymous: bool) -> None:
    """The gate: the count, a way to subscribe (and to log in, for the anonymous)."""
    assert 'class="comments comments--gated"' in html_text
    assert 'href="/subscribe/?next=' in html_text
    if anonymous:
        assert GATE in html_text
        assert 'href="/accounts/login/?next=' in html_text
    else:
        # Already logged in: the gate asks for a subscription (section.py, gate.html).
        assert "Comments are for subscribers" in html_text or GATE in html_text
    assert 'name="body"' not in html_text
    assert "comment-thread" not in html_text


def count_in(html_text: str) -> int:
    match = re.search(r'class="comments__count">\((\d+)\)<', html_text)
    assert match, "no comment count on the page"
    return int(match.group(1))


def thread_of(html_text: str, comment: Comment) -> str:
    """The HTML of the comment-thread <div> that holds ``comment``."""
    for chunk in html_text.split('<div class="comment-thread">')[1:]:
        if f'id="comment-{comment.pk}"' in chunk:
            return chunk
    raise AssertionError(f"comment {comment.pk} is in no thread")


def demo_texts(article: ArticlePage) -> list[str]:
    """Every stored comment on the article, as HTML and as plain words a reader would see."""
    found = []
    for comment in Comment.objects.filter(article=article):
        found.append(comment.body_html.strip())
        plain = re.sub(r"[*_`>\[\]]", "", comment.body_markdown)
        found.append(plain[:40])
    return found


@pytest.fixture
def demo_article():
    return article_named(DEMO_ARTICLE)


@pytest.fixture
def article():
    article = article_named(EMPTY_ARTICLE)
    assert not Comment.objects.filter(article=article).exists()
    return article


@pytest.fixture
def alice():
    return make_user("alice")


@pytest.fixture
def bob():
    return make_user("bob")


@pytest.fixture
def comment_settings():
    from wagtail.models import Site

    return CommentSettings.for_site(Site.objects.get(is_default_site=True))


# --- Posting, replying, editing, deleting --------------------------------------------------


def test_a_subscriber_posts_without_javascript(alice, article):
    client = client_for(alice)
    before = page(client, article)
    assert count_in(before) == 0
    assert f'action="/comments/articles/{article.pk}/"' in before
    response = post(client, article, "A *first* look at the [report](https://example.org/r).")
    comment = posted(response)
    assert response["Location"] == f"{article.url}#comment-{comment.pk}"
    assert comment.author == alice and comment.parent is None
    assert comment.status == CommentStatus.VISIBLE
    after = page(client, article)
    assert f'id="comment-{comment.pk}"' in after
    assert "A <em>first</em> look at the" in after
    assert '<a href="https://example.org/r" rel="nofollow ugc noopener">report</a>' in after
    assert count_in(after) == 1


def test_replies_are_one_level_deep(alice, bob, demo_article):
    top = Comment.objects.filter(article=demo_article, parent=None).first()
    reply = posted(post(client_for(alice), demo_article, "Agreed with this.", parent=top))
    assert reply.parent == top
    # A reply to a reply joins the same thread, under the top-level comment.
    answer = posted(post(client_for(bob), demo_article, "Me too.", parent=reply))
    assert answer.parent == top
    thread = thread_of(page(client_for(bob), demo_article), top)
    assert f'id="comment-{reply.pk}"' in thread and f'id="comment-{answer.pk}"' in thread
    assert thread.count("comment--reply") == Comment.objects.filter(parent=top).count()
    # Only top-level comments offer a reply form.
    assert f'name="parent" value="{reply.pk}"' not in thread


def test_a_reply_to_a_comment_on_another_article_is_refused(alice, article, demo_article):
    elsewhere = Comment.objects.filter(article=demo_article).first()
    response = post(client_for(alice), article, "Misplaced reply", parent=elsewhere)
    assert response.status_code == 400
    assert not Comment.objects.filter(body_markdown="Misplaced reply").exists()


def test_edit_within_fifteen_minutes_is_shown_as_edited(alice, article):
    client = client_for(alice)
    comment = posted(post(client, article, "Teh first draft"))
    edit_url = reverse("comments:edit", args=[comment.pk])
    before = page(client, article)
    assert "(edited)" not in before
    assert f'href="{edit_url}"' in thread_of(before, comment)
    form = client.get(edit_url)
    assert form.status_code == 200 and "Teh first draft" in form.content.decode()
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=14))
    response = client.post(edit_url, {"body": "The **second** draft"})
    assert response.status_code == 302
    assert response["Location"] == f"{article.url}#comment-{comment.pk}"
    html_text = page(client, article)
    assert "The <strong>second</strong> draft" in html_text
    assert "Teh first draft" not in html_text
    assert '<span class="comment__edited">(edited)</span>' in thread_of(html_text, comment)


def test_edit_after_fifteen_minutes_is_forbidden(alice, article):
    client = client_for(alice)
    comment = posted(post(client, article, "Set in stone"))
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    edit_url = reverse("comments:edit", args=[comment.pk])
    response = client.post(edit_url, {"body": "Changed my mind"})
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.body_markdown == "Set in stone" and comment.edited_at is None
    # Neither the form nor the link is offered any more.
    assert client.get(edit_url).status_code == 403
    assert edit_url not in page(client, article)


def test_a_reader_cannot_edit_or_delete_another_readers_comment(alice, bob, article):
    comment = posted(post(client_for(alice), article, "Alice's words"))
    mallory = client_for(bob)
    edit_url = reverse("comments:edit", args=[comment.pk])
    assert mallory.get(edit_url).status_code == 403
    assert mallory.post(edit_url, {"body": "Bob's words"}).status_code == 403
    delete = mallory.post(reverse("comments:delete", args=[comment.pk]))
    assert delete.status_code == 403
    json_edit = mallory.post(
        edit_url, {"body": "Bob's words"}, headers={"Accept": "application/json"}
    )
    assert json_edit.status_code == 403 and "error" in json_edit.json()
    comment.refresh_from_db()
    assert comment.body_markdown == "Alice's words"
    assert comment.deleted_at is None and comment.edited_at is None
    # Bob is offered neither an edit link nor a delete form for it.
    thread = thread_of(page(mallory, article), comment)
    assert edit_url not in thread
    assert reverse("comments:delete", args=[comment.pk]) not in thread


def test_delete_leaves_a_tombstone_that_keeps_the_replies(alice, bob, article):
    top = posted(post(client_for(alice), article, "Something I regret"))
    reply = posted(post(client_for(bob), article, "A thoughtful answer", parent=top))
    client = client_for(alice)
    assert count_in(page(client, article)) == 2
    response = client.post(reverse("comments:delete", args=[top.pk]))
    assert response.status_code == 302 and response["Location"].endswith("#comments")
    html_text = page(client_for(bob), article)
    thread = thread_of(html_text, top)
    assert "This comment was deleted." in thread
    assert "Something I regret" not in html_text
    assert f'id="comment-{reply.pk}"' in thread and "A thoughtful answer" in thread
    assert count_in(html_text) == 1
    # A tombstone cannot be edited, deleted again or reported.
    assert client.post(reverse("comments:delete", args=[top.pk])).status_code == 404
    assert client_for(bob).post(reverse("comments:report", args=[top.pk])).status_code == 404


def test_a_reader_reports_a_comment_once(alice, bob, article):
    comment = posted(post(client_for(alice), article, "Contentious take"))
    client = client_for(bob)
    report_url = reverse("comments:report", args=[comment.pk])
    first = client.post(report_url, {"reason": "rude"})
    assert first.status_code == 302
    assert first["Location"] == f"{article.url}#comment-{comment.pk}"
    second = client.post(report_url, {"reason": "still rude"})
    assert second.status_code == 302
    comment.refresh_from_db()
    assert comment.report_count == 1
    assert CommentReport.objects.filter(comment=comment).count() == 1
    # The JS path says so too.
    again = client.post(report_url, headers={"Accept": "application/json"})
    assert again.json() == {"reported": False, "message": "You already reported it."}
    # Another reader's report counts.
    carol = client_for(make_user("carol"))
    assert carol.post(report_url, headers={"Accept": "application/json"}).json()["reported"]
    comment.refresh_from_db()
    assert comment.report_count == 2


# --- Who reads: the gate --------------------------------------------------------------------

DEMO_SLUGS = sorted({spec["article"] for spec in demo_data.COMMENTS})


@pytest.mark.parametrize("reader", ["anonymous", "registered"])
def test_readers_without_access_see_the_count_and_the_gate_but_no_comment_text(reader):
    if reader == "anonymous":
        client = Client()
    else:
        client = client_for(make_user("visitor", paid=False))
    for slug in DEMO_SLUGS:
        article = article_named(slug)
        count = Comment.objects.filter(article=article, status=CommentStatus.VISIBLE).count()
        assert count > 0
        html_text = page(client, article)
        assert_gated(html_text, anonymous=reader == "anonymous")
        assert count_in(html_text) == count
        assert f'href="/subscribe/?next={article.url}%23comments"' in html_text.replace("%2F", "/")
        unescaped = html.unescape(html_text)
        for text in demo_texts(article):
            assert text not in html_text and text not in unescaped, (slug, text)


def test_comment_counts_on_article_lists(demo_article):
    visible = Comment.objects.filter(
        article=demo_article, status=CommentStatus.VISIBLE, deleted_at=None
    ).count()
    assert visible == 3
    section_page = demo_article.get_parent().specific
    listing = Client().get(section_page.url).content.decode()
    assert f'href="{demo_article.url}#comments">{visible} comments</a>' in listing
    home = Client().get("/").content.decode()
    assert f'href="{demo_article.url}#comments">{visible} comments</a>' in home


def test_a_lapsed_subscriber_loses_reading_and_posting_at_once(alice, bob, article):
    client = client_for(alice)
    mine = posted(post(client, article, "Posted while paying"))
    theirs = posted(post(client_for(bob), article, "Another view entirely"))
    five_seconds_pass(alice)
    assert "Another view entirely" in page(client, article)
    Subscription.objects.filter(user=alice).update(status=SubscriptionStatus.CANCELED)
    html_text = page(client, article)
    assert_gated(html_text, anonymous=False)
    assert "Another view entirely" not in html_text and "Posted while paying" not in html_text
    response = post(client, article, "Still here?")
    assert response.status_code == 403
    assert post(client, article, "Still here?", json=True).status_code == 403
    edit = client.post(reverse("comments:edit", args=[mine.pk]), {"body": "edited"})
    assert edit.status_code == 403
    assert client.post(reverse("comments:delete", args=[mine.pk])).status_code == 403
    assert client.post(reverse("comments:report", args=[theirs.pk])).status_code == 403
    assert not Comment.objects.filter(body_markdown="Still here?").exists()


def test_staff_read_and_post_without_a_subscription(demo_article):
    staff = make_user("editor", paid=False, is_staff=True)
    client = client_for(staff)
    html_text = page(client, demo_article)
    assert GATE not in html_text
    for comment in Comment.objects.filter(article=demo_article):
        assert comment.body_html.strip() in html_text
    comment = posted(post(client, demo_article, "From the newsroom: thanks for reading."))
    assert comment.author == staff


# --- Closed, banned, held -------------------------------------------------------------------


def test_closed_for_one_article(alice, demo_article):
    ArticlePage.objects.filter(pk=demo_article.pk).update(comments_open=False)
    client = client_for(alice)
    html_text = page(client, demo_article)
    assert "Comments are closed for this article." in html_text
    assert 'name="body"' not in html_text
    # Existing comments stay readable.
    assert Comment.objects.filter(article=demo_article).first().body_html.strip() in html_text
    assert post(client, demo_article, "Let me in").status_code == 403
    assert not Comment.objects.filter(body_markdown="Let me in").exists()
    # Other articles stay open.
    assert 'name="body"' in page(client, article_named(EMPTY_ARTICLE))


def test_closed_site_wide(alice, article, demo_article, comment_settings):
    comment_settings.comments_enabled = False
    comment_settings.save()
    client = client_for(alice)
    for each in (article, demo_article):
        html_text = page(client, each)
        assert "Comments are closed" in html_text and 'name="body"' not in html_text
        assert post(client, each, "Anyone?").status_code == 403
    assert not Comment.objects.filter(body_markdown="Anyone?").exists()


def test_a_banned_reader_cannot_post(alice, article):
    moderator = make_user("moderator", paid=False, is_staff=True)
    client = client_for(alice)
    offending = posted(post(client, article, "Something abusive"))
    services.comment_moderate(
        moderator=moderator, comment_id=offending.pk, action="ban", reason="Repeated abuse"
    )
    assert CommentBan.objects.get(user=alice).reason == "Repeated abuse"
    assert ModerationAction.objects.filter(
        comment=offending, action="ban", reason="Repeated abuse", moderator=moderator
    ).exists()
    five_seconds_pass(alice)
    html_text = page(client, article)
    assert "You can no longer post comments." in html_text and 'name="body"' not in html_text
    assert "Something abusive" not in html_text
    assert post(client, article, "Let me back in").status_code == 403
    assert post(client, article, "Let me back in", json=True).status_code == 403
    assert not Comment.objects.filter(body_markdown="Let me back in").exists()


def test_a_new_commenters_first_comment_is_held(alice, bob, article, comment_settings):
    comment_settings.hold_first_comment = True
    comment_settings.save()
    moderator = make_user("moderator", paid=False, is_staff=True)
    newcomer = client_for(alice)
    held = posted(post(newcomer, article, "Hello from a new reader"))
    assert held.status == CommentStatus.HELD
    mine = page(newcomer, article)
    assert "Hello from a new reader" in mine and "Awaiting approval" in mine
    assert "Your first comment will appear once a moderator approves it." in mine
    other = page(client_for(bob), article)
    assert "Hello from a new reader" not in other and count_in(other) == 0
    anonymous = page(Client(), article)
    assert_gated(anonymous, anonymous=True)
    assert "Hello from a new reader" not in anonymous
    services.comment_moderate(
        moderator=moderator, comment_id=held.pk, action="approve", reason="Looks fine"
    )
    other = page(client_for(bob), article)
    assert "Hello from a new reader" in other and count_in(other) == 1
    # Once one comment is approved, the next is not held.
    five_seconds_pass(alice)
    assert posted(post(newcomer, article, "And again")).status == CommentStatus.VISIBLE


# --- Rate limits -----------------------------------------------------------------------------


def test_a_flood_gets_429_past_one_comment_per_five_seconds(alice, article):
    client = client_for(alice)
    statuses = [post(client, article, f"Flood message number {i}").status_code for i in range(20)]
    assert statuses[0] == 302
    assert statuses[1:] == [429] * 19
    assert Comment.objects.filter(author=alice).count() == 1
    second = post(client, article, "Too soon")
    assert "Please wait a few seconds" in second.content.decode()


def test_thirty_comments_an_hour(alice, article):
    # Mid-hour, so the run never straddles two hourly counters.
    noon = timezone.now().replace(minute=30, second=0, microsecond=0)
    with mock.patch.object(services, "timezone", SimpleNamespace(now=lambda: noon)):
        client = client_for(alice)
        for i in range(services.HOURLY_LIMIT):
            five_seconds_pass(alice)
            posted(post(client, article, f"Hourly comment {i}"))
        five_seconds_pass(alice)
        response = post(client, article, "One too many")
    assert response.status_code == 429
    assert "30 comments an hour" in response.content.decode()
    assert Comment.objects.filter(author=alice).count() == services.HOURLY_LIMIT


def test_the_same_text_twice_is_rejected(alice, article):
    client = client_for(alice)
    posted(post(client, article, "Great piece, thanks."))
    five_seconds_pass(alice)
    again = post(client, article, "  great PIECE,   thanks. ")
    assert again.status_code == 429
    assert "same comment" in again.content.decode()
    five_seconds_pass(alice)
    posted(post(client, article, "A different thought."))
    assert Comment.objects.filter(author=alice).count() == 2


def test_a_retry_after_an_attempt_that_died_before_its_commit_is_posted(alice, article):
    """The first attempt passed the rate checks and then died (its process killed, its
    transaction rolled back): the marks it left in the cache must not refuse the retry
    as a repeat of a comment that was never saved."""
    client = client_for(alice)
    with mock.patch.object(services.Comment.objects, "create", side_effect=DatabaseError):
        with pytest.raises(DatabaseError):
            post(client, article, "Said once, saved once.")
    assert not Comment.objects.filter(author=alice).exists()
    five_seconds_pass(alice)
    posted(post(client, article, "Said once, saved once."))
    five_seconds_pass(alice)
    again = post(client, article, "Said once, saved once.")
    assert again.status_code == 429 and "same comment" in again.content.decode()
    assert Comment.objects.filter(author=alice).count() == 1


def test_the_429_page_keeps_what_the_reader_wrote(alice, demo_article):
    client = client_for(alice)
    top = Comment.objects.filter(article=demo_article, parent=None).first()
    posted(post(client, demo_article, "First"))
    text = 'A long reply with <angle> brackets & "quotes" I would hate to lose.'
    response = post(client, demo_article, text, parent=top)
    assert response.status_code == 429
    body = response.content.decode()
    assert 'role="alert">Please wait a few seconds' in body
    assert html.escape(text, quote=False) in body or html.escape(text) in body
    # Trying again posts the reply to the same thread, not a new top-level comment.
    assert f'name="parent" value="{top.pk}"' in body
    assert reverse("comments:post", args=[demo_article.pk]) in body


def test_the_json_answers_for_the_script(alice, article):
    client = client_for(alice)
    created = post(client, article, "Posted by *script*", json=True)
    assert created.status_code == 201
    data = created.json()
    comment = Comment.objects.get(pk=data["id"])
    assert data == {"id": comment.pk, "status": "visible", "html": comment.body_html}
    assert "<em>script</em>" in data["html"]
    limited = post(client, article, "Posted again at once", json=True)
    assert limited.status_code == 429
    assert limited["Content-Type"] == "application/json"
    assert limited.json() == {"error": "Please wait a few seconds before posting again."}
    five_seconds_pass(alice)
    empty = post(client, article, "   ", json=True)
    assert empty.status_code == 400 and empty.json()["error"]


def test_a_post_without_a_csrf_token_is_refused(alice, article):
    client = client_for(alice, enforce_csrf_checks=True)
    response = post(client, article, "Forged from another site")
    assert response.status_code == 403
    assert not Comment.objects.filter(body_markdown="Forged from another site").exists()
    # The token in the per-reader comments section is the one that works.
    html_text = page(client, article)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html_text).group(1)
    ok = client.post(
        reverse("comments:post", args=[article.pk]),
        {"body": "Posted from the form", "csrfmiddlewaretoken": token},
    )
    assert posted(ok).body_markdown == "Posted from the form"


def test_the_comments_section_runs_no_inline_script_under_the_csp(alice, demo_article):
    response = client_for(alice).get(demo_article.url, follow=True)
    policy = response["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    section = response.content.decode().split('id="comments"')[1]
    scripts = re.findall(r"<script\b[^>]*>", section)
    assert scripts and all("src=" in tag for tag in scripts), scripts
    assert "masthead/comments.js" in scripts[0]


# --- Order, pages and queries -----------------------------------------------------------------


def _add_comments(article, authors, *, threads: int, replies: int) -> list[Comment]:
    """``threads`` top-level comments a minute apart, then ``replies`` spread over them."""
    start = timezone.now() - timedelta(days=1)
    tops = []
    for i in range(threads):
        text = f"Thread number {i:03d} says *hello*."
        tops.append(
            Comment(
                article=article,
                author=authors[i % len(authors)],
                body_markdown=text,
                body_html=render_markdown(text),
            )
        )
    tops = Comment.objects.bulk_create(tops)
    for i, comment in enumerate(tops):
        Comment.objects.filter(pk=comment.pk).update(created_at=start + timedelta(minutes=i))
    answers = []
    for i in range(replies):
        text = f"Reply number {i:03d}."
        answers.append(
            Comment(
                article=article,
                author=authors[(i + 1) % len(authors)],
                parent=tops[i % min(len(tops), 20)],
                body_markdown=text,
                body_html=render_markdown(text),
            )
        )
    Comment.objects.bulk_create(answers)
    # A bulk insert bypasses comment_create; keep the count beside the article true.
    counts.forget_count(article.pk)
    return tops


def _threads_shown(html_text: str) -> list[str]:
    return re.findall(r"Thread number (\d{3})", html_text)


def test_oldest_and_newest_first_with_twenty_threads_a_page(alice, article):
    _add_comments(article, [alice], threads=45, replies=0)
    client = client_for(alice)
    first = page(client, article)
    assert _threads_shown(first) == [f"{i:03d}" for i in range(20)]
    assert "Page 1 of 3" in first
    assert 'href="?comments_page=2#comments"' in first
    third = page(client, article, "?comments_page=3")
    assert _threads_shown(third) == [f"{i:03d}" for i in range(40, 45)]
    newest = page(client, article, "?comments=newest")
    assert _threads_shown(newest) == [f"{i:03d}" for i in range(44, 24, -1)]
    assert 'href="?comments_page=2&amp;comments=newest#comments"' in newest
    newest_two = page(client, article, "?comments=newest&comments_page=2")
    assert _threads_shown(newest_two) == [f"{i:03d}" for i in range(24, 4, -1)]
    # Out-of-range and junk page numbers fall back to a real page, never an error.
    assert _threads_shown(page(client, article, "?comments_page=99")) == _threads_shown(third)
    assert _threads_shown(page(client, article, "?comments_page=x")) == _threads_shown(first)
    assert count_in(first) == 45


def test_queries_do_not_grow_with_the_number_of_comments(alice, article):
    authors = [make_user(f"author{i}", paid=False) for i in range(12)]
    client = client_for(alice)

    def queries_for_page() -> int:
        page(client, article)  # warm up: page variants, settings, session
        with CaptureQueriesContext(connection) as captured:
            html_text = page(client, article)
        assert "comment-thread" in html_text
        return len(captured)

    # 10 comments: 4 threads and 6 replies.
    _add_comments(article, authors, threads=4, replies=6)
    few = queries_for_page()
    # 100 comments: 40 threads and 60 replies, 20 threads (and their replies) on the page.
    _add_comments(article, authors, threads=36, replies=54)
    assert Comment.objects.filter(article=article).count() == 100
    many = queries_for_page()
    assert many <= few, f"{few} queries for 10 comments but {many} for 100"
    assert many <= 25


# --- Reply e-mail ---------------------------------------------------------------------------


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    with override_settings(**server.django_settings()):
        yield server.inbox
    server.stop()


def test_reply_notifications_by_email_and_the_opt_out(
    alice, bob, article, smtp, django_capture_on_commit_callbacks
):
    carol = make_user("carol")
    alice_client = client_for(alice)
    top = posted(post(alice_client, article, "What do you all think?"))
    with django_capture_on_commit_callbacks(execute=True):
        reply = posted(post(client_for(bob), article, "I think it is *fine*.", parent=top))
    [message] = smtp.to("alice@example.org")
    assert article.title in message.subject
    assert "I think it is *fine*." in message.body
    assert f"{article.url}#comment-{reply.pk}" in message.body
    assert "/account/" in message.body
    # Replying to yourself sends nothing.
    five_seconds_pass(alice)
    with django_capture_on_commit_callbacks(execute=True):
        posted(post(alice_client, article, "Replying to myself", parent=top))
    assert len(smtp.to("alice@example.org")) == 1
    # The account page's form, unchecked, turns them off.
    account = alice_client.get("/account/").content.decode()
    assert 'action="/comments/preferences/"' in account
    assert 'name="reply_notifications" checked' in account
    response = alice_client.post("/comments/preferences/", {})
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert (
        'name="reply_notifications" checked' not in alice_client.get("/account/").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        posted(post(client_for(carol), article, "Another reply", parent=top))
    assert len(smtp.to("alice@example.org")) == 1
    # And checked, back on.
    alice_client.post("/comments/preferences/", {"reply_notifications": "on"})
    five_seconds_pass(carol)
    with django_capture_on_commit_callbacks(execute=True):
        posted(post(client_for(carol), article, "A third reply", parent=top))
    assert len(smtp.to("alice@example.org")) == 2
    # Once her subscription lapses, replies' text no longer reaches her by e-mail either.
    Subscription.objects.filter(user=alice).update(status=SubscriptionStatus.CANCELED)
    five_seconds_pass(carol)
    with django_capture_on_commit_callbacks(execute=True):
        posted(post(client_for(carol), article, "A fourth reply", parent=top))
    assert len(smtp.to("alice@example.org")) == 2
    assert all(m.recipients == ("alice@example.org",) for m in smtp.messages)


# --- Moderation in the Wagtail admin ---------------------------------------------------------


@pytest.fixture
def admin_client():
    admin = get_user_model().objects.create_superuser("chief", "chief@example.org", None)
    return client_for(admin), admin


def test_moderators_hide_a_reported_comment_with_a_reason(alice, bob, article, admin_client):
    client, admin = admin_client
    reported = posted(post(client_for(alice), article, "Reported words <script>x()</script>"))
    quiet = posted(post(client_for(bob), article, "Unremarkable words"))
    services.comment_report(user=bob, comment_id=reported.pk)
    edit_reported = reverse("wagtailsnippets_comments_comment:edit", args=[reported.pk])
    edit_quiet = reverse("wagtailsnippets_comments_comment:edit", args=[quiet.pk])

    listing = client.get(reverse("wagtailsnippets_comments_comment:list"), {"reported": "true"})
    assert listing.status_code == 200
    assert edit_reported in listing.content.decode()
    assert edit_quiet not in listing.content.decode()

    form = client.get(edit_reported)
    assert form.status_code == 200
    # The moderator sees what they are judging, as text (the admin has no CSP of ours).
    assert "Reported words &lt;script&gt;x()&lt;/script&gt;" in form.content.decode()
    assert "<script>x()</script>" not in form.content.decode()

    # No reason: a form error, nothing changes.
    refused = client.post(edit_reported, {"action": "hide", "reason": ""})
    assert refused.status_code == 200
    assert "This field is required" in refused.content.decode()
    reported.refresh_from_db()
    assert reported.status == CommentStatus.VISIBLE
    assert not ModerationAction.objects.filter(comment=reported).exists()

    done = client.post(edit_reported, {"action": "hide", "reason": "Personal attack"})
    assert done.status_code == 302
    reported.refresh_from_db()
    assert reported.status == CommentStatus.HIDDEN
    log = ModerationAction.objects.get(comment=reported)
    assert (log.action, log.reason, log.moderator, log.target_user) == (
        "hide",
        "Personal attack",
        admin,
        alice,
    )
    html_text = page(client_for(bob), article)
    assert "Reported words" not in html_text and "Unremarkable words" in html_text
    assert count_in(html_text) == 1
    # The anonymous gate's count follows at once, too.
    assert count_in(page(Client(), article)) == 1

    # The log and the ban list are there for moderators.
    log_page = client.get(reverse("wagtailsnippets_comments_moderationaction:list"))
    assert log_page.status_code == 200 and "Personal attack" in log_page.content.decode()
    assert client.get(reverse("wagtailsnippets_comments_commentban:list")).status_code == 200

    # Unhide brings it back.
    client.post(edit_reported, {"action": "unhide", "reason": "On reflection, fair comment"})
    assert "Reported words" in page(client_for(bob), article)


def test_a_moderator_delete_keeps_the_thread(alice, bob, article, admin_client):
    _, admin = admin_client
    top = posted(post(client_for(alice), article, "Spam spam spam"))
    reply = posted(post(client_for(bob), article, "A real answer", parent=top))
    services.comment_moderate(moderator=admin, comment_id=top.pk, action="delete", reason="Spam")
    thread = thread_of(page(client_for(bob), article), top)
    assert "This comment was deleted." in thread and "Spam spam spam" not in thread
    assert f'id="comment-{reply.pk}"' in thread


def test_moderation_needs_a_reason_and_a_known_action(alice, article, admin_client):
    from django.core.exceptions import ValidationError

    _, admin = admin_client
    comment = posted(post(client_for(alice), article, "Borderline"))
    with pytest.raises(ValidationError):
        services.comment_moderate(moderator=admin, comment_id=comment.pk, action="hide", reason=" ")
    with pytest.raises(ValidationError):
        services.comment_moderate(
            moderator=admin, comment_id=comment.pk, action="explode", reason="why not"
        )
    assert not ModerationAction.objects.exists()


def test_the_admin_offers_no_way_around_the_action_form(alice, article, admin_client):
    """No adding, copying or deleting comments, and no hand-edited log, even for superusers."""
    client, admin = admin_client
    comment = posted(post(client_for(alice), article, "Keep me"))
    services.comment_moderate(moderator=admin, comment_id=comment.pk, action="hide", reason="x")
    entry = ModerationAction.objects.get(comment=comment)
    denied = [
        ("get", reverse("wagtailsnippets_comments_comment:add")),
        ("post", reverse("wagtailsnippets_comments_comment:add")),
        ("get", reverse("wagtailsnippets_comments_comment:copy", args=[comment.pk])),
        ("post", reverse("wagtailsnippets_comments_comment:delete", args=[comment.pk])),
        ("get", reverse("wagtailsnippets_comments_moderationaction:add")),
        ("post", reverse("wagtailsnippets_comments_moderationaction:edit", args=[entry.pk])),
        ("post", reverse("wagtailsnippets_comments_moderationaction:delete", args=[entry.pk])),
    ]
    for method, url in denied:
        response = getattr(client, method)(url, {"action": "hide", "reason": "y"})
        assert response.status_code == 302 and response["Location"] == "/admin/", url
    client.post(f"/admin/bulk/comments/comment/delete/?id={comment.pk}")
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert ModerationAction.objects.get(pk=entry.pk).reason == "x"
    assert ModerationAction.objects.count() == 1
    listing = client.get(reverse("wagtailsnippets_comments_comment:list")).content.decode()
    assert reverse("wagtailsnippets_comments_comment:add") not in listing
    inspect = reverse("wagtailsnippets_comments_moderationaction:inspect", args=[entry.pk])
    assert client.get(inspect).status_code == 200


def test_comment_times_are_in_the_publications_time_zone(alice, article):
    from datetime import UTC, datetime

    from wagtail.models import Site

    from masthead.content.models import PublicationSettings

    zone = PublicationSettings.for_site(Site.objects.get(is_default_site=True)).zone
    assert str(zone) != "UTC"  # the demo publication's zone, so the test means something
    client = client_for(alice)
    comment = posted(post(client, article, "What time is it?"))
    moment = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    Comment.objects.filter(pk=comment.pk).update(created_at=moment)
    local = moment.astimezone(zone)
    thread = thread_of(page(client, article), comment)
    assert f'<time datetime="{local.isoformat()}">' in thread


def test_anonymous_counts_follow_new_comments(alice, demo_article):
    section_url = demo_article.get_parent().specific.url
    assert count_in(page(Client(), demo_article)) == 3
    assert '#comments">3 comments</a>' in Client().get(section_url).content.decode()
    posted(post(client_for(alice), demo_article, "One more voice"))
    listing = Client().get(section_url).content.decode()
    assert f'href="{demo_article.url}#comments">4 comments</a>' in listing
    assert count_in(page(Client(), demo_article)) == 4
