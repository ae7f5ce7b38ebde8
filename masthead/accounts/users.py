"""The signed-in user of a request, remembered per process between requests.

Django's ``AuthenticationMiddleware`` loads the user row on every request. A
reader's row changes rarely, and every save or delete of one bumps the
accounts generation (see ``apps.py``), so each process keeps the users it has
verified under that generation and skips the query until something changes.

An entry is keyed by the session's user id, backend and password hash as well:
a hit needs a session that Django's own check accepted before, under the same
generation. A password change saves the row, so it misses; so does a
deactivated or deleted account.
"""

from __future__ import annotations

from django.contrib import auth
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, empty

from masthead.core import generations
from masthead.core.memo import Memo

_users = Memo(max_entries=20000)


def user_of(request: HttpRequest):
    """``auth.get_user(request)``, without its query when this process verified the same session."""
    session = request.session
    user_id = session.get(auth.SESSION_KEY)
    if user_id is None:
        return AnonymousUser()
    key = (
        user_id,
        session.get(auth.BACKEND_SESSION_KEY),
        session.get(auth.HASH_SESSION_KEY),
        generations.current(request, generations.ACCOUNTS),
    )
    user = _users.get(key)
    if user is None:
        user = auth.get_user(request)
        if not user.is_authenticated:
            return user
        _users.set(key, user)
    # Each request gets its own instance: a view may change its copy's fields.
    return _copy(user)


def _copy(user):
    """What ``copy.copy`` gives for a model instance (its ``__getstate__``: the fields, and
    its own ``_state`` and related-object cache), without the pickling protocol's detour
    through the app registry and the version check."""
    clone = user.__class__.__new__(user.__class__)
    clone.__dict__.update(user.__getstate__())
    return clone


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with ``user_of`` for the synchronous lookup."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: user_of(request))


def resolve(request: HttpRequest) -> None:
    """Put the user itself on the request in place of the lazy stand-in.

    For a request that asks about its user many times (an article page with its
    comments asks about twenty): every attribute read through ``SimpleLazyObject``
    goes through a failed lookup, an exception and a second lookup.
    """
    user = request.user
    if isinstance(user, SimpleLazyObject):
        if user._wrapped is empty:
            user._setup()
        request.user = user._wrapped
