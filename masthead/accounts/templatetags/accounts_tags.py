from django import template
from django.utils.safestring import mark_safe

from masthead.accounts.menu import account_links_html

register = template.Library()


@register.simple_tag(takes_context=True)
def account_links(context):
    return mark_safe(account_links_html(context["request"]))  # noqa: S308 - a rendered template
