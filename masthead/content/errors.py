"""Error pages that keep the site's header, search and a way home.

400, 500 and 503 pages are rendered without the request's context processors, and
they may come from the database being gone, so their templates ask nothing of the
database: the publication's name is the last one this process showed.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
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


# How long a reader (or a crawler, or nginx) is asked to wait when the database is away:
# a PostgreSQL restart or failover takes a few seconds.
DATABASE_RETRY_AFTER_SECONDS = 5


def _render(template: str) -> str:
    try:
        return render_to_string(template)
    except Exception:
        logger.exception("The %s page failed to render; sending the fallback", template)
        return FALLBACK_500


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 500 page with no database, no session and no context processors.

    Django calls it while handling the exception, from whichever layer raised it (a
    view or a middleware). When that exception says the database could not be reached
    or did not answer in time (PostgreSQL restarting, failing over, a statement or lock
    timeout), the reader gets a 503 asking to retry in a few seconds, not a 500: the
    fault is passing and not in the page. Nothing of it is cached by nginx or a CDN.
    """
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        response = HttpResponse(_render("503.html"), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponseServerError(_render("500.html"))
