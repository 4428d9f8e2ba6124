from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GatewaysConfig(AppConfig):
    name = "lastmile.finance.gateways"
    label = "gateways"
    verbose_name = _("Payment gateways")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing the plugin modules registers them (base.REGISTRY).
        from lastmile.finance.gateways import base

        base.load_plugins()
