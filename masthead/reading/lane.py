"""Anonymous reads answered in front of Django's request handler.

Most requests a news site gets are anonymous reads: an article, the home page.
The reading layer answers them without Wagtail's router (the process page memo,
``AnonymousFastPathMiddleware``), but Django's handler still runs around that
answer: the request_started and request_finished signals and their receivers,
the URL configuration, the response's own bookkeeping. ``ReadingLane`` wraps the
WSGI application and takes such requests first, in two steps:

1. A page the process memo keeps (see ``ProcessPageMemoMiddleware``) is answered
   with its kept status, headers and bytes, after recording the read as the
   middleware does. It reads no database, cache or session.
2. A request without a session cookie runs the middlewares that stand in
   ``MIDDLEWARE`` up to and including ``AnonymousFastPathMiddleware``, built from
   the same classes in the same order and each wrapped as Django wraps it, so a
   response passes the same security headers, content security policy and
   memo on its way out. When none of them answers (not an article the fast path
   knows), the request goes to Django's handler untouched.

What the skipped signals do is done where it is needed: a request that ran a
query closes old connections afterwards (as request_finished would; the next
query of a kept connection is health-checked again), the events buffer is
flushed when no background thread does it, and error responses are logged as
Django's handler logs them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest, get_script_name
from django.db import close_old_connections, connections
from django.urls import set_script_prefix
from django.utils.log import log_response
from django.utils.module_loading import import_string

from masthead.core.memo import Memo
from masthead.insights import events
from masthead.reading import article
from masthead.reading.middleware import KeptPage, carries_session_or_messages, kept_page

# The last middleware the lane runs; everything after it needs what an anonymous
# reader of a known article does not have (a session, a form, a flash message).
LAST_MIDDLEWARE = "masthead.reading.middleware.AnonymousFastPathMiddleware"
ADMIN_PREFIX = "/admin/"


class _Declined(BaseException):
    """Raised at the end of the lane's chain: no middleware in the lane answered.

    A BaseException, so that the exception wrappers (which turn every Exception
    into an error page) let it through to the lane.
    """


def _decline(request):
    raise _Declined


def build_chain(middleware: list[str]):
    """The middlewares up to ``LAST_MIDDLEWARE``, wrapped as Django's handler wraps them."""
    names = middleware[: middleware.index(LAST_MIDDLEWARE) + 1]
    handler = convert_exception_to_response(_decline)
    for path in reversed(names):
        handler = convert_exception_to_response(import_string(path)(handler))
    return handler


# Finished answers to anonymous reads, as the lane's middlewares sent them, by the
# article's page key: everything in the key (the decision, the article's version, the
# URL, the generations) is everything the headers and bytes depend on. Kept as the
# process memo keeps a page, without its read: the lane records each read from its
# own decision.
_answers = Memo(max_entries=1024)


def _keep_answer(page_key: tuple, response) -> None:
    if (
        getattr(response, article.PAGE_KEY_ATTRIBUTE, None) == page_key
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
    ):
        _answers.set(page_key, KeptPage(response.content, tuple(response.items()), view=None))


class _QueryWatch:
    """An execute wrapper that notes whether the request reached a database."""

    used = False

    def __call__(self, execute, sql, params, many, context):
        self.used = True
        return execute(sql, params, many, context)


class ReadingLane:
    def __init__(self, application):
        self.application = application
        self.chain = build_chain(list(settings.MIDDLEWARE))
        self.session_cookie = settings.SESSION_COOKIE_NAME + "="

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        # A session (a signed-in reader, an editor) needs the middlewares the lane skips.
        if method not in ("GET", "HEAD") or self.session_cookie in environ.get("HTTP_COOKIE", ""):
            return self.application(environ, start_response)
        request = WSGIRequest(environ)
        plain_get = method == "GET" and not environ.get("QUERY_STRING")
        if plain_get:
            kept = kept_page(request)
            if kept is not None:
                kept.record(request)
                return self._send_kept(kept, start_response, queried=False)
        if request.path.startswith(ADMIN_PREFIX):
            return self.application(environ, start_response)
        watch = _QueryWatch()
        # Connection.execute_wrapper() as a plain append and remove: this runs on every
        # anonymous read, and its context managers cost more than the watch itself.
        watched = connections.all(initialized_only=True)
        for connection in watched:
            connection.execute_wrappers.append(watch)
        try:
            try:
                answer = self._answer(request, plain_get=plain_get)
            finally:
                for connection in watched:
                    connection.execute_wrappers.remove(watch)
        except _Declined:
            self._after(queried=watch.used)
            return self.application(environ, start_response)
        if isinstance(answer, KeptPage):
            return self._send_kept(answer, start_response, queried=watch.used)
        return self._send(answer, request, environ, start_response, queried=watch.used)

    def _answer(self, request, *, plain_get: bool):
        """The answer the lane kept for a read decided alike before, else the chain's
        response (``_Declined`` when no middleware in the chain answers)."""
        if not plain_get or carries_session_or_messages(request):
            return self._run_chain(request)
        early = article.early_read(request)
        if early is None or early.page_key is None:
            return self._run_chain(request)
        kept = _answers.get(early.page_key)
        if kept is not None:
            early.record(request)
            return kept
        response = self._run_chain(request)
        _keep_answer(early.page_key, response)
        return response

    def _send_kept(self, kept: KeptPage, start_response, *, queried: bool):
        """A kept page's status, headers and bytes, its read already recorded."""
        self._after(queried=queried)
        start_response("200 OK", list(kept.headers))
        return [kept.content]

    def _send(self, response, request, environ, start_response, *, queried: bool):
        if response.status_code >= 400:
            log_response(
                "%s: %s", response.reason_phrase, request.path, response=response, request=request
            )
        self._after(queried=queried)
        headers = [
            *response.items(),
            *(("Set-Cookie", c.output(header="")) for c in response.cookies.values()),
        ]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        if response.streaming:
            # As Django's handler (a static file, say): closing the response sends
            # request_finished, and a file goes to the server's file wrapper.
            response._handler_class = WSGIHandler
            if getattr(response, "file_to_stream", None) is not None and environ.get(
                "wsgi.file_wrapper"
            ):
                response.file_to_stream.close = response.close
                return environ["wsgi.file_wrapper"](response.file_to_stream, response.block_size)
            return response
        return [response.content]

    def _run_chain(self, request):
        # What reverse() builds links under, as Django's handler sets it.
        set_script_prefix(get_script_name(request.environ))
        return self.chain(request)

    @staticmethod
    def _after(*, queried: bool) -> None:
        if queried:
            close_old_connections()
        if not settings.INSIGHTS_BACKGROUND_FLUSH:
            events.flush_if_due()
