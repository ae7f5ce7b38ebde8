from urllib.parse import urlsplit

from django import template
from django.urls import Resolver404, resolve
from django.utils.safestring import mark_safe

from masthead.accounts.menu import account_links_html
from masthead.billing.models import Plan

register = template.Library()


@register.simple_tag(takes_context=True)
def account_links(context):
    return mark_safe(account_links_html(context["request"]))  # noqa: S308 - a rendered template


@register.simple_tag
def plan_after_signup(next_url: str | None) -> Plan | None:
    """The plan a reader chose before signing up, when sign-up returns them to its checkout."""
    if not next_url or not next_url.startswith("/") or next_url.startswith("//"):
        return None
    try:
        match = resolve(urlsplit(next_url).path)
    except Resolver404:
        return None
    if match.url_name != "subscribe-plan":
        return None
    return Plan.objects.filter(pk=match.kwargs["plan_id"], active=True).first()
