"""Fill an empty database with the demo publication, and add synthetic articles fast."""

from __future__ import annotations

import io
import math
import random
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFilter, ImageFont
from wagtail.models import Page, Site
from wagtail.search.models import IndexEntry

from masthead.content import demo_data
from masthead.content.models import (
    ArticleAuthor,
    ArticleFullText,
    ArticlePage,
    AuthorIndexPage,
    AuthorPage,
    HomePage,
    MastheadImage,
    PublicationSettings,
    SectionPage,
    article_reindex,
)
from masthead.core import generations

IMAGE_SIZE = (1600, 900)
PORTRAIT_SIZE = (480, 480)


def _hex(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return tuple(int(color[i : i + 2], 16) for i in (0, 2, 4))


def _png(image: PILImage.Image, name: str) -> ImageFile:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82, optimize=True)
    buffer.seek(0)
    return ImageFile(buffer, name=name)


def draw_lead_image(palette: list[str], seed: str) -> PILImage.Image:
    """An abstract landscape in the article's palette, so each story looks distinct."""
    rng = random.Random(seed)
    top, bottom = _hex(palette[0]), _hex(palette[-1])
    width, height = IMAGE_SIZE
    image = PILImage.new("RGB", IMAGE_SIZE)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=False)),
        )
    for layer in range(4):
        base = height * (0.45 + layer * 0.13)
        shade = tuple(max(0, int(c * (0.85 - layer * 0.17))) for c in top)
        points = [(0, height)]
        phase, amplitude = rng.uniform(0, 6.28), rng.uniform(20, 70)
        for x in range(0, width + 40, 40):
            points.append((x, base + amplitude * math.sin(x / rng.uniform(120, 260) + phase)))
        points.append((width, height))
        draw.polygon(points, fill=shade)
    sun_x, sun_y = rng.uniform(0.15, 0.85) * width, rng.uniform(0.15, 0.35) * height
    draw.ellipse([sun_x - 70, sun_y - 70, sun_x + 70, sun_y + 70], fill=_hex(palette[-1]))
    return image.filter(ImageFilter.GaussianBlur(1.2))


def draw_portrait(color: str, seed: str) -> PILImage.Image:
    rng = random.Random(seed)
    background = _hex(color)
    image = PILImage.new("RGB", PORTRAIT_SIZE, background)
    draw = ImageDraw.Draw(image)
    skin = rng.choice([(241, 204, 170), (198, 140, 100), (141, 85, 60), (224, 172, 130)])
    hair = rng.choice([(40, 30, 25), (90, 60, 35), (170, 130, 80), (60, 60, 65)])
    w, h = PORTRAIT_SIZE
    draw.ellipse(
        [w * 0.18, h * 0.68, w * 0.82, h * 1.25], fill=tuple(int(c * 0.6) for c in background)
    )
    draw.ellipse([w * 0.31, h * 0.16, w * 0.69, h * 0.62], fill=hair)
    draw.ellipse([w * 0.34, h * 0.24, w * 0.66, h * 0.64], fill=skin)
    return image


def draw_logo(name: str) -> PILImage.Image:
    """A plain wordmark: what Google asks for as a publisher logo (wide, at most 60 px high)."""
    font = ImageFont.load_default(size=34)
    width = int(font.getlength(name)) + 24
    image = PILImage.new("RGB", (width, 60), "white")
    ImageDraw.Draw(image).text((12, 10), name, fill=(22, 24, 29), font=font)
    return image


def _image(
    *, title: str, file: ImageFile, credit="", source_name="", source_url=""
) -> MastheadImage:
    image = MastheadImage(
        title=title, file=file, credit=credit, source_name=source_name, source_url=source_url
    )
    image.save()
    return image


def _paragraph_html(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def _body_blocks(blocks: list[dict]) -> list[dict]:
    stream = []
    for block in blocks:
        if block["type"] == "paragraph":
            value = _paragraph_html(block["text"])
        elif block["type"] == "subheading":
            value = block["text"]
        elif block["type"] == "quote":
            value = {"text": block["text"], "attribution": block.get("attribution", "")}
        else:
            continue
        stream.append({"type": block["type"], "value": value, "id": str(uuid.uuid4())})
    return stream


def _site_root() -> Page:
    """Put the publication's home page where Wagtail's welcome page was."""
    home = HomePage.objects.first()
    if home:
        return home
    root = Page.get_first_root_node()
    site = Site.objects.filter(is_default_site=True).first()
    welcome = site.root_page if site else None
    if welcome is not None:
        # Free the slug; the page itself goes once the site points elsewhere.
        Page.objects.filter(pk=welcome.pk).update(slug=f"replaced-{welcome.pk}")
    home = root.add_child(instance=HomePage(title="Home", slug="home"))
    base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    site = site or Site(is_default_site=True)
    site.root_page = home
    site.site_name = demo_data.PUBLICATION["name"]
    site.hostname = base.hostname or "localhost"
    site.port = base.port or (443 if base.scheme == "https" else 80)
    site.save()
    if welcome is not None:
        Page.objects.get(pk=welcome.pk).delete()
    return home


def site_address_follow(*, base_url: str) -> bool:
    """Point the default Wagtail Site at ``base_url``; True when it moved.

    The demo's database outlives the port it was made on: a later run on
    another port must not go on naming the old one in sitemaps and full URLs.
    """
    base = urlsplit(base_url)
    hostname = base.hostname or "localhost"
    port = base.port or (443 if base.scheme == "https" else 80)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None or (site.hostname, site.port) == (hostname, port):
        return False
    site.hostname, site.port = hostname, port
    site.save(update_fields=["hostname", "port"])
    generations.bump(generations.SITE)
    return True


@transaction.atomic
def search_index_ensure() -> int:
    """Give articles indexed before the whole text had an entry of its own both entries.

    What ``manage.py update_index`` would do, for those articles alone: their public
    entry was made the old way (no teaser, tags or authors) and their whole text has
    none. Articles never indexed (the synthetic ones) stay out. Returns how many.
    """
    public = ContentType.objects.get_for_model(ArticlePage)
    whole = ContentType.objects.get_for_model(ArticleFullText)
    indexed = IndexEntry.objects.filter(content_type=public).values_list("object_id", flat=True)
    complete = IndexEntry.objects.filter(content_type=whole).values_list("object_id", flat=True)
    stale = set(indexed) - set(complete)
    for article in ArticlePage.objects.filter(pk__in=[int(pk) for pk in stale]):
        article_reindex(instance=article)
    return len(stale)


def load_demo(*, stdout=None) -> bool:
    """Create the demo publication once. Returns False when it is already there."""
    if ArticlePage.objects.exists() or SectionPage.objects.exists():
        return False
    home = _site_root()
    site = Site.objects.get(root_page=home)
    publication = PublicationSettings.for_site(site)
    publication.name = demo_data.PUBLICATION["name"]
    publication.tagline = demo_data.PUBLICATION["tagline"]
    publication.time_zone = demo_data.PUBLICATION["time_zone"]
    publication.logo = _image(
        title=f"{publication.name} logo",
        file=_png(draw_logo(publication.name), "logo.jpg"),
        credit="Courier staff",
    )
    publication.save()

    sections = {}
    for spec in demo_data.SECTIONS:
        section = home.add_child(
            instance=SectionPage(title=spec["title"], slug=spec["slug"], intro=spec["intro"])
        )
        sections[spec["slug"]] = section

    author_index = home.add_child(instance=AuthorIndexPage(title="Our writers", slug="authors"))
    authors = {}
    for spec in demo_data.AUTHORS:
        portrait = _image(
            title=f"Portrait of {spec['name']}",
            file=_png(draw_portrait(spec["portrait_color"], spec["slug"]), f"{spec['slug']}.jpg"),
            credit="Courier staff",
        )
        bio_html = "".join(_paragraph_html(p) for p in spec["bio"])
        authors[spec["slug"]] = author_index.add_child(
            instance=AuthorPage(
                title=spec["name"],
                slug=spec["slug"],
                role=spec["role"],
                short_bio=spec["short_bio"],
                bio=bio_html,
                portrait=portrait,
            )
        )

    now = timezone.now()
    # Oldest first, so that each article's first_published_at is in order.
    for spec in sorted(demo_data.ARTICLES, key=lambda a: -a["hours_ago"]):
        image_spec = spec["image"]
        image = _image(
            title=image_spec["title"],
            file=_png(draw_lead_image(image_spec["palette"], spec["slug"]), f"{spec['slug']}.jpg"),
            credit=image_spec["credit"],
            source_name=image_spec["source_name"],
            source_url=image_spec["source_url"],
        )
        article = ArticlePage(
            title=spec["title"],
            slug=spec["slug"],
            dek=spec["dek"],
            lead_image=image,
            lead_image_caption=image_spec["caption"],
            body=_body_blocks(spec["body"]),
            access_level=spec["access"],
        )
        article.author_links = [
            ArticleAuthor(author=authors[slug], sort_order=i)
            for i, slug in enumerate(spec["authors"])
        ]
        sections[spec["section"]].add_child(instance=article)
        article.tags.set(spec["tags"])
        published_at = now - timedelta(hours=spec["hours_ago"])
        article.first_published_at = published_at
        revision = article.save_revision()
        revision.publish()
        ArticlePage.objects.filter(pk=article.pk).update(
            first_published_at=published_at,
            last_published_at=published_at,
            published_at=published_at,
            modified_at=published_at,
        )
        if stdout:
            stdout.write(f"  {spec['access']:<11} {article.url_path}")
    return True
