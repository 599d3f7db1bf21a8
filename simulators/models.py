"""Rows the simulators keep: what they received and how they were told to behave. Kept in the database so
every process serving a simulator (gunicorn workers, a test's live server) sees the same controls."""

from django.db import models


class SmsGatewayControl(models.Model):
    """How the SMS gateway simulator answers next: one row (pk 1)."""

    # The next this-many messages are refused with `fail_status`, one fewer each time.
    fail_next = models.PositiveIntegerField(default=0)
    # Every message is refused with `fail_status` until switched off: the gateway is down.
    fail_always = models.BooleanField(default=False)
    fail_status = models.PositiveSmallIntegerField(default=500)
    # Each answer waits this long: a slow gateway.
    delay_ms = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fail_status__gte=400, fail_status__lte=599), name="sms_sim_fail_status_error"
            ),
            models.CheckConstraint(condition=models.Q(delay_ms__lte=120_000), name="sms_sim_delay_capped"),
        ]

    def __str__(self):
        return f"SMS gateway simulator: fail_next={self.fail_next} fail_always={self.fail_always}"


class SmsGatewayMessage(models.Model):
    """A message the SMS gateway simulator accepted."""

    class Status(models.TextChoices):
        ACCEPTED = "ACCEPTED"
        DELIVERED = "DELIVERED"
        FAILED = "FAILED"

    message_id = models.CharField(max_length=64, unique=True)
    to = models.CharField(max_length=20)
    text = models.TextField()
    sender = models.CharField(max_length=20, blank=True)
    dlt_template_id = models.CharField(max_length=30, blank=True)
    reference = models.CharField(max_length=100, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.message_id} {self.status}"
