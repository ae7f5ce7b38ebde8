from django.http import HttpRequest
from django.middleware.csrf import get_token

_HOST_ATTRIBUTE = "_masthead_host"


def host(request: HttpRequest) -> str:
    """The host the client asked for, for cache keys only.

    The raw header, not ``get_host()``, which validates ALLOWED_HOSTS on every call:
    an entry is only ever stored by a request that went through Wagtail's router,
    which validates the host, so a key made from a host that is not allowed
    finds nothing and its request fails validation on the way through.
    """
    value = getattr(request, _HOST_ATTRIBUTE, None)
    if value is None:
        value = request.META.get("HTTP_HOST") or request.get_host()
        setattr(request, _HOST_ATTRIBUTE, value)
    return value


_MASKED_CSRF_ATTRIBUTE = "_masthead_masked_csrf"


def csrf_token(request: HttpRequest) -> str:
    """The CSRF token for this response's forms, masked once per request.

    Django masks the secret afresh on every ``get_token`` call (random choices, then
    the cipher); a page whose slots hold several forms needs only one masked token.
    """
    value = getattr(request, _MASKED_CSRF_ATTRIBUTE, None)
    if value is None:
        value = get_token(request)
        setattr(request, _MASKED_CSRF_ATTRIBUTE, value)
    return value
