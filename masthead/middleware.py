from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """A CSP on every public page: scripts only from our origin (and configured ad hosts).

    Outermost in MIDDLEWARE so that responses from the page cache carry it too.
    Wagtail's admin sets its own needs and is left alone. A preview is a page
    rendered through this middleware by the admin (Wagtail marks the request
    ``is_preview``), to be shown in the admin's own preview panel: it may be
    framed by our origin, and Wagtail's preview view sends X-Frame-Options
    SAMEORIGIN for it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY
        self.preview_policy = settings.CONTENT_SECURITY_POLICY_PREVIEW

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "is_preview", False):
            response["Content-Security-Policy"] = self.preview_policy
        elif not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", self.policy)
        return response
