"""Per-reader slots in cached pages: one marker syntax, filled in one pass.

A cached article is the same bytes for many readers; what differs per reader
(the meter notice, the paywall prompt, the account menu, flash messages, ads,
comments) sits in the bytes as ``<!--mh:slot:NAME-->`` and is filled per
request from a table of fillers, one regular-expression pass over the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from django.template import loader
from django.utils.safestring import SafeString

from masthead.core.memo import Memo

_MARKER = "<!--mh:slot:{}-->"
# What a page holding any marker contains, for a cheap test before a fill.
MARKER_PREFIX = b"<!--mh:slot:"
_PATTERN = re.compile(r"<!--mh:slot:([a-z_]+)-->")
_BYTES_PATTERN = re.compile(rb"<!--mh:slot:([a-z_]+)-->")
_TEMPLATE_SLOT = re.compile(r"""{%\s*slot\s+["']([a-z_]+)["']\s*%}""")
_EXTENDS = re.compile(r"""{%\s*extends\s+["']([^"']+)["']\s*%}""")
# Split pages by their bytes; the variants they come from are few per process.
_pieces = Memo(max_entries=1024)


def marker(name: str) -> SafeString:
    if not re.fullmatch(r"[a-z_]+", name):
        raise ValueError(f"slot names are lower-case letters and underscores, not {name!r}")
    return SafeString(_MARKER.format(name))


def fill(
    page: str | bytes, fillers: Mapping[str, Callable[[Any], str | bytes]], context: Any
) -> bytes:
    """Replace every marker with ``filler(context)``; a marker without a filler is emptied.

    A page is split at its markers once and the pieces kept, already encoded, so
    a cached page served again costs its fillers and one join of bytes: encoding
    a whole page of non-ASCII text to UTF-8 again costs more than all its fillers.
    """
    pieces = _pieces.get(page)
    if pieces is None:
        pieces = _split(page)
        _pieces.set(page, pieces)
    out = pieces[:]
    for i in range(1, len(out), 2):
        filler = fillers.get(out[i])
        filled = filler(context) if filler is not None else b""
        # A filler may hand over bytes it keeps encoded (the comments section does).
        out[i] = filled if isinstance(filled, bytes) else filled.encode()
    return b"".join(out)


def _split(page: str | bytes) -> list:
    """Encoded text pieces at even indexes, slot names (str) at odd ones."""
    if isinstance(page, str):
        parts = _PATTERN.split(page)
        return [part if i % 2 else part.encode() for i, part in enumerate(parts)]
    parts = _BYTES_PATTERN.split(page)
    return [part.decode() if i % 2 else part for i, part in enumerate(parts)]


def names_in_template(template_name: str) -> set[str]:
    """The slots a template (and the templates it extends) declares with ``{% slot %}``."""
    names: set[str] = set()
    seen: set[str] = set()
    while template_name and template_name not in seen:
        seen.add(template_name)
        source = loader.get_template(template_name).template.source
        names |= set(_TEMPLATE_SLOT.findall(source))
        parent = _EXTENDS.search(source)
        template_name = parent.group(1) if parent else ""
    return names
