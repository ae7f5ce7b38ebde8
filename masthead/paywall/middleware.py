from masthead.paywall import services
from masthead.paywall.policy import Access

ADMIN_PREFIX = "/admin/"


class ArticleFastPathMiddleware:
    """Serve an article whose variants are cached without routing through Wagtail.

    Placed after authentication so the decision knows the reader; the page
    tree and templates are only touched when the variants are not cached.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and not request.path.startswith(ADMIN_PREFIX):
            variants = services.cached_variants(request)
            if variants is not None:
                page_id, access, _ = variants[services.WHOLE]
                article = services.ArticleRef(page_id, Access(access))
                return services.serve_article(request, article, variants, load_page=None)
        return self.get_response(request)
