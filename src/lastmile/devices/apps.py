from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "lastmile.devices"
    label = "devices"
    verbose_name = _("Devices")

    def ready(self) -> None:
        from lastmile.core.menu import MenuItem, register_menu

        register_menu(
            "devices",
            [
                MenuItem(_("Devices"), "devices:device_list", model="devices.Device", order=10),
                MenuItem(
                    _("Devices down"), "/devices/?status=down", model="devices.Device", order=20
                ),
                MenuItem(
                    _("Device action log"),
                    "devices:action_list",
                    model="devices.DeviceAction",
                    order=30,
                ),
            ],
        )
