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

__all__ = [
    "Direction",
    "EvaluationRun",
    "EvaluationScheme",
    "Finding",
    "FindingComment",
    "SchemeIndicator",
    "SchemeVersion",
    "Scorecard",
    "SubjectKind",
]
