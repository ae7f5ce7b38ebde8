from masthead.content.models import PublicationSettings
from masthead.content.navigation import section_links


def site_chrome(request):
    """The publication's name, time zone and section menu for every page."""
    return {
        "publication": PublicationSettings.for_request(request),
        "nav_sections": section_links(request),
    }
