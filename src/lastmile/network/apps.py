from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "lastmile.network"
    label = "network"
    verbose_name = _("Network")

    def ready(self) -> None:
        from lastmile.customers.queries import register_customer_section
        from lastmile.network.views import bindings_section_context

        register_customer_section("network/_customer_leases.html", order=30)
        register_customer_section(
            "network/_customer_bindings.html", context=bindings_section_context, order=31
        )
