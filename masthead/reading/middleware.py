from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from masthead.reading import article

ADMIN_PREFIX = "/admin/"
MESSAGES_COOKIE = "messages"


class FastPathMiddleware:
    """Serve an article whose route and variants are cached, without Wagtail's router.

    Placed after authentication: the decision knows the reader. The page
    tree and templates are touched only when something is not cached.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and not request.path.startswith(ADMIN_PREFIX):
            response = article.serve_cached(request)
            if response is not None:
                return response
        return self.get_response(request)


class AnonymousFastPathMiddleware(FastPathMiddleware):
    """The same, before sessions, CSRF, auth and messages, for readers who have none.

    A reader who carries only the reader cookie has no session to load, no
    form to protect and no message waiting; those middlewares would only
    cost time on the most common request a news site gets.
    """

    def __call__(self, request):
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or MESSAGES_COOKIE in cookies:
            return self.get_response(request)
        request.user = AnonymousUser()
        return super().__call__(request)
