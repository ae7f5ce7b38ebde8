import secrets

from django.http import HttpRequest
from django.middleware import csrf

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

    What Django's ``get_token`` does (the same secret, the same META flags, the same
    masked format, which ``CsrfViewMiddleware`` checks), with the random characters
    drawn from one read of the system's random source: Django draws each of a
    token's 32 mask characters with its own ``secrets.choice``, one system call each,
    and a page whose forms are filled per request (comments, the newsletter box)
    needs one masked token, not one per form.
    """
    value = getattr(request, _MASKED_CSRF_ATTRIBUTE, None)
    if value is None:
        meta = request.META
        secret = meta.get("CSRF_COOKIE")
        if secret is None:
            secret = random_csrf_string()
            meta["CSRF_COOKIE"] = secret
        # As get_token: the cookie is sent again, so its expiry is renewed.
        meta["CSRF_COOKIE_NEEDS_UPDATE"] = True
        value = _masked(secret)
        setattr(request, _MASKED_CSRF_ATTRIBUTE, value)
    return value


def random_csrf_string(length: int = csrf.CSRF_SECRET_LENGTH) -> str:
    """``length`` characters of CSRF_ALLOWED_CHARS, uniform, from one urandom read."""
    return "".join([_CHARS[i] for i in _random_indexes(length)])


_CHARS = csrf.CSRF_ALLOWED_CHARS
_INDEX = {char: i for i, char in enumerate(_CHARS)}
# Bytes at or above the largest multiple of the alphabet's size are skipped, so every
# character is equally likely (no modulo bias).
_LIMIT = 256 - 256 % len(_CHARS)


def _random_indexes(count: int) -> list[int]:
    size = len(_CHARS)
    out: list[int] = []
    while len(out) < count:
        out += [b % size for b in secrets.token_bytes(2 * count) if b < _LIMIT]
    return out[:count]


def _masked(secret: str) -> str:
    """Django's mask-and-cipher (``csrf._mask_cipher_secret``) with one random read."""
    size = len(_CHARS)
    mask = _random_indexes(len(secret))
    cipher = [_CHARS[(_INDEX[char] + m) % size] for char, m in zip(secret, mask, strict=True)]
    return "".join([_CHARS[m] for m in mask]) + "".join(cipher)
