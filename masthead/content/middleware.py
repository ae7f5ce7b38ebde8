from masthead.content import page_cache
from masthead.core import generations


class CachedPageMiddleware:
    """Answer shared page requests from the cache, and fill it on the way out.

    Sits before the session, CSRF and auth middleware in ``MIDDLEWARE`` so
    that a cached page costs one cache read and nothing else; only
    requests that carry no session take this path.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        stamp = None
        if page_cache.is_shared_request(request):
            cached = page_cache.fetch(request)
            if cached is not None:
                return cached
            stamp = generations.stamp(request)
        response = self.get_response(request)
        if stamp is not None:
            page_cache.store_if_marked(request, response, stamp)
        return response
