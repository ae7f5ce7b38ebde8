"""The gift token: genuine tokens name their article's gift, nothing else names any gift."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from masthead.gifts import links
from masthead.gifts.models import Gift

article_ids = st.integers(1, 10**12)
keys = st.builds(lambda _: links.new_key(), st.none())


def token(article_id: int, key: str) -> str:
    return links.token_for(Gift(article_id=article_id, key=key))


@settings(max_examples=300)
@given(st.text(max_size=300), article_ids)
def test_any_string_is_no_token(candidate, article_id):
    assert links.key_in(candidate, article_id) is None


@settings(max_examples=300)
@given(article_ids, st.integers(0, 10), keys)
def test_a_genuine_token_opens_its_own_article_only(article_id, offset, key):
    genuine = token(article_id, key)
    assert links.key_in(genuine, article_id) == key
    assert len(key) == 22 and len(genuine) < links.TOKEN_MAX_LENGTH
    if offset:
        assert links.key_in(genuine, article_id + offset) is None


@settings(max_examples=300)
@given(article_ids, keys, st.data())
def test_every_change_to_a_genuine_token_breaks_it(article_id, key, data):
    genuine = token(article_id, key)
    position = data.draw(st.integers(0, len(genuine) - 1))
    replacement = data.draw(st.characters(codec="utf-8").filter(lambda c: c != genuine[position]))
    changed = genuine[:position] + replacement + genuine[position + 1 :]
    assert links.key_in(changed, article_id) is None
    # Cut short or lengthened, too.
    assert links.key_in(genuine[:position], article_id) is None
    assert links.key_in(genuine + replacement, article_id) is None


@given(article_ids, keys)
def test_the_signature_binds_the_article_so_swapping_the_id_in_fails(article_id, key):
    _, _, signature = token(article_id, key).split(".")
    assert links.key_in(f"{article_id + 1}.{key}.{signature}", article_id + 1) is None
