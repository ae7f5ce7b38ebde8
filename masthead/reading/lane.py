"""The process page memo in front of Django's request handler.

A page this process keeps for every anonymous reader alike (a free article,
a listing: see ``ProcessPageMemoMiddleware``) is the same bytes and headers
each time. Answering it from the outermost middleware still costs Django's
handler around it: the request_started and request_finished signals and
their receivers, the response object and its headers checked one by one,
which together cost more than the lookup. ``ReadingLane`` wraps the WSGI
application and answers such a request itself, with the kept status, headers
and bytes, after recording the read as the middleware does; everything else
(including every request the memo does not hold) goes to Django's handler
as before, where the middleware keeps pages as it always did.

Nothing a hit skips is needed by it: it reads no database, no cache and no
session, and reverses no URL; a connection's age is checked at the next
request that reaches Django.
"""

from __future__ import annotations

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest

from masthead.insights import events
from masthead.reading.middleware import kept_page


class ReadingLane:
    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET" and not environ.get("QUERY_STRING"):
            request = WSGIRequest(environ)
            kept = kept_page(request)
            if kept is not None:
                kept.record(request)
                if not settings.INSIGHTS_BACKGROUND_FLUSH:
                    events.flush_if_due()
                start_response("200 OK", list(kept.headers))
                return [kept.content]
        return self.application(environ, start_response)
