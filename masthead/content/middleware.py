from wagtail.users.models import UserProfile

from masthead.content import page_cache
from masthead.content.models import PublicationSettings
from masthead.content.most_read import most_read_html
from masthead.core import generations, slots

# What differs on a listing page over time rather than per reader: filled into the page
# as it leaves, so the bytes kept in the cache stay valid until a generation changes.
LISTING_FILLERS = {"most_read": most_read_html}


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
                return fill_listing_slots(request, cached)
            stamp = generations.stamp(request)
        response = self.get_response(request)
        if stamp is not None:
            page_cache.store_if_marked(request, response, stamp)
        if getattr(response, page_cache.LISTING_ATTRIBUTE, False):
            return fill_listing_slots(request, response)
        return response


def fill_listing_slots(request, response):
    if response.status_code != 200 or response.streaming:
        return response
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    if slots.MARKER_PREFIX not in response.content:
        return response
    # Pages are UTF-8 throughout (DEFAULT_CHARSET); the fill works on the bytes.
    response.content = slots.fill(response.content, LISTING_FILLERS, request)
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
    return response


class AdminTimeZoneMiddleware:
    """Editors read and enter times in the publication's zone unless they chose their own.

    Wagtail's admin activates the zone in the editor's profile, and without one the
    server's (UTC), while the site prints times in the publication's zone. An editor
    with no zone of their own is given the publication's for this request only (the
    profile is not saved), so a change of the publication's zone reaches them too.
    Sits after the authentication middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if request.path.startswith("/admin/") and user is not None and user.is_authenticated:
            try:
                profile = user.wagtail_userprofile
            except UserProfile.DoesNotExist:
                # Creating it through the relation caches it where Wagtail looks.
                profile = UserProfile.get_for_user(user)
            if not profile.current_time_zone:
                profile.current_time_zone = PublicationSettings.for_request(request).time_zone
        return self.get_response(request)
