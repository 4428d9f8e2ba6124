from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "lastmile.network"
    label = "network"
    verbose_name = _("Network")

    def ready(self) -> None:
        from lastmile.customers.queries import register_customer_section

        register_customer_section("network/_customer_leases.html", order=30)
