from django.db import models
from django.utils import timezone


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "queued"
    SENDING = "sending", "sending"
    SENT = "sent", "sent"
    FAILED = "failed", "failed (gave up)"


class OutgoingEmail(models.Model):
    """One e-mail, from the transaction that decided to send it until the server accepted it.

    The row is the idempotency key: a worker sends only after claiming it (status
    ``sending`` with a claim that runs out), and marks it ``sent`` once the mail server
    said 250, so a task run twice, or a second worker, finds nothing left to do.
    """

    message_id = models.CharField(max_length=255, unique=True)
    subject = models.CharField(max_length=998)
    recipients = models.JSONField(default=list)
    # The rest of the message (sender, body, alternatives, headers); emptied once sent,
    # so sign-in codes and reset links do not stay in the database.
    message = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=EmailStatus.choices, default=EmailStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # While ``sending``: until when the claiming worker may still be sending it.
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "claimed_until"], name="mail_status_claim_idx")]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.recipients)} ({self.status})"
