from masthead.content import page_cache
from masthead.paywall.services import variant_keys


class CachedPageMiddleware:
    """Answer shared page requests from the cache, and fill it on the way out.

    Sits before the session, CSRF and auth middleware in ``MIDDLEWARE`` so
    that a cached page costs one cache read and nothing else; only
    requests that carry no session take this path.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        gen = None
        if page_cache.is_shared_request(request):
            cached, gen = page_cache.fetch(request, also=variant_keys(request))
            if cached is not None:
                return cached
        response = self.get_response(request)
        page_cache.store_if_marked(request, response, gen)
        return response
