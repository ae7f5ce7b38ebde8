from django.http import HttpRequest

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
