from django import template

from masthead.billing.models import CURRENCY_SYMBOLS

register = template.Library()


@register.filter
def money(minor: int, currency: str) -> str:
    """Minor units as the currency's amount: 123456, "usd" → $1,234.56."""
    symbol = CURRENCY_SYMBOLS.get(currency.lower(), currency.upper() + " ")
    whole, cents = divmod(int(minor), 100)
    return f"{symbol}{whole:,}.{cents:02d}"


@register.filter
def percent(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


@register.filter
def number(value) -> str:
    return "—" if value is None else f"{value:,}"
