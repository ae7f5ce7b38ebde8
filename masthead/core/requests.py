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
    return _random_indexes(length).translate(_CHAR_OF_INDEX).decode()


# Every step below is a C-level bytes operation on whole strings: a Python loop over a
# token's 64 characters costs more than the rest of a page's forms together.
_CHARS = csrf.CSRF_ALLOWED_CHARS.encode()
_SIZE = len(_CHARS)
# Bytes at or above the largest multiple of the alphabet's size are dropped, so every
# index is equally likely (no modulo bias).
_LIMIT = 256 - 256 % _SIZE
_INDEX_OF_BYTE = bytes(b % _SIZE for b in range(256))
_BIASED = bytes(range(_LIMIT, 256))
_CHAR_OF_INDEX = bytes(_CHARS[b % _SIZE] for b in range(256))  # indexes 0..61 (and sums)
_INDEX_OF_CHAR = bytes(_CHARS.index(b) if b in _CHARS else 0 for b in range(256))


def _random_indexes(count: int) -> bytes:
    """``count`` uniform indexes into the alphabet, one byte each."""
    out = b""
    while len(out) < count:
        out += secrets.token_bytes(2 * count).translate(_INDEX_OF_BYTE, _BIASED)
    return out[:count]


def _masked(secret: str) -> str:
    """Django's mask-and-cipher (``csrf._mask_cipher_secret``) with one random read:
    the mask's characters, then each secret character moved on by its mask index."""
    count = len(secret)
    mask = _random_indexes(count)
    indexes = secret.encode().translate(_INDEX_OF_CHAR)
    # Added as two big numbers: each byte's sum is below 2 x 62, so no carry crosses bytes.
    sums = (int.from_bytes(indexes, "big") + int.from_bytes(mask, "big")).to_bytes(count, "big")
    return (mask.translate(_CHAR_OF_INDEX) + sums.translate(_CHAR_OF_INDEX)).decode()
