from django.db import transaction

from masthead.core import generations


def comment_changed(**_signal_kwargs) -> None:
    # Now, for this process's next request, and again once committed, so that no
    # other process renders the old text under the new generation in between.
    generations.bump(generations.COMMENTS)
    transaction.on_commit(lambda: generations.bump(generations.COMMENTS))
