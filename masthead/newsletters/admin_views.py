"""Sending an article as a newsletter, from its page in Wagtail's admin."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from masthead.content.models import ArticlePage
from masthead.newsletters import sending, stats
from masthead.newsletters.models import Issue, IssueAudience, Newsletter


class SendForm(forms.Form):
    newsletter = forms.ModelChoiceField(queryset=Newsletter.objects.all(), empty_label=None)
    audience = forms.ChoiceField(
        choices=IssueAudience.choices, initial=IssueAudience.ALL, widget=forms.RadioSelect
    )


def can_send(user) -> bool:
    return user.has_perm("newsletters.add_issue")


def send_article(request, page_id: int):
    if not can_send(request.user):
        raise PermissionDenied
    article = get_object_or_404(ArticlePage, pk=page_id)
    form = SendForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not article.live:
            messages.error(request, "Publish the article before sending it.")
        elif form.is_valid():
            newsletter = form.cleaned_data["newsletter"]
            if "test" in request.POST:
                sending.send_test(newsletter=newsletter, article=article, to=request.user.email)
                messages.success(
                    request,
                    f"Sent two tests to {request.user.email}: as a paying and as a free reader.",
                )
            else:
                issue, created = sending.issue_for_article(
                    newsletter=newsletter,
                    article=article,
                    audience=form.cleaned_data["audience"],
                    user=request.user,
                )
                if created:
                    messages.success(request, f"“{article.title}” is being sent to {newsletter}.")
                else:
                    messages.warning(
                        request,
                        f"“{article.title}” was already sent to {newsletter} on "
                        f"{issue.created_at:%B %-d, %Y}; it is not sent twice.",
                    )
            return redirect("newsletters_admin:send", page_id=article.pk)
        else:
            status = 400
    issues = stats.with_counts(Issue.objects.filter(article=article).select_related("newsletter"))
    return TemplateResponse(
        request,
        "newsletters/admin/send.html",
        {"article": article, "form": form, "issues": issues},
        status=status,
    )
