from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports and spreadsheets")

    def ready(self):
        # Large list exports become background jobs: plug the jobs into the export engine, which
        # imports no app itself.
        from . import exporting  # noqa: PLC0415 - the models must be loaded first
        from .api import jobs as api_jobs  # noqa: PLC0415 - the models must be loaded first

        exporting.use_background_exports(api_jobs.BACKGROUND_EXPORTS)
