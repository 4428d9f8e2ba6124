from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "lastmile.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from lastmile.core import checks, dbfunctions, tables

        del checks, tables  # imported to register the system checks and the money column

        post_migrate.connect(dbfunctions.install, sender=self, dispatch_uid="lastmile_dbfunctions")
