from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AddressesConfig(AppConfig):
    name = "lastmile.addresses"
    label = "addresses"
    verbose_name = _("Addresses")

    def ready(self) -> None:
        from lastmile.core.menu import MenuItem, register_menu

        register_menu(
            "regulatory",
            [
                MenuItem(
                    _("Address registry"),
                    "addresses:address_list",
                    model="addresses.AddressObject",
                    order=10,
                )
            ],
        )
