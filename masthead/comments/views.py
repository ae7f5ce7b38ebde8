"""Comment forms that work without JavaScript; JSON for the script that enhances them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from masthead.comments import counts, services
from masthead.comments.models import Comment
from masthead.content.models import ArticlePage


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _problem(
    request,
    article,
    status: int,
    message: str,
    body: str = "",
    *,
    retry_url: str | None = None,
    parent: int | None = None,
    heading: str = "Your comment wasn't posted",
):
    """A clear error that keeps what the reader wrote (and where it was going)."""
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    return TemplateResponse(
        request,
        "comments/problem.html",
        {
            "article": article,
            "message": message,
            "body": body,
            "retry_url": retry_url,
            "parent": parent,
            "heading": heading,
        },
        status=status,
    )


@login_required
@require_POST
def comment_post(request, article_id: int):
    article = get_object_or_404(ArticlePage.objects.live(), pk=article_id)
    body = request.POST.get("body", "")
    parent = request.POST.get("parent") or ""
    parent_id = int(parent) if parent.isdigit() else None
    # "Try again" posts the same text to the same thread.
    retry = {"retry_url": reverse("comments:post", args=[article.pk]), "parent": parent_id}
    display_name = request.POST.get("display_name", "").strip()
    if display_name and not request.user.first_name:
        # A name chosen with the first comment; stored first, so a retry keeps it.
        try:
            services.display_name_set(user=request.user, name=display_name)
        except ValidationError as invalid:
            return _problem(request, article, 400, " ".join(invalid.messages), body, **retry)
    try:
        comment = services.comment_create(
            user=request.user, article=article, body=body, parent_id=parent_id
        )
    except services.CommentRateLimited as limited:
        return _problem(request, article, 429, str(limited), body, **retry)
    except ValidationError as invalid:
        message = " ".join(m for messages_ in invalid.message_dict.values() for m in messages_)
        return _problem(request, article, 400, message, body, **retry)
    except PermissionDenied as denied:
        message = str(denied) or "Comments are for subscribers."
        return _problem(request, article, 403, message, body, **retry)
    counts.forget_count(article.pk)
    if _wants_json(request):
        return JsonResponse(
            {"id": comment.pk, "status": comment.status, "html": comment.body_html}, status=201
        )
    if comment.status == "held":
        messages.info(
            request, "Thanks! Your first comment will appear once a moderator approves it."
        )
    return redirect(f"{article.url}#comment-{comment.pk}")


@login_required
def comment_edit(request, comment_id: int):
    comment = get_object_or_404(Comment, pk=comment_id, deleted_at__isnull=True)
    article = comment.article
    heading = "Your change wasn't saved"
    if request.method == "POST":
        body = request.POST.get("body", "")
        try:
            services.comment_edit(user=request.user, comment_id=comment.pk, body=body)
        except ValidationError as invalid:
            message = " ".join(m for ms in invalid.message_dict.values() for m in ms)
            # Retry the edit, never a new comment.
            retry_url = reverse("comments:edit", args=[comment.pk])
            return _problem(
                request, article, 400, message, body, retry_url=retry_url, heading=heading
            )
        except PermissionDenied as denied:
            return _problem(request, article, 403, str(denied), body, heading=heading)
        return redirect(f"{article.url}#comment-{comment.pk}")
    if comment.author_id != request.user.pk or not services.can_read(request.user):
        raise PermissionDenied("You can only edit your own comments.")
    if not services.within_edit_window(comment):
        raise PermissionDenied("Comments can be edited for 15 minutes after posting.")
    return TemplateResponse(request, "comments/edit.html", {"comment": comment, "article": article})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def comment_delete(request, comment_id: int):
    """GET asks "are you sure?" with the comment shown; only the POST from that page deletes."""
    comment = get_object_or_404(Comment, pk=comment_id)
    if request.method != "POST":
        if comment.is_tombstone:
            return redirect(f"{comment.article.url}#comments")
        if comment.author_id != request.user.pk:
            raise PermissionDenied("You can only delete your own comments.")
        return TemplateResponse(
            request, "comments/delete.html", {"comment": comment, "article": comment.article}
        )
    try:
        services.comment_delete(user=request.user, comment_id=comment.pk)
    except Comment.DoesNotExist as missing:
        raise Http404("No such comment.") from missing
    except PermissionDenied as denied:
        return _problem(request, comment.article, 403, str(denied))
    counts.forget_count(comment.article_id)
    return redirect(f"{comment.article.url}#comments")


@login_required
@require_POST
def comment_report(request, comment_id: int):
    comment = get_object_or_404(Comment, pk=comment_id)
    try:
        first = services.comment_report(
            user=request.user, comment_id=comment.pk, reason=request.POST.get("reason", "")
        )
    except Comment.DoesNotExist as missing:
        raise Http404("No such comment.") from missing
    except PermissionDenied as denied:
        return _problem(request, comment.article, 403, str(denied))
    except ValidationError as invalid:
        heading = "Your report wasn't sent"
        return _problem(request, comment.article, 400, " ".join(invalid.messages), heading=heading)
    text = "Thanks, a moderator will look at it." if first else "You already reported it."
    if _wants_json(request):
        return JsonResponse({"reported": first, "message": text})
    messages.info(request, text)
    return redirect(f"{comment.article.url}#comment-{comment.pk}")


@login_required
@require_POST
def preferences(request):
    services.reply_notifications_set(
        user=request.user, enabled=request.POST.get("reply_notifications") == "on"
    )
    messages.success(request, "Your comment notification settings are saved.")
    return redirect("account")
