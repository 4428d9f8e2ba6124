from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AaaConfig(AppConfig):
    name = "lastmile.aaa"
    label = "aaa"
    verbose_name = _("RADIUS")
