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
_TEMPLATE_SLOT = re.compile(r"""{%\s*slot\s+["']([a-z_]+)["']\s*%}""")
_EXTENDS = re.compile(r"""{%\s*extends\s+["']([^"']+)["']\s*%}""")
# Split pages by their bytes; the variants they come from are few per process.
_pieces = Memo(max_entries=1024)


def marker(name: str) -> SafeString:
    if not re.fullmatch(r"[a-z_]+", name):
        raise ValueError(f"slot names are lower-case letters and underscores, not {name!r}")
    return SafeString(_MARKER.format(name))


def fill(html: str, fillers: Mapping[str, Callable[[Any], str]], context: Any) -> str:
    """Replace every marker with ``filler(context)``; a marker without a filler is emptied.

    A page is split at its markers once and the pieces kept, so a cached page
    served again costs one join, not a scan of its bytes.
    """
    pieces = _pieces.get(html)
    if pieces is None:
        pieces = _PATTERN.split(html)
        _pieces.set(html, pieces)
    out = pieces[:]
    for i in range(1, len(out), 2):
        filler = fillers.get(out[i])
        out[i] = filler(context) if filler is not None else ""
    return "".join(out)


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
