from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AaaConfig(AppConfig):
    name = "lastmile.aaa"
    label = "aaa"
    verbose_name = _("RADIUS")

    def ready(self) -> None:
        from lastmile.aaa.apply import on_access_changed
        from lastmile.core.hooks import ACCESS_CHANGED

        ACCESS_CHANGED.register(on_access_changed)
