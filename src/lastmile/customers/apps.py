from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "lastmile.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from lastmile.core.menu import MenuItem, register_menu

        register_menu(
            "customers",
            [
                MenuItem(
                    _("Customers"), "customers:customer_list", model="customers.Customer", order=10
                ),
                MenuItem(
                    _("Customer groups"),
                    "customers:group_list",
                    model="customers.CustomerGroup",
                    order=20,
                ),
                MenuItem(
                    _("Extra fields"),
                    "customers:extra_field_list",
                    model="customers.ExtraField",
                    order=30,
                ),
            ],
        )
