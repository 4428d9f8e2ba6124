from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CabinetConfig(AppConfig):
    name = "lastmile.cabinet"
    label = "cabinet"
    verbose_name = _("Subscriber cabinet")
    default_auto_field = "django.db.models.BigAutoField"
