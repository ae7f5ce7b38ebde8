from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "masthead.comments"
    label = "comments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from masthead.comments.admin_forms import ModerateCommentForm
        from masthead.comments.models import Comment

        # Moderators act through a form with an action and a reason, not by editing fields.
        Comment.base_form_class = ModerateCommentForm
