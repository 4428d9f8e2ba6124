from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "lastmile.devices"
    label = "devices"
    verbose_name = _("Devices")

    def ready(self) -> None:
        from lastmile.core.menu import MenuItem, register_menu
        from lastmile.devices.inventory import check_binding_port
        from lastmile.network.services import DEVICE_PORT_CHECKS

        if check_binding_port not in DEVICE_PORT_CHECKS:
            DEVICE_PORT_CHECKS.append(check_binding_port)

        from lastmile.devices.address_matching import match_device_addresses, review_section
        from lastmile.parties.matching import register_matcher, register_review_section

        register_matcher(match_device_addresses)
        register_review_section(review_section)

        register_menu(
            "devices",
            [
                MenuItem(_("Devices"), "devices:device_list", model="devices.Device", order=10),
                MenuItem(
                    _("Devices down"), "/devices/?status=down", model="devices.Device", order=20
                ),
                MenuItem(_("ONUs"), "devices:onu_list", model="devices.Onu", order=25),
                MenuItem(
                    _("ONU templates"),
                    "devices:template_list",
                    model="devices.OnuTemplate",
                    order=27,
                ),
                MenuItem(
                    _("Device action log"),
                    "devices:action_list",
                    model="devices.DeviceAction",
                    order=30,
                ),
            ],
        )
