from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """A CSP on every public page: scripts only from our origin (and configured ad hosts).

    Outermost in MIDDLEWARE so that responses from the page cache carry it too.
    Wagtail's admin sets its own needs and is left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", self.policy)
        return response
