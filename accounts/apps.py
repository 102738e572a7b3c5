from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core import filters


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        from . import checks, signals  # noqa: F401, PLC0415 - once the registry is ready: registers the deploy checks, connects the receivers
        from .api import schema  # noqa: F401, PLC0415 - registers the Bearer scheme with drf-spectacular

        filters.install()  # 全部 / 是 / 否 for every yes-or-no filter of the portal
