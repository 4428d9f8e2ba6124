from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SormConfig(AppConfig):
    name = "lastmile.sorm"
    label = "sorm"
    verbose_name = _("SORM export")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lastmile.core.menu import MenuItem, register_menu

        register_menu(
            "regulatory",
            [
                MenuItem(_("SORM exports"), "sorm:run_list", model="sorm.ExportRun", order=10),
                MenuItem(_("SORM data gaps"), "sorm:gap_list", model="sorm.DataGap", order=20),
                MenuItem(_("SORM settings"), "sorm:settings", model="sorm.ExportRun", order=30),
            ],
        )

        from lastmile.sorm import guards  # noqa: F401  (delete guards)
