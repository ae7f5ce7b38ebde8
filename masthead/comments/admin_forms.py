from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from masthead.comments import services
from masthead.comments.models import ModerationAction


class ModerateCommentForm(WagtailAdminModelForm):
    """A moderator acts on a comment with a reason; the action goes to the log."""

    action = forms.ChoiceField(choices=ModerationAction.Action.choices)
    reason = forms.CharField(max_length=500, help_text="Kept in the moderation log.")

    class Meta:
        fields: list[str] = []

    def save(self, commit=True):
        return services.comment_moderate(
            moderator=self.for_user,
            comment_id=self.instance.pk,
            action=self.cleaned_data["action"],
            reason=self.cleaned_data["reason"],
        )
