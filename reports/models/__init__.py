"""The reports app's models, one module per concern."""

from .evaluation import (
    Direction,
    EvaluationRun,
    EvaluationScheme,
    Finding,
    FindingComment,
    SchemeIndicator,
    SchemeVersion,
    Scorecard,
    SubjectKind,
)
from .jobs import ExportJob, ExportJobState
from .reminders import ReminderKind, ReminderSent

__all__ = [
    "Direction",
    "EvaluationRun",
    "EvaluationScheme",
    "ExportJob",
    "ExportJobState",
    "Finding",
    "FindingComment",
    "ReminderKind",
    "ReminderSent",
    "SchemeIndicator",
    "SchemeVersion",
    "Scorecard",
    "SubjectKind",
]
