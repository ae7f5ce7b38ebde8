from django.db import models


class MissedBump(models.Model):
    """A generation bump that could not reach the cache, to be made once it can.

    Written in the same transaction as the change that needed it, so a change
    committed while Redis is away is never forgotten: when Redis returns (with
    its old data, say), the first process to resubscribe makes the bump.
    """

    name = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.name} at {self.created_at:%Y-%m-%d %H:%M:%S}"
