import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from masthead.content import demo_data
from masthead.content.models import ArticlePage, AuthorPage, PublicationSettings
from masthead.content.tests.helpers import demo_article, jsonld_blocks, last_paragraph, parse_tags

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
@pytest.mark.parametrize("access", ["free", "metered", "subscribers"])
def test_article_jsonld_is_a_news_article_with_the_required_fields(client, access):
    article = demo_article(access)
    page = client.get(article.url, follow=True).content.decode()
    [data] = jsonld_blocks(page)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == article.title
    assert data["image"] and data["image"][0].startswith("http://testserver/media/")
    assert data["datePublished"].startswith(str(article.first_published_at.year))
    assert data["dateModified"]
    authors = list(article.authors.all())
    assert [a["name"] for a in data["author"]] == [a.title for a in authors]
    assert all(a["url"].startswith("http://testserver/authors/") for a in data["author"])
    assert data["publisher"]["name"] == PublicationSettings.objects.get().name
    assert data["publisher"]["logo"]["height"] <= 60
    assert data["isAccessibleForFree"] is (access == "free")
    assert "articleBody" not in data
    assert last_paragraph(article.slug)[:60] not in str(data)


@pytest.mark.django_db
def test_publisher_logo_is_in_the_jsonld_when_set(client):
    from masthead.content.models import MastheadImage

    publication = PublicationSettings.objects.get()
    publication.logo = MastheadImage.objects.first()
    publication.save()
    [data] = jsonld_blocks(client.get(demo_article("metered").url, follow=True).content.decode())
    logo = data["publisher"]["logo"]
    assert logo["@type"] == "ImageObject" and logo["url"].startswith("http://testserver/")
    assert logo["width"] and logo["height"]


@pytest.mark.django_db
def test_jsonld_cannot_be_closed_by_a_headline(client):
    article = demo_article("metered")
    article.title = "</script><script>alert(1)</script>"
    article.save_revision().publish()
    page = client.get(article.url, follow=True).content.decode()
    assert "<script>alert(1)" not in page
    assert jsonld_blocks(page)[0]["headline"] == article.title


@pytest.mark.django_db
def test_article_has_canonical_open_graph_and_twitter_tags(client):
    article = demo_article("metered")
    tags = parse_tags(client.get(article.url, follow=True).content.decode())
    [canonical] = tags.find("link", rel="canonical")
    assert canonical["href"] == f"http://testserver{article.url}"
    meta = {m.get("property") or m.get("name"): m.get("content") for m in tags.find("meta")}
    assert meta["og:title"] == article.title
    assert meta["og:description"] == article.dek
    assert meta["description"] == article.dek
    assert meta["og:type"] == "article"
    assert meta["og:image"].startswith("http://testserver/media/")
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["article:published_time"]


@pytest.mark.django_db
def test_sitemap_lists_every_article_author_and_section(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    files = re.findall(r"<loc>(.*?)</loc>", response.content.decode())
    locations = set()
    for file in files:
        body = client.get(re.sub(r"^https?://[^/]+", "", file)).content.decode()
        locations |= set(re.findall(r"<loc>(.*?)</loc>", body))
    paths = {re.sub(r"^https?://[^/]+", "", loc) for loc in locations}
    for article in ArticlePage.objects.live():
        assert article.url in paths
    for author in AuthorPage.objects.live():
        assert author.url in paths
    assert all(f"/{s['slug']}/" in paths for s in demo_data.SECTIONS)


@pytest.mark.django_db
def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_the_admin(client):
    body = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


@pytest.mark.django_db
def test_demo_command_is_idempotent():
    counts = (ArticlePage.objects.count(), AuthorPage.objects.count())
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)
    assert (ArticlePage.objects.count(), AuthorPage.objects.count()) == counts
    assert counts[0] == len(demo_data.ARTICLES)
    levels = [a.access_level for a in ArticlePage.objects.all()]
    assert levels.count("free") == 2 and levels.count("subscribers") == 2


@pytest.mark.django_db
def test_demo_content_meets_the_brief():
    assert len(demo_data.ARTICLES) >= 12 and len(demo_data.SECTIONS) >= 5
    assert len({slug for a in demo_data.ARTICLES for slug in a["authors"]}) >= 6
    for spec in demo_data.ARTICLES:
        paragraphs = [b for b in spec["body"] if b["type"] == "paragraph"]
        assert 6 <= len(paragraphs) <= 10
    for author in AuthorPage.objects.all():
        assert author.portrait and author.bio and author.short_bio
    for article in ArticlePage.objects.all():
        image = article.lead_image
        assert image.credit and image.source_name and image.source_url
        assert article.tags.exists()


@pytest.mark.django_db
def test_synthetic_articles_are_bulk_inserted_into_a_valid_tree(client):
    from wagtail.models import Page

    before = ArticlePage.objects.count()
    call_command("load_demo", synthetic=2500, verbosity=0)
    assert ArticlePage.objects.count() == before + 2500
    problems = Page.find_problems()
    assert all(not group for group in problems), problems
    synthetic = ArticlePage.objects.order_by("pk").last()
    response = client.get(synthetic.url, follow=True)
    assert response.status_code == 200
    assert synthetic.title in response.content.decode()


def _check_deploy(env_overrides: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",
        "MASTHEAD_MODE": "production",
        "SECRET_KEY": "k" * 20 + "a-real-production-secret-key-with-entropy-8f3Jq!zP",
        "ALLOWED_HOSTS": "news.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MASTHEAD_VAR_DIR": str(tmp_path),
        "STRIPE_SECRET_KEY": "sk_live_placeholder",
        "STRIPE_WEBHOOK_SECRET": "whsec_placeholder",
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_production_settings_pass_check_deploy(tmp_path):
    result = _check_deploy({}, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    result = _check_deploy({"SECRET_KEY": ""}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_refuse_the_test_mode_payment_provider(tmp_path):
    result = _check_deploy({"PAYMENT_PROVIDER": "testmode"}, tmp_path)
    assert result.returncode != 0
    assert "PAYMENT_PROVIDER=testmode is refused in production" in result.stderr


@pytest.mark.django_db
def test_public_pages_carry_a_csp_without_inline_scripts(client):
    article = demo_article("free")
    for url in ("/", article.url, "/search/?q=port", "/accounts/login/"):
        client.get(url)  # the second request of a page may come from the page cache
        policy = client.get(url)["Content-Security-Policy"]
        script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
        assert "'self'" in script_src
        assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
