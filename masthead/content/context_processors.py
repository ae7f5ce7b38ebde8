from masthead.content import errors
from masthead.content.models import PublicationSettings
from masthead.content.navigation import section_links


def site_chrome(request):
    """The publication's name, time zone and section menu for every page."""
    publication = PublicationSettings.for_request(request)
    errors.remember_publication_name(publication.name)
    return {
        "publication": publication,
        "nav_sections": section_links(request),
    }
