from datetime import datetime

from django import template

register = template.Library()


@register.filter(expects_localtime=True)
def machine_time(value: datetime | None) -> str:
    """A ``<time datetime>`` value: ISO 8601 to the second, with the zone's offset.

    Django's ``date:'c'`` keeps microseconds, and HTML allows at most three digits of
    a fraction of a second; to the second is all a reader's tools need.
    """
    if not value:
        return ""
    return value.replace(microsecond=0).isoformat()
