from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GatewaysConfig(AppConfig):
    name = "lastmile.finance.gateways"
    label = "gateways"
    verbose_name = _("Payment gateways")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lastmile.core.menu import MenuItem, register_menu

        register_menu(
            "money",
            [
                MenuItem(
                    _("Payment gateways"),
                    "gateways:gateway_list",
                    model="gateways.GatewayConfig",
                    order=50,
                ),
                MenuItem(
                    _("Gateway requests"),
                    "gateways:request_log",
                    model="gateways.GatewayRequestLog",
                    order=60,
                ),
            ],
        )

        # Importing the plugin modules registers them (base.REGISTRY).
        from lastmile.finance.gateways import base

        base.load_plugins()
