"""Text a reader typed, made safe at the boundary before anything stores or compares it.

PostgreSQL refuses a NUL in a text value (and the whole request would end in a 500),
two spellings of "é" (composed, or "e" plus a combining accent) look the same but
compare different, a bidi override (U+202E) makes a comment or a name display in an
order other than the one it was written in, and zero-width characters make one text
pass for another. Every text field and query parameter goes through one of these
functions before it reaches a service, a query or the database.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

NUL_MESSAGE = "Remove the null character (\\0) from your text."
BIDI_MESSAGE = "Remove the text-direction control characters."
# Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they reorder what
# follows them on screen. The implicit marks (LRM, RLM) only nudge neutral characters.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Invisible characters that make two texts differ that read the same.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
# C0 and C1 controls other than tab and the line breaks: never part of what anyone types.
_CONTROLS = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BIDI = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")
_ZERO_WIDTH = re.compile("[" + "".join(sorted(ZERO_WIDTH)) + "]")


def clean_text(value: str | None, *, bidi: str = "strip") -> str:
    """A form field's text: NFC, without stray control characters.

    Raises ``ValidationError`` for a NUL (a form error, never a server error), and for a
    bidi control when ``bidi="refuse"``; ``bidi="strip"`` removes them.
    """
    text = value or ""
    if "\x00" in text:
        raise ValidationError(NUL_MESSAGE, code="null_characters_not_allowed")
    if bidi == "refuse" and _BIDI.search(text):
        raise ValidationError(BIDI_MESSAGE, code="bidi_control")
    text = _CONTROLS.sub("", text)
    if bidi == "strip":
        text = _BIDI.sub("", text)
    return unicodedata.normalize("NFC", text)


def query_text(value: str | None, *, max_length: int) -> str:
    """A query parameter's text, for searching: never an error, whatever was sent.

    Zero-width characters are dropped; other invisible and control characters become
    spaces (a NUL between two words still separates them); the result is NFC, at most
    ``max_length`` characters, stripped.
    """
    text = _ZERO_WIDTH.sub("", (value or "")[: max_length * 2])
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return unicodedata.normalize("NFC", text)[:max_length].strip()


def fingerprint(value: str) -> str:
    """What two texts must share to count as the same one: for duplicate checks.

    Case, runs of white space, zero-width and bidi characters and the Unicode spelling
    of accents are all ignored.
    """
    text = unicodedata.normalize("NFKC", value or "")
    text = _BIDI.sub("", _ZERO_WIDTH.sub("", text))
    return " ".join(text.casefold().split())
