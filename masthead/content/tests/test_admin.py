"""The editors' admin: previews, the article form, the dashboard and the times they see."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from wagtail.test.utils.form_data import (
    nested_form_data,
    querydict_from_html,
    rich_text,
    streamfield,
)

from masthead.content import demo_data
from masthead.content.models import (
    AccessLevel,
    ArticleAuthor,
    ArticlePage,
    AuthorPage,
    SectionPage,
)

pytestmark = pytest.mark.django_db

TWO_AUTHORS = next(a for a in demo_data.ARTICLES if len(a["authors"]) == 2)
ZONE = demo_data.PUBLICATION["time_zone"]


@pytest.fixture
def editor() -> Client:
    user = get_user_model().objects.create_superuser("desk", "desk@example.org", None)
    client = Client()
    client.force_login(user)
    return client


def author_names(slugs: list[str]) -> list[str]:
    return [next(a["name"] for a in demo_data.AUTHORS if a["slug"] == s) for s in slugs]


def form_data(html_text: str, page=None):
    """What the editor's browser would post back from the page form as it stands.

    The body's blocks are drawn by script from JSON, so its paragraphs are added
    the way Wagtail's form posts them.
    """
    data = querydict_from_html(html_text, form_id="page-edit-form")
    body = getattr(page, "body", None)
    if body is not None:
        paragraphs = [b for b in body if b.block_type == "paragraph"]
        blocks = [("paragraph", rich_text(b.value.source)) for b in paragraphs]
        data.update(nested_form_data({"body": streamfield(blocks)}))
    return data


def edit_form(client: Client, page):
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    return text, form_data(text, page.specific)


def tab(html_text: str, name: str) -> str:
    """The markup of one tab of Wagtail's page editor."""
    start = html_text.index(f'id="tab-{name}"')
    following = [html_text.find('id="tab-', start + 1), html_text.find("</form>", start)]
    return html_text[start : min(i for i in following if i > 0)]


def byline(html_text: str) -> list[str]:
    found = re.search(r'<p class="byline">(.*?)</p>', html_text, re.S)
    assert found, "no byline"
    return [html.unescape(n) for n in re.findall(r'rel="author"[^>]*>([^<]+)<', found[1])]


# --- Previews ------------------------------------------------------------------------


def preview(client: Client, page, data) -> object:
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])
    stored = client.post(url, data)
    assert stored.json()["is_valid"], stored.content
    return client.get(url, {"in_preview_panel": "true"})


def test_an_article_with_two_authors_previews_with_the_editors_unsaved_byline(editor):
    article = ArticlePage.objects.get(slug=TWO_AUTHORS["slug"])
    _, data = edit_form(editor, article)
    # The editor swaps the two authors and previews before saving.
    first, second = data["author_links-0-author"], data["author_links-1-author"]
    data["author_links-0-author"], data["author_links-1-author"] = second, first
    data["title"] = "A headline not yet saved"

    response = preview(editor, article, data)

    assert response.status_code == 200
    text = response.content.decode()
    assert "A headline not yet saved" in html.unescape(text)
    assert byline(text) == list(reversed(author_names(TWO_AUTHORS["authors"])))
    # Nothing was saved by previewing.
    assert byline(Client().get(article.url, follow=True).content.decode()) == author_names(
        TWO_AUTHORS["authors"]
    )


@pytest.mark.parametrize("model", [ArticlePage, SectionPage])
def test_a_preview_may_be_framed_by_the_admin_and_nothing_else(editor, model):
    page = model.objects.live().first()
    _, data = edit_form(editor, page)
    response = preview(editor, page, data)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp and "'none'" not in csp.split("frame-ancestors")[1]


@pytest.mark.parametrize("model", [ArticlePage, SectionPage])
def test_public_pages_still_refuse_every_frame(client, model):
    page = model.objects.live().first()
    response = client.get(page.url, follow=True)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


# --- The article form ----------------------------------------------------------------


def test_authors_tags_and_access_are_on_the_content_tab(editor):
    article = ArticlePage.objects.get(slug=TWO_AUTHORS["slug"])
    page, _ = edit_form(editor, article)
    content, promote = tab(page, "content"), tab(page, "promote")
    # Authors are an ordered list of page choosers, not a multi-select.
    assert 'id="id_author_links-FORMS"' in content
    assert 'name="authors"' not in page
    assert "author_links-0-author" in content and "author_links-1-author" in content
    for name in author_names(TWO_AUTHORS["authors"]):
        assert name in content
    assert 'name="tags"' in content and 'name="access_level"' in content
    assert 'name="tags"' not in promote


def test_an_editor_creates_and_publishes_an_article_through_the_admin(editor):
    section = SectionPage.objects.live().order_by("path").first()
    add_url = reverse("wagtailadmin_pages:add", args=("content", "articlepage", section.pk))
    form = editor.get(add_url)
    assert form.status_code == 200
    data = form_data(form.content.decode())
    data.update(
        nested_form_data({"body": streamfield([("paragraph", rich_text("<p>Less often.</p>"))])})
    )
    writers = list(AuthorPage.objects.order_by("-pk")[:2])
    data.update(
        {
            "title": "Ferry schedule changes for winter",
            "slug": "ferry-schedule-winter",
            "dek": "Fewer crossings from December.",
            "author_links-TOTAL_FORMS": "2",
            "author_links-0-author": str(writers[0].pk),
            "author_links-0-ORDER": "1",
            "author_links-1-author": str(writers[1].pk),
            "author_links-1-ORDER": "2",
            "tags": "ferries, transit",
            "access_level": AccessLevel.FREE,
            "action-publish": "action-publish",
        }
    )
    response = editor.post(add_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]

    article = ArticlePage.objects.get(slug="ferry-schedule-winter")
    assert article.live and article.get_parent().pk == section.pk
    assert list(article.author_links.values_list("author_id", flat=True)) == [w.pk for w in writers]
    assert sorted(article.tags.names()) == ["ferries", "transit"]
    public = Client().get(article.url)
    assert public.status_code == 200
    assert byline(public.content.decode()) == [w.title for w in writers]


def test_an_article_is_not_published_without_an_author(editor):
    article = ArticlePage.objects.get(slug=TWO_AUTHORS["slug"])
    _, data = edit_form(editor, article)
    data["author_links-0-DELETE"] = "1"
    data["author_links-1-DELETE"] = "1"
    data["action-publish"] = "action-publish"
    response = editor.post(reverse("wagtailadmin_pages:edit", args=[article.pk]), data)
    assert response.status_code == 200
    assert ArticleAuthor.objects.filter(article=article).count() == 2


def test_the_dashboard_offers_a_new_article_in_each_section(editor):
    page = editor.get(reverse("wagtailadmin_home")).content.decode()
    assert "New article" in page
    for section in SectionPage.objects.live():
        add_url = reverse("wagtailadmin_pages:add", args=("content", "articlepage", section.pk))
        assert f'href="{add_url}"' in page
        assert editor.get(add_url).status_code == 200


# --- Times ---------------------------------------------------------------------------


def test_the_editor_sees_and_enters_times_in_the_publications_zone(editor):
    article = ArticlePage.objects.get(slug=TWO_AUTHORS["slug"])
    page, data = edit_form(editor, article)
    assert f"Times are in {ZONE}." in page

    # 9 a.m. on 15 January in Chicago is 15:00 UTC.
    data["go_live_at"] = "2031-01-15 09:00"
    response = editor.post(reverse("wagtailadmin_pages:edit", args=[article.pk]), data)
    assert response.status_code == 302
    revision = ArticlePage.objects.get(pk=article.pk).get_latest_revision()
    assert revision.as_object().go_live_at == datetime(2031, 1, 15, 15, 0, tzinfo=UTC)

    again, _ = edit_form(editor, article)
    assert 'value="2031-01-15 09:00"' in again
