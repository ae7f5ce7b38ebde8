from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "masthead.comments"
    label = "comments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from masthead.comments.models import Comment, CommentBan, CommentSettings
        from masthead.core import generations

        # Threads are rendered once per comments generation: any change to a comment shows.
        changed = generations.comments_changed
        post_save.connect(changed, sender=Comment, dispatch_uid="comment-saved")
        post_delete.connect(changed, sender=Comment, dispatch_uid="comment-deleted")

        # Both are remembered per process by generation (see comments.section).
        remembered = (
            (CommentBan, generations.comments_changed),
            (CommentSettings, generations.settings_changed),
        )
        for model, bump in remembered:
            post_save.connect(bump, sender=model, dispatch_uid=f"bump-{model.__name__}")
            post_delete.connect(bump, sender=model, dispatch_uid=f"bump-del-{model.__name__}")
