"""Error pages that keep the site's header, search and a way home.

400 and 500 pages are rendered without the request's context processors, and
a 500 may come from the database being gone, so their template asks nothing
of the database: the publication's name is the last one this process showed.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponseServerError
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

_last_seen = {"publication_name": ""}

# If even the template fails (a broken install), the reader still gets a page.
FALLBACK_500 = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>Something went wrong</title></head><body>"
    "<h1>Something went wrong</h1><p>Please try again in a few minutes.</p>"
    '<form role="search" action="/search/" method="get"><label for="q">Search articles</label> '
    '<input id="q" type="search" name="q"> <button type="submit">Search</button></form>'
    '<p><a href="/">Go to the front page</a></p></body></html>'
)


def remember_publication_name(name: str) -> None:
    """Called with every page rendered normally, so an error page can name the site."""
    _last_seen["publication_name"] = name


def known_publication_name() -> str:
    return _last_seen["publication_name"]


def server_error(request: HttpRequest) -> HttpResponseServerError:
    """handler500: the 500 page with no database, no session and no context processors."""
    try:
        html = render_to_string("500.html")
    except Exception:
        logger.exception("The 500 page failed to render; sending the fallback")
        html = FALLBACK_500
    return HttpResponseServerError(html)
