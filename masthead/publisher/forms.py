from __future__ import annotations

from django import forms

from masthead.billing.models import Plan
from masthead.content.models import AuthorPage, SectionPage
from masthead.core import text
from masthead.publisher import members, selectors

MAX_DAYS = 400


class ScopeForm(forms.Form):
    """The dashboard's filters, from the query string; invalid input falls back to defaults."""

    range = forms.ChoiceField(
        choices=[(str(n), f"Last {n} days") for n in selectors.PRESETS] + [("custom", "Custom")],
        initial="30",
        required=False,
    )
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    section = forms.ModelChoiceField(
        SectionPage.objects.order_by("title"), required=False, empty_label="All sections"
    )
    author = forms.ModelChoiceField(
        AuthorPage.objects.order_by("title"), required=False, empty_label="All authors"
    )

    def clean(self):
        data = super().clean()
        if data.get("range") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError("A custom range needs a start and an end date.")
            if start > end:
                raise forms.ValidationError("The start date is after the end date.")
            if (end - start).days >= MAX_DAYS:
                raise forms.ValidationError(f"Choose at most {MAX_DAYS} days.")
        return data

    def scope(self) -> selectors.Scope:
        data = self.cleaned_data if self.is_valid() else {}
        section, author = data.get("section"), data.get("author")
        ids = {
            "section_id": section.pk if section else None,
            "author_id": author.pk if author else None,
        }
        if data.get("range") == "custom":
            return selectors.scope_for(start=data["start"], end=data["end"], **ids)
        days = int(data["range"]) if data.get("range") else 30
        return selectors.scope_for(days=days, **ids)


def default_scope(days: int = 7) -> selectors.Scope:
    return selectors.scope_for(days=days)


class MembersForm(forms.Form):
    """The members list's search and filters, from the query string."""

    q = forms.CharField(label="Search e-mail or name", required=False, max_length=200)
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *members.MEMBER_STATUSES], required=False
    )
    plan = forms.ModelChoiceField(
        Plan.objects.order_by("position", "price_minor"), required=False, empty_label="Any plan"
    )

    def clean_q(self) -> str:
        return text.clean_text(self.cleaned_data.get("q"), bidi="strip").strip()

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        plan = data.get("plan")
        return {
            "search": data.get("q") or "",
            "status": data.get("status") or "",
            "plan_id": plan.pk if plan else None,
        }


def page_key(value: str | None) -> int | None:
    """A page cursor from the query string; anything but a positive number is none."""
    return int(value) if value and value.isdigit() and len(value) < 19 else None
