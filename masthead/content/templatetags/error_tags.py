from django import template

from masthead.content import errors

register = template.Library()


@register.simple_tag
def known_publication_name() -> str:
    """The publication's name without a database query (see content/errors.py)."""
    return errors.known_publication_name()
