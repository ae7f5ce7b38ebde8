from django.core.cache import cache

from masthead.content import page_cache


def section_links() -> list[tuple[str, str, str]]:
    """(title, url, slug) for each live section, cached per content generation."""
    from masthead.content.models import SectionPage

    key = f"nav-sections:{page_cache.generation()}"
    links = cache.get(key)
    if links is None:
        links = [
            (section.title, section.url, section.slug)
            for section in SectionPage.objects.live().order_by("path")
        ]
        cache.set(key, links, 3600)
    return links
