"""How long an article takes to read, from its words: stored when the article is saved."""

from __future__ import annotations

import math
import re

WORDS_PER_MINUTE = 230
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_TAG = re.compile(r"<[^>]*>")


def words(text: str) -> int:
    """Words in plain text or HTML (tags are not words)."""
    return len(_WORD.findall(_TAG.sub(" ", text)))


def minutes(text: str) -> int:
    """Whole minutes, rounded up, never 0: "1 min read" for a brief."""
    return max(1, math.ceil(words(text) / WORDS_PER_MINUTE))
