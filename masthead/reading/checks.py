from django.core import checks

from masthead.core.slots import names_in_template
from masthead.reading.slots import FILLERS

ARTICLE_TEMPLATE = "content/article_page.html"


@checks.register(checks.Tags.templates)
def every_slot_has_a_filler(app_configs=None, **kwargs):
    """A slot without a filler would be served empty to every reader, silently."""
    missing = sorted(names_in_template(ARTICLE_TEMPLATE) - FILLERS.keys())
    return [
        checks.Error(
            f"The slot {name!r} in {ARTICLE_TEMPLATE} has no filler.",
            hint="Add it to masthead.reading.slots.FILLERS, or remove the {% slot %} tag.",
            id="masthead.E001",
        )
        for name in missing
    ]
