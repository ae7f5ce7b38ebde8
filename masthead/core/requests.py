from django.http import HttpRequest

_HOST_ATTRIBUTE = "_masthead_host"


def host(request: HttpRequest) -> str:
    """``request.get_host()`` once per request: it validates ALLOWED_HOSTS on every call."""
    value = getattr(request, _HOST_ATTRIBUTE, None)
    if value is None:
        value = request.get_host()
        setattr(request, _HOST_ATTRIBUTE, value)
    return value
