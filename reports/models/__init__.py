"""The reports app's models, one module per concern."""

from .jobs import ExportJob, ExportJobState
from .reminders import ReminderKind, ReminderSent

__all__ = ["ExportJob", "ExportJobState", "ReminderKind", "ReminderSent"]
