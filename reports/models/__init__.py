from .reminders import ReminderKind, ReminderSent

__all__ = ["ReminderKind", "ReminderSent"]
