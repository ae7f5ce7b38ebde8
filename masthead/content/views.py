from django.http import HttpResponse
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


@require_safe
def robots_txt(request):
    sitemap_url = request.build_absolute_uri("/sitemap.xml")
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /search/", f"Sitemap: {sitemap_url}"]
    # Google News reads its own sitemap (also named in the index).
    lines.append(f"Sitemap: {request.build_absolute_uri('/sitemaps/news.xml')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
