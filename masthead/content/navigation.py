from masthead.content.models import SectionPage
from masthead.core import generations
from masthead.core.memo import Memo

_memo = Memo(max_entries=16)


def section_links(request=None) -> list[tuple[str, str, str]]:
    """(title, url, slug) for each live section; sections change the site generation."""
    return _memo.get_or_set(
        ("nav", generations.current(request, generations.SITE)),
        lambda: [
            (section.title, section.url, section.slug)
            for section in SectionPage.objects.live().order_by("path")
        ],
    )
