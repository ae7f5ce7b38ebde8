"""Signed links: the double opt-in's confirmation and each e-mail's unsubscribe.

Both carry only ids or the address the reader typed, signed with the secret key and
a salt of their own, so one kind of token is never accepted as the other.
"""

from __future__ import annotations

import datetime

from django.core import signing

CONFIRM_SALT = "masthead.newsletters.confirm"
UNSUBSCRIBE_SALT = "masthead.newsletters.unsubscribe"
CONFIRM_MAX_AGE = datetime.timedelta(days=3)
# An old e-mail's link still works for a year; after that the account page does.
UNSUBSCRIBE_MAX_AGE = datetime.timedelta(days=365)


class BadToken(ValueError):
    """The link was altered, is of another kind, or has expired."""


def confirmation_token(email: str, newsletter_ids: list[int]) -> str:
    return signing.dumps(
        {"e": email, "n": sorted(newsletter_ids)}, salt=CONFIRM_SALT, compress=True
    )


def read_confirmation(token: str) -> tuple[str, list[int]]:
    data = _load(token, CONFIRM_SALT, CONFIRM_MAX_AGE)
    try:
        return str(data["e"]), [int(n) for n in data["n"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise BadToken("malformed") from exc


def unsubscribe_token(delivery_id: int) -> str:
    return signing.dumps(delivery_id, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe(token: str) -> int:
    data = _load(token, UNSUBSCRIBE_SALT, UNSUBSCRIBE_MAX_AGE)
    if not isinstance(data, int) or isinstance(data, bool):
        raise BadToken("malformed")
    return data


def _load(token: str, salt: str, max_age: datetime.timedelta):
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise BadToken("expired") from exc
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise BadToken("altered") from exc
