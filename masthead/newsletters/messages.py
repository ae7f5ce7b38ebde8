"""An issue's e-mail as bytes, made once per batch and variant, filled in per recipient.

Building a MIME message with Django and the ``email`` package costs more than sending it
(address parsing, header folding, a boundary regex per message). Every recipient of a
variant gets the same bytes but for three slots: the ``To`` header, the ``Message-ID`` and
the personal unsubscribe link (in ``List-Unsubscribe`` and in both parts). So the message
is built once with stand-ins, by Django as for any e-mail, and each recipient's copy is the
template's bytes with the stand-ins replaced.

That holds only while every stand-in is in the bytes whole and as it is: a part Django
encodes (quoted-printable, for a line over 998 bytes) could cut one. ``build`` returns
``None`` then, and the sender builds those messages one by one, as Django would.
``rendering`` keeps lines short so that this stays the exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address

from masthead.newsletters.rendering import UNSUBSCRIBE_URL, RenderedIssue

# ``.invalid`` is reserved: no real address or link has it.
TO_SLOT = "recipient@to-slot.invalid"
MESSAGE_ID_SLOT = "<message-id@message-id-slot.invalid>"
# An address that needs no quoting or encoding in a header; any other goes the slow way.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+"
)
_SLOTS = {TO_SLOT: "to", MESSAGE_ID_SLOT: "message_id", UNSUBSCRIBE_URL: "unsubscribe_url"}
_ENCODED_PART = re.compile(rb"(?im)^Content-Transfer-Encoding: *(quoted-printable|base64)")
_UNSUBSCRIBE_HEADER = b"\r\nList-Unsubscribe: <" + UNSUBSCRIBE_URL.encode()
_UNSUBSCRIBE_HEADER_FOLDED = b"\r\nList-Unsubscribe:\r\n <" + UNSUBSCRIBE_URL.encode()
_SLOT_PATTERN = re.compile(b"(" + b"|".join(re.escape(s.encode()) for s in _SLOTS) + b")")


def plain_address(address: str) -> bool:
    return len(address) <= 254 and _PLAIN_ADDRESS.fullmatch(address) is not None


def newsletter_message(
    rendered: RenderedIssue,
    *,
    variant: str,
    to: str,
    message_id: str,
    unsubscribe_url: str,
    list_id: str,
) -> EmailMultiAlternatives:
    """The e-mail of one recipient, built by Django (the template, and the slow way)."""
    html, text = rendered.variants[variant].for_recipient(unsubscribe_url)
    message = EmailMultiAlternatives(
        rendered.subject,
        text,
        rendered.sender,
        [to],
        headers={
            # The same through every attempt, so a resend can be recognised as one.
            "Message-ID": message_id,
            "List-Id": list_id,
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


@dataclass(frozen=True)
class MessageTemplate:
    envelope_sender: str
    # Literal bytes at even positions, slot names at odd ones.
    pieces: tuple[bytes | str, ...]

    def fill(self, *, to: str, message_id: str, unsubscribe_url: str) -> bytes:
        values = {
            "to": to.encode("ascii"),
            "message_id": message_id.encode("ascii"),
            "unsubscribe_url": unsubscribe_url.encode("ascii"),
        }
        return b"".join(
            piece if index % 2 == 0 else values[piece] for index, piece in enumerate(self.pieces)
        )


def build(rendered: RenderedIssue, *, variant: str) -> MessageTemplate | None:
    """The variant's message with stand-ins, or ``None`` if a stand-in did not survive whole."""
    message = newsletter_message(
        rendered,
        variant=variant,
        to=TO_SLOT,
        message_id=MESSAGE_ID_SLOT,
        unsubscribe_url=UNSUBSCRIBE_URL,
        list_id=rendered.list_id,
    )
    raw = message.message().as_bytes(linesep="\r\n")
    if _ENCODED_PART.search(raw):
        # An encoded part may have cut a stand-in, and a filled-in link would outgrow its lines.
        return None
    # Folded as Django folds the header once it holds a real link (longer than a line).
    raw = raw.replace(_UNSUBSCRIBE_HEADER, _UNSUBSCRIBE_HEADER_FOLDED, 1)
    parts = _SLOT_PATTERN.split(raw)
    found = [part.decode() for part in parts[1::2]]
    html, text = rendered.variants[variant].html, rendered.variants[variant].text
    # The link is in the header and wherever the parts have it; the others once each.
    expected_links = 1 + html.count(UNSUBSCRIBE_URL) + text.count(UNSUBSCRIBE_URL)
    if (
        found.count(TO_SLOT) != 1
        or found.count(MESSAGE_ID_SLOT) != 1
        or found.count(UNSUBSCRIBE_URL) != expected_links
    ):
        return None
    pieces = tuple(
        part if index % 2 == 0 else _SLOTS[part.decode()] for index, part in enumerate(parts)
    )
    return MessageTemplate(
        envelope_sender=sanitize_address(rendered.sender, message.encoding or "utf-8"),
        pieces=pieces,
    )
