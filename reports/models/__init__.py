"""The reports app's models, one module per concern."""

from .jobs import ExportJob, ExportJobState

__all__ = ["ExportJob", "ExportJobState"]
