"""How long a send waits for the SMTP server's replies."""

from __future__ import annotations

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend


def reply_wait(seconds_left: float) -> float:
    """The wait for a send with ``seconds_left`` on its claim: all but one EMAIL_TIMEOUT.

    That one is kept to put the e-mail back before the claim runs out; never less than
    EMAIL_TIMEOUT.
    """
    return max(settings.EMAIL_TIMEOUT, seconds_left - settings.EMAIL_TIMEOUT)


def await_replies(connection, seconds: float) -> None:
    """Wait up to ``seconds`` for each reply on ``connection``, once it is open.

    Longer than EMAIL_TIMEOUT, which bounds connecting: a reply given up on after the server
    took the message sends the message twice when it is tried again. RFC 5321 (4.5.3.2) asks
    senders to wait minutes, ten for the reply to the message's end, for that reason; the
    sender's claim bounds the wait here. Backends other than SMTP are left as they are.
    """
    if isinstance(connection, SmtpBackend) and connection.connection is not None:
        connection.connection.sock.settimeout(seconds)
