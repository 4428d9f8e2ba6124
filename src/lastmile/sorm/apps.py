from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SormConfig(AppConfig):
    name = "lastmile.sorm"
    label = "sorm"
    verbose_name = _("SORM export")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lastmile.sorm import guards  # noqa: F401  (delete guards)
