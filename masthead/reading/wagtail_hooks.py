"""Wagtail's router hands live article pages to the reading layer."""

from wagtail import hooks

from masthead.content.models import ArticlePage
from masthead.content.variants import route_of
from masthead.reading import article

# After Wagtail's own view-restriction check (order 0), which must run first.
AFTER_VIEW_RESTRICTIONS = 100


@hooks.register("on_serve_page", order=AFTER_VIEW_RESTRICTIONS)
def serve_articles_through_reading(next_serve_page):
    def serve(page, request, serve_args, serve_kwargs):
        if not isinstance(page, ArticlePage):
            return next_serve_page(page, request, serve_args, serve_kwargs)
        route = route_of(page)
        # A restricted page is only ever served after Wagtail's check: never from a cache.
        shareable = not page.get_view_restrictions().exists()
        if shareable and request.method in ("GET", "HEAD"):
            article.remember_route(request, route)
        return article.respond(request, route, page=page, shareable=shareable)

    return serve
