from django import template

from masthead.core import slots

register = template.Library()


@register.simple_tag
def slot(name):
    """A per-reader slot, filled when the page is served (see ``masthead.core.slots``)."""
    return slots.marker(name)
