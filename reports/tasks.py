from reports.evaluation.tasks import run_monthly_evaluations  # noqa: F401
