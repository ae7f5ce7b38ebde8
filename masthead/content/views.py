from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe
from taggit.models import Tag

from masthead.content import selectors


@require_safe
def tag_view(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    page = selectors.paginate(selectors.tag_articles(tag=tag), request.GET.get("page"))
    return TemplateResponse(request, "content/tag.html", {"tag": tag, "articles": page})


# robots.txt is put together by ``reading.views.robots_txt``: these lines, then the
# groups the editor's crawler policy makes, then the sitemaps.
ROBOTS_RULES = ("User-agent: *", "Disallow: /admin/", "Disallow: /search/")


def robots_sitemap_lines(request) -> list[str]:
    return [
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
        # Google News reads its own sitemap (also named in the index).
        f"Sitemap: {request.build_absolute_uri('/sitemaps/news.xml')}",
    ]
