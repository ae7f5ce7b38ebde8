"""What a reader types into the search box, turned into a query the index can run.

The search backends pass terms to the database's own query syntax (SQLite FTS5,
PostgreSQL tsquery), where a stray quote, a NUL or a lone operator is a syntax
error. So nothing the reader typed reaches the backend as syntax: only words
(runs of letters and digits) go through, inside Wagtail's query objects.

- ``"night bus"`` is a phrase; an unclosed quote is ignored.
- ``council's`` means the council: a possessive ``'s`` is dropped.
- ``OR`` in capitals between words means either; ``AND`` is the default, and an
  operator with nothing on one side (``budget OR``) is dropped.
"""

from __future__ import annotations

import re

from wagtail.search.query import And, Or, Phrase, PlainText, SearchQuery

MAX_TERMS = 16
# Body blocks of a gated article in its public index entry: the paywall's default teaser
# (``PaywallSettings.teaser_blocks``), which this layer cannot read. Changing it needs
# ``manage.py update_index``.
INDEXED_TEASER_BLOCKS = 2
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
_APOSTROPHE = re.compile(r"['’]")
_OPERATORS = {"AND", "OR"}


def _words(text: str) -> list[str]:
    return [w if w in _OPERATORS else _POSSESSIVE.sub("", w) for w in _WORD.findall(text)]


def _term(word: str) -> SearchQuery:
    # The indexes split "o'brien" into two tokens: it is a phrase of both.
    parts = [part for part in _APOSTROPHE.split(word) if part]
    return Phrase(" ".join(parts)) if len(parts) > 1 else PlainText(parts[0])


def _units(text: str) -> list[SearchQuery | str]:
    """Terms and phrases in reading order, with the operator words kept as strings."""
    units: list[SearchQuery | str] = []
    # Underscores are word characters to regular expressions but not to the indexes.
    parts = text.replace("_", " ").split('"')
    if len(parts) % 2 == 0:
        # An unclosed quote: its text is plain words.
        parts[-2:] = [parts[-2] + " " + parts[-1]]
    for index, part in enumerate(parts):
        words = _words(part)
        if index % 2 and len(words) > 1:
            # In a phrase every token counts, the "s" of "council's" too.
            tokens = _APOSTROPHE.sub(" ", " ".join(_WORD.findall(part)))
            units.append(Phrase(" ".join(tokens.split())))
        else:
            units.extend(w if w in _OPERATORS else _term(w) for w in words)
    return units


def reader_query(text: str) -> SearchQuery | None:
    """The query a reader meant, or None when they typed no word at all.

    As in web search engines, ``OR`` binds tighter than the implied ``AND``:
    ``bus OR train fares`` is (bus or train) and fares.
    """
    clauses: list[list[SearchQuery]] = []
    pending_or = False
    for unit in _units(text):
        if isinstance(unit, str):
            pending_or = unit == "OR" and bool(clauses)
            continue
        if pending_or:
            clauses[-1].append(unit)
            pending_or = False
        elif len(clauses) < MAX_TERMS:
            clauses.append([unit])
    parts = [c[0] if len(c) == 1 else Or(c[:MAX_TERMS]) for c in clauses]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)
