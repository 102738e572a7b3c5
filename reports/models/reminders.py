"""The log of the daily reminders: one row per reminder kind, object and due date, so a reminder
goes out once for each due date, and again only when the due date changes."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReminderKind(models.TextChoices):
    CARE_ROOM_DEADLINE = "care_room_deadline", _("Care room nearing or past its deadline")
    VIOLATION_OVERDUE = "violation_overdue", _("Violation past its rectification date")
    AGREEMENT_ENDING = "agreement_ending", _("Entrustment agreement ending")
    MILESTONE_OVERDUE = "milestone_overdue", _("Pilot milestone overdue")
    CARE_VISIT_OVERDUE = "care_visit_overdue", _("Care visit overdue")
    PUBLICITY_MISSING = "publicity_missing", _("No publicity event this month")
    APPLICATION_WAITING = "application_waiting", _("Application waiting on a reviewer")
    PILOT_LIST_LATE = "pilot_list_late", _("Pilot list not published by its date")


class ReminderSentQuerySet(models.QuerySet):
    # A log of what the platform sent, not a record anyone reads in the portal: the platform
    # administrator's business only.
    def visible_to(self, user):
        return self.all() if user.is_authenticated and user.is_superuser else self.none()

    def editable_by(self, user):
        return self.none()


class ReminderSent(models.Model):
    """``object_id`` is the id of the object the kind is about (a care room, a violation, an
    agreement, a pilot's milestone, a resident, a station, an application, a programme)."""

    kind = models.CharField(_("reminder"), max_length=24, choices=ReminderKind.choices)
    object_id = models.PositiveBigIntegerField(_("object id"))
    due_on = models.DateField(_("due on"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    objects = ReminderSentQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "due_on"], name="one_reminder_per_due_date")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.object_id} {self.due_on:%Y-%m-%d}"
