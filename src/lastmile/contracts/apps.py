from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "lastmile.contracts"
    label = "contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from lastmile.core.menu import MenuItem, register_menu

        register_menu(
            "customers",
            [
                MenuItem(
                    _("Contracts"), "contracts:contract_list", model="contracts.Contract", order=50
                ),
                MenuItem(
                    _("Document templates"),
                    "contracts:template_list",
                    model="contracts.DocumentTemplate",
                    order=60,
                ),
            ],
        )
        from lastmile.contracts import services
        from lastmile.core.hooks import CUSTOMER_CREATED, CUSTOMER_DEACTIVATED

        CUSTOMER_CREATED.register(services.on_customer_created)
        CUSTOMER_DEACTIVATED.register(services.on_customer_deactivated)

        from lastmile.contracts.views import customer_contracts_context
        from lastmile.customers.queries import register_customer_section

        register_customer_section(
            "contracts/_customer_contracts.html", context=customer_contracts_context, order=6
        )
