from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "lastmile.parties"
    label = "parties"
    verbose_name = _("Parties")

    def ready(self) -> None:
        from lastmile.core.menu import MenuItem, register_menu

        register_menu(
            "customers",
            [
                MenuItem(
                    _("Legal entities"), "parties:legal_list", model="parties.LegalEntity", order=40
                )
            ],
        )
        register_menu(
            "regulatory",
            [
                MenuItem(
                    _("Addresses to review"),
                    "parties:review_list",
                    model="parties.AddressReview",
                    order=20,
                )
            ],
        )
        from lastmile.customers.queries import register_customer_section
        from lastmile.parties.views import customer_party_context

        register_customer_section(
            "parties/_customer_party.html", context=customer_party_context, order=5
        )
