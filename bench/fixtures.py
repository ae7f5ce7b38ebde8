"""What ``bench/run.py`` needs in the bench database, made through the project's models.

Run from the repository root with the bench's environment (DATABASE_URL,
REDIS_URL, MASTHEAD_VAR_DIR), so that the secret key and the database are the
ones the served site uses:

``python bench/fixtures.py facts OUT.json --subscriber-article SLUG --comments 50
--article SLUG ...``
    Creates a verified subscriber (active subscription, a Django session) and
    tops the subscriber's article up to ``--comments`` visible comments; writes
    the session cookie, every article's URL path and body text, and the text
    of the first comment shown, for the checks that precede the measurement.

``python bench/fixtures.py cookies OUT.txt COUNT``
    Writes COUNT signed anonymous reader cookies (``mh_reader=...``), one a line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUBSCRIBER_EMAIL = "bench-subscriber@example.org"
COMMENTERS = 6
COMMENT_LINES = [
    "The budget table on page four tells a *different* story from the press release.",
    "I went to the hearing. The questions from the back of the room were sharper than this.",
    "Good reporting. Would like a follow-up on what the **contract** actually says.",
    "Has anyone asked the transit authority how the pilot will be measured?",
    "My street got the same promise in 2019. I'll believe it when the work starts.",
]


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    import django

    django.setup()


def _block_texts(page) -> list[str]:
    """The reader-visible text of each body block, as HTML-free strings."""
    from django.utils.html import strip_tags

    texts = []
    for block in page.body:
        value = block.value
        if block.block_type == "paragraph":
            text = strip_tags(value.source)
        elif block.block_type == "quote":
            text = value["text"]
        elif block.block_type == "image":
            text = value.get("caption") or ""
        else:
            text = str(value)
        if text.strip():
            texts.append(text)
    return texts


def _path(page) -> str:
    from urllib.parse import urlsplit

    return urlsplit(page.get_url()).path


def _subscriber():
    from datetime import timedelta

    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from masthead.billing.models import Provider, Subscription, SubscriptionStatus
    from masthead.billing.services import plans_ensure_demo

    user, _ = get_user_model().objects.get_or_create(
        username="bench-subscriber", defaults={"email": SUBSCRIBER_EMAIL}
    )
    user.set_unusable_password()
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=SUBSCRIBER_EMAIL, defaults={"verified": True, "primary": True}
    )
    if not Subscription.objects.filter(user=user, status=SubscriptionStatus.ACTIVE).exists():
        Subscription.objects.create(
            user=user,
            plan=plans_ensure_demo()[0],
            provider=Provider.TESTMODE,
            status=SubscriptionStatus.ACTIVE,
            current_period_end=timezone.now() + timedelta(days=30),
        )
    return user


def _session_cookie(user) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _top_up_comments(article, wanted: int) -> None:
    """Visible comments on ``article`` up to ``wanted``: top-level ones, some answered."""
    from django.contrib.auth import get_user_model

    from masthead.comments import selectors
    from masthead.comments.models import Comment, CommentStatus
    from masthead.comments.rendering import render_markdown

    User = get_user_model()
    authors = [
        User.objects.get_or_create(
            username=f"bench-commenter-{n}", defaults={"email": f"bench-commenter-{n}@example.org"}
        )[0]
        for n in range(COMMENTERS)
    ]
    have = selectors.visible_count(article.pk)
    parent = None
    for n in range(max(0, wanted - have)):
        text = f"{COMMENT_LINES[n % len(COMMENT_LINES)]} (bench comment {n + 1})"
        comment = Comment.objects.create(
            article=article,
            author=authors[n % len(authors)],
            parent=parent,
            body_markdown=text,
            body_html=render_markdown(text),
            status=CommentStatus.VISIBLE,
        )
        parent = comment if parent is None and n % 4 == 0 else None


def facts(out: Path, subscriber_article: str, comments: int, articles: list[str]) -> None:
    _setup()
    from django.utils.html import strip_tags

    from masthead.comments import selectors
    from masthead.content.models import ArticlePage

    page = ArticlePage.objects.live().get(slug=subscriber_article)
    user = _subscriber()
    _top_up_comments(page, comments)
    first = selectors.threads(
        article_id=page.pk, viewer=user, newest_first=False, page_number=1
    ).object_list[0]
    pages = {slug: ArticlePage.objects.live().get(slug=slug) for slug in articles}
    pages[subscriber_article] = page
    out.write_text(
        json.dumps(
            {
                "session_cookie": _session_cookie(user),
                "subscriber_path": _path(page),
                "subscriber_access": page.access_level,
                "visible_comments": selectors.visible_count(page.pk),
                "first_comment_text": strip_tags(first.body_html),
                "articles": {
                    _path(p): {"slug": slug, "access": p.access_level, "text": _block_texts(p)}
                    for slug, p in pages.items()
                },
            },
            indent=2,
        )
    )


def cookies(out: Path, count: int) -> None:
    """Signed reader cookies, each made by ``identity.set_reader_cookie`` itself."""
    _setup()
    with out.open("w") as handle:
        handle.writelines(f"{cookie}\n" for cookie in new_reader_cookies(count))


def new_reader_cookies(count: int) -> list[str]:
    """``Cookie`` header values of new readers, signed as the site signs them. Django 5.2's
    security releases changed the cookie salt; a cookie signed the old way costs two
    HMACs and an exception to verify (the legacy fallback), and no reader carries one."""
    from django.http import HttpResponse

    from masthead.paywall import identity

    made = []
    for _ in range(count):
        response = HttpResponse()
        identity.set_reader_cookie(response, identity.new_reader_id())
        made.append(f"{identity.READER_COOKIE}={response.cookies[identity.READER_COOKIE].value}")
    return made


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("facts")
    made.add_argument("out", type=Path)
    made.add_argument("--subscriber-article", required=True)
    made.add_argument("--comments", type=int, default=50)
    made.add_argument("--article", action="append", default=[])
    signed = commands.add_parser("cookies")
    signed.add_argument("out", type=Path)
    signed.add_argument("count", type=int)
    args = parser.parse_args(argv)
    if args.command == "facts":
        facts(args.out, args.subscriber_article, args.comments, args.article)
    else:
        cookies(args.out, args.count)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
